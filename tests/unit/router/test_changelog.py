"""The changelog across releases: this router reads what the previous release wrote (an
upgrade in place), and a router of the previous release refuses what this one writes,
saying why, before it has restored anything of a partition in the new format.

``previous_release/state.py`` is that release's record module, verbatim: its
``decode_record`` is what its restore runs on every changelog value, in offset order,
stopping the partition at the first failure.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, replace
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from plumbing.processor import Step
from schemas.queue import QueuedTicket
from schemas.tickets import OfferRejected, TicketAssigned
from services.router.changelog import (
    FORMAT_KEY,
    FORMAT_NOTE,
    ChangelogRecordError,
    FormatMark,
    RouterRecord,
    decode_record,
    encode_record,
)
from services.router.domain import lifecycle, packing, tally
from services.router.domain.state import (
    DeadLetterMark,
    Hold,
    PartitionTally,
    TicketRoute,
    tally_key,
)
from tests.unit.router.previous_release import state as previous
from tests.unit.router.test_handlers import FRIDAY_NOON, Desk, FakeRecord
from tests.unit.router.test_lifecycle import REGISTRY, TARGETS, opened


def states() -> list[tuple[str, TicketRoute]]:
    """One ticket in every status, with the optional facts set."""
    pending = lifecycle.open_ticket(
        opened(
            ticket_id="t-1",
            marketplace="allegro",
            reply_deadline=FRIDAY_NOON + timedelta(hours=1),
            subject="Parcel",
            needs=["marketplace"],
        ),
        2,
        TARGETS,
    )
    queued = lifecycle.assign(pending, "t-1", REGISTRY.by_id["tallinn-care"], FRIDAY_NOON)
    offered = lifecycle.assign(pending, "t-2", REGISTRY.by_id["nearshore-bpo"], FRIDAY_NOON)
    assert offered.assignment_id is not None
    accepted = lifecycle.accept(offered, offered.assignment_id)
    returned = lifecycle.give_back(offered, offered.assignment_id, FRIDAY_NOON)
    assert accepted is not None
    assert returned is not None
    return [
        ("t-0", lifecycle.stall(pending)),
        ("t-1", queued),
        ("t-2", offered),
        ("t-2", accepted),
        ("t-2", returned),
        ("t-1", lifecycle.resolve(queued, FRIDAY_NOON + timedelta(minutes=5))),
    ]


def as_previous(route: TicketRoute) -> Any:
    """The same state as the previous release held it."""
    return previous.TicketRoute.model_validate(asdict(route))


@pytest.mark.parametrize(("key", "route"), states())
def test_a_previous_ticket_record_is_read_as_the_same_state(key: str, route: TicketRoute) -> None:
    written = previous.encode_record(as_previous(route))
    restored = decode_record(written)
    assert isinstance(restored, bytes)  # held packed from the start
    assert packing.unpack(key, restored) == route


def test_a_format_1_record_with_the_agents_fields_keeps_them() -> None:
    """Format 1 as the release with agents' claims wrote it (``rated``, ``hold``,
    ``answered`` beside the fields above): read as the same state, the hold included."""
    key, queued = states()[1]
    held = replace(
        queued,
        rated=True,
        hold=Hold("anna", FRIDAY_NOON + timedelta(minutes=1)),
        answered=True,
    )
    record = json.loads(previous.encode_record(as_previous(held)))
    record.update(
        rated=True,
        hold={"agent_id": "anna", "since": (FRIDAY_NOON + timedelta(minutes=1)).isoformat()},
        answered=True,
    )
    restored = decode_record(json.dumps(record).encode())
    assert isinstance(restored, bytes)
    assert packing.unpack(key, restored) == held
    assert packing.hold_of(restored) == held.hold


def test_previous_tallies_and_marks_are_read_and_new_ones_are_read_by_the_previous() -> None:
    counted = tally.record_assignment(
        PartitionTally(partition=2),
        "tallinn-care",
        FRIDAY_NOON,
        desk_day="2026-11-27",
        to_partner=False,
        contract_day=None,
    )
    mark = DeadLetterMark(offsets={0: 41})
    for record, old_kind in ((counted, previous.PartitionTally), (mark, previous.DeadLetterMark)):
        old = old_kind.model_validate(record.model_dump())
        assert decode_record(previous.encode_record(old)) == record
        assert previous.decode_record(encode_record(record)) == old


def test_other_bytes_are_refused_with_the_reason() -> None:
    with pytest.raises(ChangelogRecordError, match="unknown format"):
        decode_record(b"\x07whatever")
    with pytest.raises(ValidationError):
        decode_record(b'{"kind": "ticket"}')


def first_writes(desk: Desk, events: list[Any]) -> list[tuple[str, bytes | None]]:
    """The changelog records of one transaction holding these events, in offset order."""
    step = Step[RouterRecord](partition=0, store=desk.store, now=desk.now)
    for event in events:
        desk.handler(FakeRecord(event.to_json_bytes()), step)
        desk.store.record_done()
    writes = desk.store.staged(encode_record)
    desk.store.commit()
    return writes


def restore_as_previous(records: list[tuple[str, bytes | None]]) -> Exception | None:
    """The previous release's restore of one partition: decode every value in order,
    failing the partition at the first value it cannot read."""
    for _, value in records:
        if value is None:
            continue
        try:
            previous.decode_record(value)
        except Exception as exc:
            return exc
    return None


def test_a_previous_router_refuses_this_changelog_at_its_format_mark_and_says_why() -> None:
    desk = Desk()
    # What the previous release left in partition 0: an open ticket, in format 1.
    before = states()[1]
    desk.store.restore(before[0], decode_record(previous.encode_record(as_previous(before[1]))))
    desk.router.partition_ready(0, desk.store)
    assert restore_as_previous([("t-1", previous.encode_record(as_previous(before[1])))]) is None
    # The upgraded router's first transaction on the partition.
    writes = first_writes(desk, [opened(ticket_id="t-9", language="en")])
    keys = [key for key, _ in writes]
    packed = [key for key, value in writes if value and packing.is_packed(value)]
    assert packed == ["t-9"]
    assert keys.index(FORMAT_KEY) < keys.index("t-9")  # the mark comes first
    failure = restore_as_previous(writes)
    assert isinstance(failure, ValidationError)
    assert FORMAT_NOTE in str(failure)  # the reason, in the previous router's log line
    # Everything before the mark is what the previous release reads as before.
    assert restore_as_previous(writes[: keys.index(FORMAT_KEY)]) is None
    # The mark is written once per partition, also after a restart of this router.
    assert decode_record(dict(writes)[FORMAT_KEY] or b"") == FormatMark()
    desk.router.partition_ready(0, desk.store)
    later = first_writes(desk, [opened(ticket_id="t-10", language="en")])
    assert FORMAT_KEY not in dict(later)


def test_an_upgraded_router_routes_on_from_a_previous_changelog() -> None:
    """A ticket the previous release offered, restored here and rejected: routed on."""
    desk = Desk()
    offered = lifecycle.assign(
        lifecycle.open_ticket(opened(ticket_id="t-3", language="en"), 0, TARGETS),
        "t-3",
        REGISTRY.by_id["nearshore-bpo"],
        FRIDAY_NOON,
    )
    counted = tally.record_assignment(
        PartitionTally(partition=0),
        "nearshore-bpo",
        FRIDAY_NOON,
        desk_day="2026-11-27",
        to_partner=True,
        contract_day="2026-11-27",
    )
    previous_tally = previous.PartitionTally.model_validate(counted.model_dump())
    for key, value in (("t-3", as_previous(offered)), (tally_key(0), previous_tally)):
        desk.store.restore(key, decode_record(previous.encode_record(value)))
    desk.router.partition_ready(0, desk.store)
    riga = REGISTRY.by_id["nearshore-bpo"]
    assert desk.router.book.load(riga, FRIDAY_NOON).open == 1
    assert desk.router.book.load(riga, FRIDAY_NOON).offers_today == 1
    assert offered.assignment_id is not None
    rejected = OfferRejected(
        event_id=uuid.uuid4(),
        occurred_at=FRIDAY_NOON,
        correlation_id=offered.facts.correlation_id,
        ticket_id="t-3",
        assignment_id=offered.assignment_id,
        team_id="nearshore-bpo",
        reason="no capacity",
    )
    assigned, queued = desk.send(rejected)
    assert isinstance(assigned, TicketAssigned)
    assert (assigned.team_id, assigned.attempt) == ("tallinn-care", 2)
    assert isinstance(queued, QueuedTicket)
    assert queued.text == offered.facts.text  # the message text came through the upgrade
    assert desk.router.book.load(riga, FRIDAY_NOON).open == 0
    state = desk.router.ticket(desk.store, "t-3")
    assert state is not None
    assert (state.status, state.declined) == ("queued", ("nearshore-bpo",))
