"""Building blocks every event shares: identity, event time, version, correlation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

#: Namespace of every id Switchboard derives deterministically (uuid5), so that a
#: replayed input yields the same ticket id and event id as the first time.
SWITCHBOARD_NAMESPACE = uuid.UUID("6f1c1b8e-5d1e-4a59-9a3e-2f6c1d0b7a21")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


#: An RFC 3339 timestamp with an offset, normalised to UTC; naive times are refused.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

TicketId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
TeamId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


def canonical_uuid_bytes(text: str) -> bytes | None:
    """16 bytes if ``text`` is a UUID in canonical form (so it decodes back the same);
    for the packed state records, which store such ids in 16 bytes instead of 36."""
    if len(text) != 36:
        return None
    try:
        value = uuid.UUID(text)
    except ValueError:
        return None
    return value.bytes if str(value) == text else None


def derive_id(*parts: str) -> uuid.UUID:
    """A stable UUID for the given parts: the same inputs always give the same id."""
    return uuid.uuid5(SWITCHBOARD_NAMESPACE, "\x1f".join(parts))


class Channel(StrEnum):
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SOCIAL = "social"
    MARKETPLACE = "marketplace"


class TeamKind(StrEnum):
    IN_HOUSE = "in_house"
    PARTNER = "partner"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Higher is more urgent; used to order backlogs."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class CustomerTier(StrEnum):
    STANDARD = "standard"
    LOYAL = "loyal"
    VIP = "vip"


#: The enums' codes in the services' packed state records (router tickets, SLA clocks,
#: ingest threads): explicit, so the bytes outlive any reordering of the enums. Never
#: renumber one: changelogs written with it would be read as another value.
CHANNEL_CODES: dict[Channel, int] = {
    Channel.EMAIL: 1,
    Channel.CHAT: 2,
    Channel.PHONE: 3,
    Channel.SOCIAL: 4,
    Channel.MARKETPLACE: 5,
}
PRIORITY_CODES: dict[Priority, int] = {
    Priority.LOW: 1,
    Priority.NORMAL: 2,
    Priority.HIGH: 3,
    Priority.URGENT: 4,
}
TIER_CODES: dict[CustomerTier, int] = {
    CustomerTier.STANDARD: 1,
    CustomerTier.LOYAL: 2,
    CustomerTier.VIP: 3,
}
KIND_CODES: dict[TeamKind | None, int] = {None: 0, TeamKind.IN_HOUSE: 1, TeamKind.PARTNER: 2}


class SlaMetric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class Contract(BaseModel):
    """Base of every model on the wire: immutable, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class Event(Contract):
    """Fields every event carries."""

    event_id: uuid.UUID = Field(description="Unique id of this event; consumers dedupe on it.")
    occurred_at: UtcDatetime = Field(description="Event time, RFC 3339, UTC.")
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    correlation_id: str = Field(
        min_length=1, max_length=128, description="Ties together every event of one request."
    )

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode()


class TicketEventBase(Event):
    """Fields of every event about one ticket; ``ticket_id`` is the Kafka key."""

    ticket_id: TicketId
