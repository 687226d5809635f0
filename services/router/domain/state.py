"""What the router keeps in its changelog (``router.tickets-changelog``), per partition.

* ``TicketRoute`` (key: ticket id): the ticket's routing facts and where it stands:
  pending (in the backlog), queued (in-house), offered or accepted (partner),
  resolved (kept a while so a reopened ticket can be routed again).
* ``PartitionTally`` (key ``~tally.<partition>``): recent throughput of each team as
  seen through this partition's tickets (assignments and resolutions per minute,
  offers per contract day), and the desk's assignments per day.
* ``DeadLetterMark`` (key ``~dlq.<topic>``, partition 0): the last offset of a table
  topic already dead-lettered, so a bad record goes to the DLQ once.

Other router instances mirror the whole changelog, which is how every instance
knows every team's load.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas.base import Channel, CustomerTier, Priority, TeamKind

Status = Literal["pending", "queued", "offered", "accepted", "resolved"]
#: Statuses that hold one of the team's slots.
HOLDS_SLOT: frozenset[str] = frozenset({"queued", "offered", "accepted"})

TALLY_PREFIX = "~tally."
DLQ_MARK_PREFIX = "~dlq."


def tally_key(partition: int) -> str:
    return f"{TALLY_PREFIX}{partition}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class TicketFacts(_Frozen):
    """What routing and the agents' queue need from ``ticket.opened``."""

    correlation_id: str
    channel: Channel
    language: str
    skill: str
    needs: tuple[str, ...] = ()
    priority: Priority = Priority.NORMAL
    tier: CustomerTier = CustomerTier.STANDARD
    marketplace: str | None = None
    received_at: datetime
    reply_deadline: datetime | None = None
    first_response_due: datetime
    subject: str | None = None
    text: str = ""
    customer_name: str | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Which agent of the in-house team holds a queued ticket (``domain.claims``)."""

    agent_id: str
    since: datetime


class TicketRoute(_Frozen):
    kind: Literal["ticket"] = "ticket"
    partition: int
    facts: TicketFacts
    status: Status = "pending"
    attempt: int = Field(default=0, description="Assignments made so far.")
    assignment_id: uuid.UUID | None = None
    team_id: str | None = None
    team_kind: TeamKind | None = None
    assigned_at: datetime | None = None
    offer_expires_at: datetime | None = None
    declined: tuple[str, ...] = Field(
        default=(), description="Teams that rejected, let expire or released this ticket."
    )
    stall_announced: bool = False
    pending_since: datetime | None = None
    resolved_at: datetime | None = None
    rated: bool = Field(default=False, description="A CSAT rating was counted (one per ticket).")
    hold: Hold | None = None  # queued in-house tickets only: the agent working it
    answered: bool = False  # in-house: a first response was recorded (this cycle)

    @property
    def holds_slot(self) -> bool:
        return self.status in HOLDS_SLOT


class TeamTally(_Frozen):
    arrivals: dict[int, int] = Field(default_factory=dict, description="minute -> assignments")
    completions: dict[int, tuple[int, float]] = Field(
        default_factory=dict, description="minute -> (resolutions, seconds they held a slot)"
    )
    offers: dict[str, int] = Field(
        default_factory=dict, description="contract day (team's time zone) -> offers"
    )
    quality: dict[str, tuple[int, int, int, int]] = Field(
        default_factory=dict,
        description="desk day of the resolution -> (resolutions, of them reopened or "
        "contacted again within the first-contact window, CSAT ratings, their sum)",
    )


class PartitionTally(_Frozen):
    kind: Literal["tally"] = "tally"
    partition: int
    teams: dict[str, TeamTally] = Field(default_factory=dict)
    desk: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="desk day -> (assignments, to partners)"
    )


class DeadLetterMark(_Frozen):
    kind: Literal["dlq_mark"] = "dlq_mark"
    offsets: dict[int, int] = Field(
        default_factory=dict, description="source partition -> last offset dead-lettered"
    )


RouterRecord = Annotated[TicketRoute | PartitionTally | DeadLetterMark, Field(discriminator="kind")]
ROUTER_RECORD = TypeAdapter[RouterRecord](RouterRecord)


def encode_record(value: RouterRecord) -> bytes:
    return value.model_dump_json().encode()


def decode_record(data: bytes) -> RouterRecord:
    return ROUTER_RECORD.validate_json(data)
