"""``ingest.messages``: channel payloads normalised to one shape, keyed by customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from schemas.base import Channel, Event, UtcDatetime
from schemas.customers import Customer


class NormalisedMessage(Event):
    """One inbound message, whatever its channel. ``event_id`` is derived from
    ``(channel, source_message_id)``, so a redelivered message keeps its id."""

    type: Literal["message.normalised"] = "message.normalised"
    channel: Channel
    source_message_id: str = Field(min_length=1, max_length=512)
    source_topic: str
    customer: Customer
    subject: str | None = Field(default=None, max_length=1_000)
    text: str = Field(max_length=100_000)
    received_at: UtcDatetime
    thread_refs: list[str] = Field(
        default_factory=list,
        description="Channel ids that tie this message to an earlier one: email "
        "In-Reply-To/References, chat conversation, social thread, marketplace order.",
    )
    marketplace: str | None = None
    order_id: str | None = None
    order_value: Decimal | None = None
    currency: str | None = None
    reply_deadline: UtcDatetime | None = None
    ivr_choice: str | None = None
    social_platform: str | None = None
    public: bool = Field(default=False, description="Visible to others (a public social post).")
