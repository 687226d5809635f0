"""Channel payloads (``schemas.inbound``) for the messages of one conversation.

Each builder keeps what makes later messages of the same thread recognisable as
such: e-mail ``In-Reply-To``/``References``, the chat conversation, the social
thread, the marketplace order, and the order number a caller keys in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from schemas.base import Channel
from schemas.inbound import PAYLOAD_BY_CHANNEL, InboundPayload, SocialPayload
from switchboard.simulator.customers import SimCustomer
from switchboard.simulator.data import mix
from switchboard.simulator.data.logistics import (
    IVR_CHOICE,
    MARKETPLACES,
    SOCIAL_DM_SHARE,
    SOCIAL_PLATFORMS,
)
from switchboard.simulator.data.markets import SHOP_DOMAIN, SUPPORT_MAILBOX
from switchboard.simulator.ids import fill_pattern, hex_id, weighted_choice


@dataclass(frozen=True)
class Order:
    id: str
    value: Decimal
    currency: str


@dataclass
class ThreadIds:
    """Channel ids that stay the same, or grow, along one conversation."""

    channel: Channel
    customer: SimCustomer
    skill: str
    marketplace: str | None
    #: The order the payload names (a form field, an IVR entry, the marketplace order).
    order: Order | None
    subject: str
    chat_customer: dict[str, str] = field(default_factory=dict)
    chat_conversation: str = ""
    page_url: str | None = None
    social_platform: str = ""
    social_kind: str = ""
    social_thread: str | None = None
    email_ids: list[str] = field(default_factory=list)
    caller_named: bool = False


def start_thread(
    rng: random.Random,
    channel: Channel,
    customer: SimCustomer,
    *,
    skill: str,
    marketplace: str | None,
    order: Order | None,
    subject: str,
) -> ThreadIds:
    """Decide the ids of a new conversation and what its payloads carry."""
    ids = ThreadIds(channel, customer, skill, marketplace, None, subject)
    if channel is Channel.EMAIL:
        # The contact form fills in the order number; a plain e-mail does not.
        ids.order = order if rng.random() < mix.CONTACT_FORM_SHARE else None
    elif channel is Channel.CHAT:
        ids.chat_conversation = f"conv_{hex_id(rng, 12)}"
        ids.chat_customer = {"visitor_id": customer.visitor_id}
        if rng.random() < mix.CHAT_NAME_GIVEN_SHARE:
            ids.chat_customer["name"] = customer.first_name
        logged_in = rng.random() < mix.CHAT_LOGGED_IN_SHARE
        if logged_in:
            ids.chat_customer["email"] = customer.email
        if logged_in and order is not None and rng.random() < mix.CHAT_FROM_ORDER_PAGE_SHARE:
            ids.order = order
            ids.page_url = f"https://{SHOP_DOMAIN}/{customer.language}/account/orders/{order.id}"
        else:
            ids.page_url = f"https://{SHOP_DOMAIN}/{customer.language}/help"
    elif channel is Channel.PHONE:
        ids.order = order if order is not None and rng.random() < mix.ORDER_KEYED_IN_SHARE else None
        ids.caller_named = rng.random() < mix.CALLER_NAMED_SHARE
    elif channel is Channel.SOCIAL:
        ids.social_platform = weighted_choice(rng, SOCIAL_PLATFORMS)
        ids.social_kind = "dm" if rng.random() < SOCIAL_DM_SHARE else "post"
        if ids.social_kind == "dm":
            ids.social_thread = f"t_{hex_id(rng, 16)}"
    elif channel is Channel.MARKETPLACE:
        ids.order = order
    return ids


def _social_id(rng: random.Random) -> str:
    return fill_pattern(rng, "1###################")


def build_payload(
    rng: random.Random,
    ids: ThreadIds,
    index: int,
    at: datetime,
    text: str,
) -> InboundPayload:
    """The payload of message ``index`` (0 opens the thread) sent at ``at``."""
    customer = ids.customer
    order_fields: dict[str, Any] = {}
    if ids.order is not None:
        order_fields = {
            "order_id": ids.order.id,
            "order_value": ids.order.value,
            "currency": ids.order.currency,
        }
    fields: dict[str, Any]
    if ids.channel is Channel.EMAIL:
        message_id = f"<{hex_id(rng, 20)}@{customer.email.split('@', 1)[1]}>"
        fields = {
            "message_id": message_id,
            "from": customer.email,
            "from_name": customer.name,
            "to": [f"{SUPPORT_MAILBOX[customer.language]}@{SHOP_DOMAIN}"],
            "subject": ids.subject,
            "text": text,
            "received_at": at,
            "in_reply_to": ids.email_ids[-1] if ids.email_ids else None,
            "references": list(ids.email_ids),
            **order_fields,
        }
        ids.email_ids.append(message_id)
    elif ids.channel is Channel.CHAT:
        fields = {
            "message_id": f"msg_{hex_id(rng, 16)}",
            "conversation_id": ids.chat_conversation,
            "customer": dict(ids.chat_customer),
            "text": text,
            "sent_at": at,
            "page_url": ids.page_url,
            **order_fields,
        }
    elif ids.channel is Channel.PHONE:
        fields = {
            "call_id": f"call-{hex_id(rng, 16)}",
            "caller_id": customer.phone,
            "caller_name": customer.name if ids.caller_named else None,
            "transcript": text,
            "ivr_choice": IVR_CHOICE[ids.skill],
            "started_at": at,
            "duration_seconds": int(
                rng.lognormvariate(math.log(mix.CALL_SECONDS_MEDIAN), mix.CALL_SECONDS_SIGMA)
            ),
            "order_id": ids.order.id if ids.order else None,
        }
    elif ids.channel is Channel.SOCIAL:
        fields = _social_fields(rng, ids, index, at, text)
    else:
        if ids.marketplace is None or ids.order is None:
            raise ValueError("a marketplace message needs its marketplace and order")
        deadline_hours = MARKETPLACES[ids.marketplace].reply_deadline_hours
        fields = {
            "marketplace": ids.marketplace,
            "message_id": hex_id(rng, 16),
            "buyer_id": customer.buyer_ids[ids.marketplace],
            "buyer_name": f"{customer.first_name} {customer.last_name[:1]}.",
            "subject": ids.subject,
            "text": text,
            "sent_at": at,
            "reply_deadline": at + timedelta(hours=deadline_hours) if deadline_hours else None,
            **order_fields,
        }
    return PAYLOAD_BY_CHANNEL[ids.channel].model_validate(fields)


def _social_fields(
    rng: random.Random, ids: ThreadIds, index: int, at: datetime, text: str
) -> dict[str, Any]:
    customer = ids.customer
    fields: dict[str, Any] = {
        "platform": ids.social_platform,
        "handle": customer.social_handle,
        "display_name": customer.name,
        "text": text,
        "posted_at": at,
    }
    if ids.social_kind == "dm":
        fields.update(kind="dm", dm_id=_social_id(rng), thread_id=ids.social_thread)
    else:
        post_id = _social_id(rng)
        # A public post opens the thread; the customer's later words are comments on it.
        fields.update(kind="post" if index == 0 else "comment", post_id=post_id)
        if index == 0:
            ids.social_thread = post_id
        else:
            fields["thread_id"] = ids.social_thread
    return fields


def message_key(payload: InboundPayload) -> str:
    """The channel's own id of the message: what makes two deliveries the same."""
    if isinstance(payload, SocialPayload):
        return f"{payload.platform}:{payload.message_id}"
    if payload.channel == "phone":
        return payload.call_id
    return payload.message_id
