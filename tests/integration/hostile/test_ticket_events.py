"""Hostile records on ``tickets``, read by four consumers (ingest's status join, the
router, the SLA service, the partner view): each is dead-lettered once by every consumer
whose rule says so (with its reason and original bytes) or handled by the documented
rule (docs/architecture.md, "Hostile input"), the good record behind it on the same
partition is processed, and every group commits past both: no redelivery loop."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from schemas.base import TeamKind
from schemas.dlq import DeadLetter
from schemas.tickets import FirstResponse, TicketAssigned, TicketResolved
from services.sla.domain import encoding
from services.sla.domain.clocks import Phase, TicketClocks, to_ms
from tests.integration.hostile.support import (
    MAX_RECORD_BYTES,
    Sent,
    Stack,
    assert_carries,
    dead_letters,
    latest,
    letters_for,
    send_case,
    wait_committed_past,
)
from tests.integration.router.support import WEDNESDAY_NOON, opened

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="package")]

ALL = ("ingest", "router", "sla", "partner-api")
#: Consumers that must understand every ticket event; ingest's join reads three types.
STRICT = ("router", "sla", "partner-api")
FUTURE = datetime(2999, 1, 1, tzinfo=UTC)


def opened_bytes(ticket_id: str, at: datetime = WEDNESDAY_NOON, text: str | None = None) -> bytes:
    event = opened(ticket_id=ticket_id, at=at)
    if text is not None:
        event = event.model_copy(update={"text": text})
    return event.to_json_bytes()


def wrong_types(ticket_id: str, text: object = 7) -> bytes:
    return json.dumps(
        {
            "type": "ticket.opened",
            "event_id": 42,
            "occurred_at": True,
            "correlation_id": ["x"],
            "ticket_id": ticket_id,
            "text": text,
        }
    ).encode()


def first_response(ticket_id: str, at: datetime = WEDNESDAY_NOON) -> bytes:
    return FirstResponse(
        event_id=uuid.uuid4(),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        assignment_id=uuid.uuid4(),
        team_id="tallinn",
    ).to_json_bytes()


def resolved(ticket_id: str) -> bytes:
    return TicketResolved(
        event_id=uuid.uuid4(),
        occurred_at=WEDNESDAY_NOON,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        assignment_id=uuid.uuid4(),
        team_id="tallinn",
    ).to_json_bytes()


def assigned(ticket_id: str) -> bytes:
    return TicketAssigned(
        event_id=uuid.uuid4(),
        occurred_at=WEDNESDAY_NOON + timedelta(minutes=1),
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        assignment_id=uuid.uuid4(),
        attempt=1,
        team_id="tallinn",
        team_kind=TeamKind.IN_HOUSE,
        mode="queue",
        reason="assigned by hand",
    ).to_json_bytes()


@dataclass(frozen=True)
class Case:
    name: str
    hostile: list[bytes]
    #: service -> error kind of its dead letter (for each hostile record); others: none.
    letters: dict[str, str] = field(default_factory=dict)


def cases(t: str) -> list[Case]:
    """The hostile cases, for ticket id (and key) ``t``."""
    huge_text = "x" * (MAX_RECORD_BYTES - 2_000)
    return [
        Case(
            "corrupted_bytes",
            [b"\xff\xfe\x00\x9c{garbage"],
            dict.fromkeys(STRICT, "schema_violation"),
        ),
        Case("wrong_types", [wrong_types(t)], dict.fromkeys(ALL, "schema_violation")),
        Case(
            "huge_invalid",
            [wrong_types(t, text=huge_text)],
            dict.fromkeys(ALL, "schema_violation"),
        ),
        Case("huge_valid", [opened_bytes(t, text=huge_text[:700_000])]),
        Case(
            "deeply_nested",
            [b"[" * 100_000 + b"]" * 100_000],
            dict.fromkeys(STRICT, "schema_violation"),
        ),
        Case(
            "unknown_type",
            [
                json.dumps(
                    {
                        "type": "ticket.teleported",
                        "event_id": str(uuid.uuid4()),
                        "occurred_at": WEDNESDAY_NOON.isoformat(),
                        "correlation_id": "c",
                        "ticket_id": t,
                    }
                ).encode()
            ],
            dict.fromkeys(STRICT, "schema_violation"),
        ),
        Case("unknown_ticket", [first_response(t), resolved(t)]),
        Case("resolved_before_opened", [resolved(t), opened_bytes(t)]),
        Case("first_response_before_assigned", [opened_bytes(t), first_response(t), assigned(t)]),
        Case("future_timestamps", [opened_bytes(t, at=FUTURE)]),
    ]


CASE_NAMES = [case.name for case in cases("x")]


CHANGELOGS = (
    "router.tickets-changelog",
    "sla.clocks-changelog",
    "partner.tickets-changelog",
    "ingest.tickets-changelog",
)


@dataclass
class Fed:
    cases: dict[str, tuple[str, Case, Sent]]  # name -> ticket id, case, where it went
    letters: list[DeadLetter]
    state: dict[str, dict[bytes, bytes | None]]  # changelog -> last value per key


@pytest_asyncio.fixture(scope="module", loop_scope="package")
async def fed(stack: Stack) -> Fed:
    """Every case sent (hostile records, then a good ticket with the same key), committed
    past by every consumer group of ``tickets``; then the dead letters and state read."""
    sent: dict[str, tuple[str, Case, Sent]] = {}
    for name in CASE_NAMES:
        ticket_id = f"{name}-{uuid.uuid4().hex[:8]}"
        case = next(c for c in cases(ticket_id) if c.name == name)
        where = await send_case(
            stack, "tickets", ticket_id.encode(), case.hostile, opened_bytes(f"{ticket_id}-good")
        )
        sent[name] = (ticket_id, case, where)
    await wait_committed_past(stack, "tickets", [where for _, _, where in sent.values()], 30)
    state = {name: await latest(stack, name) for name in CHANGELOGS}
    return Fed(sent, await dead_letters(stack, "tickets"), state)


@pytest.mark.parametrize("name", CASE_NAMES)
async def test_hostile_ticket_event_is_dead_lettered_once_or_handled_and_the_stream_goes_on(
    fed: Fed, name: str
) -> None:
    ticket_id, case, sent = fed.cases[name]
    letters = letters_for(fed.letters, sent)
    # (a) one dead letter per consumer whose rule says so, per hostile record, with its
    # reason and the original bytes; none from the others.
    got = sorted((d.service, d.source_offset, d.error_kind) for d in letters)
    expected = sorted(
        (service, offset, kind) for service, kind in case.letters.items() for offset in sent.hostile
    )
    assert got == expected
    for letter in letters:
        assert letter.error
        assert_carries(letter, sent.values[sent.hostile.index(letter.source_offset)])
    # (b) the good ticket behind it was processed by every consumer (it has state there).
    good = f"{ticket_id}-good".encode()
    for changelog in CHANGELOGS:
        assert good in fed.state[changelog], f"{changelog} has no {good!r}"
    # (c) every group committed past both (the fixture waited for it): nothing loops.


def sla_clocks(fed: Fed, ticket_id: str) -> TicketClocks:
    raw = fed.state["sla.clocks-changelog"].get(ticket_id.encode())
    assert raw is not None, f"the SLA service has no clocks for {ticket_id}"
    return encoding.decode(ticket_id, raw)


async def test_events_for_unknown_tickets_are_counted_and_change_nothing(
    stack: Stack, fed: Fed
) -> None:
    ticket_id, _, _ = fed.cases["unknown_ticket"]
    for changelog in CHANGELOGS:
        assert ticket_id.encode() not in fed.state[changelog], changelog
    for kind in ("ticket.first_response", "ticket.resolved"):
        assert (
            stack.counter("router", "switchboard_router_unknown_ticket_events_total", type=kind)
            >= 1
        )
        assert stack.counter("sla", "switchboard_sla_events_without_clocks_total", type=kind) >= 1


async def test_out_of_order_events_follow_the_partition_order(fed: Fed) -> None:
    # Resolved before opened: the resolution concerned no known ticket; the opening
    # that follows opens (and routes) it.
    early, _, _ = fed.cases["resolved_before_opened"]
    assert fed.state["router.tickets-changelog"].get(early.encode())
    assert sla_clocks(fed, early).first_response.phase is Phase.RUNNING
    # A first response before the assignment stops the clock; the assignment does not
    # start it again.
    answered, _, _ = fed.cases["first_response_before_assigned"]
    assert sla_clocks(fed, answered).first_response.phase is Phase.STOPPED


async def test_far_future_event_times_are_taken_as_stated_downstream_of_ingest(fed: Fed) -> None:
    ticket_id, _, _ = fed.cases["future_timestamps"]
    assert fed.state["router.tickets-changelog"].get(ticket_id.encode())
    clocks = sla_clocks(fed, ticket_id)
    assert clocks.first_response.phase is Phase.RUNNING
    assert clocks.first_response.deadline_ms > to_ms(FUTURE)


async def test_a_large_valid_ticket_is_processed_like_any_other(fed: Fed) -> None:
    ticket_id, _, _ = fed.cases["huge_valid"]
    for changelog in CHANGELOGS:
        assert fed.state[changelog].get(ticket_id.encode()), changelog
