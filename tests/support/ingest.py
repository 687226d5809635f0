"""Channel payloads and normalised messages for ingest tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.base import Channel
from schemas.customers import Customer
from schemas.ingest import NormalisedMessage

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, days=days)


def email(
    message_id: str = "<m1@example.com>",
    sender: str = "anna@example.com",
    *,
    text: str = "Where is my parcel? Order 4711 has not arrived.",
    subject: str = "Order 4711",
    received_at: datetime = T0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "from": sender,
        "to": ["help@shop.example.com"],
        "subject": subject,
        "text": text,
        "received_at": received_at.isoformat(),
        **extra,
    }


def chat(
    message_id: str = "c1",
    conversation_id: str = "conv-1",
    *,
    visitor_id: str = "v-1",
    text: str = "hi, my parcel has not arrived",
    sent_at: datetime = T0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "conversation_id": conversation_id,
        "customer": {"visitor_id": visitor_id},
        "text": text,
        "sent_at": sent_at.isoformat(),
        **extra,
    }


def phone(
    call_id: str = "call-1",
    caller_id: str = "+372 5555 1234",
    *,
    transcript: str = "hello, I am calling about my order, the parcel never arrived",
    started_at: datetime = T0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "caller_id": caller_id,
        "transcript": transcript,
        "started_at": started_at.isoformat(),
        **extra,
    }


def social(
    dm_id: str = "dm-1",
    handle: str = "anna_k",
    *,
    text: str = "@shop my parcel never arrived",
    thread_id: str | None = "thread-1",
    posted_at: datetime = T0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "platform": "x",
        "handle": handle,
        "kind": "dm",
        "dm_id": dm_id,
        "thread_id": thread_id,
        "text": text,
        "posted_at": posted_at.isoformat(),
        **extra,
    }


def marketplace(
    message_id: str = "mp-1",
    order_id: str = "ORD-1",
    *,
    buyer_id: str = "buyer-1",
    text: str = "Package not arrived yet, please check",
    sent_at: datetime = T0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "marketplace": "amazon",
        "message_id": message_id,
        "order_id": order_id,
        "buyer_id": buyer_id,
        "text": text,
        "sent_at": sent_at.isoformat(),
        **extra,
    }


PAYLOADS: dict[Channel, Callable[..., dict[str, Any]]] = {
    Channel.EMAIL: email,
    Channel.CHAT: chat,
    Channel.PHONE: phone,
    Channel.SOCIAL: social,
    Channel.MARKETPLACE: marketplace,
}


def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def message(
    source_message_id: str = "m1",
    *,
    channel: Channel = Channel.EMAIL,
    customer_key: str = "c_1",
    text: str = "Where is my parcel?",
    received_at: datetime = T0,
    thread_refs: list[str] | None = None,
    **extra: Any,
) -> NormalisedMessage:
    """A normalised message, for domain tests that skip the channel payloads."""
    return NormalisedMessage(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{channel}:{source_message_id}"),
        occurred_at=received_at,
        correlation_id=source_message_id,
        channel=channel,
        source_message_id=source_message_id,
        source_topic=f"inbound.{channel.value}",
        customer=Customer(customer_key=customer_key),
        text=text,
        received_at=received_at,
        thread_refs=thread_refs if thread_refs is not None else [f"ref:{source_message_id}"],
        **extra,
    )
