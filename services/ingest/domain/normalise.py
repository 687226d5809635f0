"""Channel payload -> one ``NormalisedMessage``, with a pseudonymous customer key."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from schemas.base import Channel, derive_id
from schemas.customers import Customer
from schemas.inbound import (
    ChatPayload,
    EmailPayload,
    InboundPayload,
    MarketplacePayload,
    PhonePayload,
    SocialPayload,
)
from schemas.ingest import NormalisedMessage
from services.ingest.domain.email import email_text


class MissingCustomerIdentityError(ValueError):
    """The payload does not say who wrote it, so nobody could answer."""


def customer_key(*identity: str) -> str:
    """Stable pseudonym of a channel identity (never the identity itself)."""
    digest = hashlib.sha256("\x1f".join(part.strip().lower() for part in identity).encode())
    return f"c_{digest.hexdigest()[:24]}"


def phone_digits(number: str) -> str:
    """A phone number as its digits (and a leading '+'), however it was written."""
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


def identity_key(identity: str) -> str:
    """The customer key of an identity as a support lead writes it in the config:
    ``email:anna@example.com``, ``phone:+372 555 1234``, ``social:x:anna_k``,
    ``marketplace:amazon:A1B2C3``, ``chat-visitor:v-1``, or a key ``c_...`` itself."""
    if identity.startswith("c_"):
        return identity
    kind, _, rest = identity.partition(":")
    if kind == "phone":
        return customer_key("phone", phone_digits(rest))
    if kind in ("social", "marketplace"):
        where, _, who = rest.partition(":")
        return customer_key(kind, where, who)
    return customer_key(kind, rest)


def message_key(channel: Channel, source_message_id: str) -> str:
    """What makes two deliveries the same message."""
    return f"{channel.value}:{source_message_id}"


def normalise(
    payload: InboundPayload, source_topic: str, languages: Sequence[str] = ("en",)
) -> NormalisedMessage:
    """``languages``: whose reply headers and sign-offs to strip from e-mails."""
    match payload:
        case EmailPayload():
            return _email(payload, source_topic, languages)
        case ChatPayload():
            return _chat(payload, source_topic)
        case PhonePayload():
            return _phone(payload, source_topic)
        case SocialPayload():
            return _social(payload, source_topic)
        case MarketplacePayload():
            return _marketplace(payload, source_topic)


def _message(
    channel: Channel, source_message_id: str, source_topic: str, **fields: Any
) -> NormalisedMessage:
    """A normalised message whose id is derived from its source, so redelivery keeps it."""
    event_id = derive_id("inbound", message_key(channel, source_message_id))
    return NormalisedMessage(
        event_id=event_id,
        correlation_id=str(event_id),
        channel=channel,
        source_message_id=source_message_id,
        source_topic=source_topic,
        **fields,
    )


def _email(payload: EmailPayload, source_topic: str, languages: Sequence[str]) -> NormalisedMessage:
    return _message(
        Channel.EMAIL,
        payload.message_id,
        source_topic,
        occurred_at=payload.received_at,
        customer=Customer(
            customer_key=customer_key("email", payload.from_),
            name=payload.from_name,
            email=payload.from_,
        ),
        subject=payload.subject or None,
        text=email_text(payload.text, payload.html, languages),
        received_at=payload.received_at,
        thread_refs=[
            f"email:{ref}"
            for ref in (payload.message_id, payload.in_reply_to, *payload.references)
            if ref
        ],
        order_id=payload.order_id,
        order_value=payload.order_value,
        currency=payload.currency,
    )


def _chat(payload: ChatPayload, source_topic: str) -> NormalisedMessage:
    who = payload.customer
    identity = (
        ("email", who.email)
        if who.email
        else ("phone", phone_digits(who.phone))
        if who.phone and phone_digits(who.phone).lstrip("+")
        else ("chat-visitor", who.visitor_id)
        if who.visitor_id
        else None
    )
    if identity is None:
        raise MissingCustomerIdentityError("chat customer needs an email, a phone or a visitor_id")
    return _message(
        Channel.CHAT,
        payload.message_id,
        source_topic,
        occurred_at=payload.sent_at,
        customer=Customer(
            customer_key=customer_key(*identity),
            name=who.name,
            email=who.email,
            phone=who.phone,
        ),
        text=payload.text,
        received_at=payload.sent_at,
        thread_refs=[f"chat:{payload.conversation_id}"],
        order_id=payload.order_id,
        order_value=payload.order_value,
        currency=payload.currency,
    )


def _phone(payload: PhonePayload, source_topic: str) -> NormalisedMessage:
    digits = phone_digits(payload.caller_id)
    if len(digits.lstrip("+")) < 3:
        raise MissingCustomerIdentityError("phone caller_id has no usable number")
    return _message(
        Channel.PHONE,
        payload.call_id,
        source_topic,
        occurred_at=payload.started_at,
        customer=Customer(
            customer_key=customer_key("phone", digits),
            name=payload.caller_name,
            phone=digits,
        ),
        text=payload.transcript,
        received_at=payload.started_at,
        # A call has no conversation to continue: a second call about the same order
        # is a repeat contact, which the threader finds by order id.
        thread_refs=[],
        order_id=payload.order_id,
        ivr_choice=payload.ivr_choice,
    )


def _social(payload: SocialPayload, source_topic: str) -> NormalisedMessage:
    refs = [f"social:{payload.platform}:{payload.message_id}"]
    if payload.thread_id:
        refs.append(f"social:{payload.platform}:{payload.thread_id}")
    return _message(
        Channel.SOCIAL,
        f"{payload.platform}:{payload.message_id}",
        source_topic,
        occurred_at=payload.posted_at,
        customer=Customer(
            customer_key=customer_key("social", payload.platform, payload.handle),
            name=payload.display_name,
            handle=f"{payload.platform}:{payload.handle}",
        ),
        text=payload.text,
        received_at=payload.posted_at,
        thread_refs=refs,
        order_id=payload.order_id,
        social_platform=payload.platform,
        public=payload.kind != "dm",
    )


def _marketplace(payload: MarketplacePayload, source_topic: str) -> NormalisedMessage:
    return _message(
        Channel.MARKETPLACE,
        f"{payload.marketplace}:{payload.message_id}",
        source_topic,
        occurred_at=payload.sent_at,
        customer=Customer(
            customer_key=customer_key("marketplace", payload.marketplace, payload.buyer_id),
            name=payload.buyer_name,
        ),
        subject=payload.subject or None,
        text=payload.text,
        received_at=payload.sent_at,
        thread_refs=[f"{payload.marketplace}:order:{payload.order_id}"],
        marketplace=payload.marketplace,
        order_id=payload.order_id,
        order_value=payload.order_value,
        currency=payload.currency,
        reply_deadline=payload.reply_deadline,
    )
