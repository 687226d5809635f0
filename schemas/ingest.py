"""``ingest.messages``: what ingest's threader reads, keyed by customer.

Two record types share the topic (a discriminated union on ``type``): the
channel payloads normalised to one shape, and the status changes of the
customer's tickets (resolved, reopened), which ingest joins from ``tickets``
(keyed by ticket id) onto the customer key, so that one partition holds
everything the threader needs to know about a customer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

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


class TicketStatusChanged(Event):
    """A ticket of this customer was resolved or reopened (joined from ``tickets``)."""

    type: Literal["ingest.ticket_status"] = "ingest.ticket_status"
    customer_key: str = Field(min_length=1, max_length=128)
    ticket_id: str = Field(min_length=1, max_length=64)
    status: Literal["resolved", "reopened"]
    changed_at: UtcDatetime = Field(description="When the ticket was resolved or reopened.")
    source_event_id: str = Field(description="The ticket event this status comes from.")
    team_id: str | None = Field(default=None, description="Resolved: the team that resolved it.")


IngestRecord = Annotated[NormalisedMessage | TicketStatusChanged, Field(discriminator="type")]
INGEST_RECORD = TypeAdapter[IngestRecord](IngestRecord)
