"""The records of ``router.tickets-changelog``: what they are, and how each version reads.

Key: the ticket id, ``~tally.<partition>``, ``~dlq.<topic>`` or ``~format``. Value:

* **format 2** (this release), a ticket: packed bytes whose first byte is 2
  (``domain.packing`` documents the layout). Held in the store as they are.
* a tally or a dead-letter mark: JSON of ``PartitionTally`` / ``DeadLetterMark``
  (``domain.state``), unchanged since format 1.
* ``~format`` (one per partition): JSON whose ``kind`` says, in words, that the
  partition holds format 2 records. It is written before the first packed record of a
  partition, so a router of the previous release (format 1), reading a partition in
  offset order, meets it before any record it cannot read and stops there: its
  ``decode_record`` fails with "Input tag 'router changelog format 2 ...' found using
  'kind' does not match any of the expected tags", the partition never becomes ready,
  and the log says why on every retry. A previous router therefore refuses a new
  changelog; it never restores part of one (tests/unit/router/test_changelog.py).
* **format 1** (the previous release), a ticket: JSON of the pydantic ``TicketRoute``
  (``{"kind": "ticket", ...}``), message text included. Still read, so a router of
  this release upgrades in place on a changelog the previous one wrote: each record
  is converted to format 2 as it is restored (``_from_format_1``), and rewritten in
  format 2 the next time the ticket changes.

Tombstones (no value) delete the key in every format.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas.base import Channel, CustomerTier, Priority, TeamKind
from services.router.domain import packing
from services.router.domain.state import (
    DeadLetterMark,
    Hold,
    PartitionTally,
    Status,
    TicketFacts,
    TicketRoute,
)

FORMAT_KEY: Final = "~format"
FormatNote = Literal[
    "router changelog format 2 (packed tickets): written by a newer Switchboard router; "
    "run that release or newer on this changelog (docs/architecture.md, 'Router state')"
]
FORMAT_NOTE: Final[FormatNote] = get_args(FormatNote)[0]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class FormatMark(_Frozen):
    """The partition holds format 2 records (see the module docstring)."""

    kind: FormatNote = FORMAT_NOTE


#: What the store holds: packed tickets, and the few JSON records.
RouterRecord = bytes | PartitionTally | DeadLetterMark | FormatMark


# -- format 1 (the previous release), read only ------------------------------------
class _FactsV1(_Frozen):
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


class TicketRouteV1(_Frozen):
    kind: Literal["ticket"] = "ticket"
    partition: int
    facts: _FactsV1
    status: Status = "pending"
    attempt: int = 0
    assignment_id: uuid.UUID | None = None
    team_id: str | None = None
    team_kind: TeamKind | None = None
    assigned_at: datetime | None = None
    offer_expires_at: datetime | None = None
    declined: tuple[str, ...] = ()
    stall_announced: bool = False
    pending_since: datetime | None = None
    resolved_at: datetime | None = None
    rated: bool = False
    hold: Hold | None = None
    answered: bool = False


_JsonRecord = Annotated[
    TicketRouteV1 | PartitionTally | DeadLetterMark | FormatMark, Field(discriminator="kind")
]
_JSON_RECORD = TypeAdapter[_JsonRecord](_JsonRecord)


class ChangelogRecordError(ValueError):
    """A value that is no router changelog record of a format this release reads."""


def encode_record(value: RouterRecord) -> bytes:
    if isinstance(value, bytes):
        return value
    return value.model_dump_json().encode()


def decode_record(data: bytes) -> RouterRecord:
    """A changelog value as the store holds it (format 1 tickets come back packed)."""
    if packing.is_packed(data):
        return data
    if data[:1] != b"{":
        raise ChangelogRecordError(
            f"router changelog record of unknown format (first byte {data[:1]!r})"
        )
    record = _JSON_RECORD.validate_json(data)
    if isinstance(record, TicketRouteV1):
        return packing.pack(from_format_1(record))
    return record


def from_format_1(record: TicketRouteV1) -> TicketRoute:
    """The same state (format 1 stored the assignment id, which its attempt derives)."""
    facts = record.facts
    return TicketRoute(
        partition=record.partition,
        facts=TicketFacts(
            correlation_id=facts.correlation_id,
            channel=facts.channel,
            language=facts.language,
            skill=facts.skill,
            received_at=facts.received_at,
            first_response_due=facts.first_response_due,
            needs=facts.needs,
            priority=facts.priority,
            tier=facts.tier,
            marketplace=facts.marketplace,
            reply_deadline=facts.reply_deadline,
            subject=facts.subject,
            text=facts.text,
            customer_name=facts.customer_name,
        ),
        status=record.status,
        attempt=record.attempt,
        assignment_id=record.assignment_id,
        team_id=record.team_id,
        team_kind=record.team_kind,
        assigned_at=record.assigned_at,
        offer_expires_at=record.offer_expires_at,
        declined=record.declined,
        stall_announced=record.stall_announced,
        pending_since=record.pending_since,
        resolved_at=record.resolved_at,
        rated=record.rated,
        hold=record.hold,
        answered=record.answered,
    )
