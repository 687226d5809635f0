"""The packed clock record: every ticket state survives the trip to bytes and back, and
what the index reads from the fixed part agrees with the decoded clocks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import (
    CHANNEL_CODES,
    PRIORITY_CODES,
    TIER_CODES,
    Channel,
    CustomerTier,
    Priority,
    SlaMetric,
    TeamKind,
)
from services.sla.domain import encoding
from services.sla.domain.clocks import IDLE, MetricClock, Phase, TicketClocks

INSTANTS = st.integers(1, 2**42)
TEXT = st.text(max_size=40)
IDS = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=64)


@st.composite
def clocks(draw: st.DrawFn) -> MetricClock:
    deadline = draw(INSTANTS)
    lead = draw(st.one_of(st.none(), st.integers(0, min(deadline - 1, 2**32 - 2))))
    return MetricClock(
        phase=draw(st.sampled_from([Phase.RUNNING, Phase.PAUSED, Phase.STOPPED])),
        policy_id=draw(IDS),
        calendar_id=draw(st.one_of(st.just(""), IDS)),
        budget_ms=draw(st.integers(0, 45 * 24 * 3_600_000)),
        used_ms=draw(st.integers(0, 2**32 - 1)),
        started_ms=draw(INSTANTS),
        deadline_ms=deadline,
        at_risk_ms=0 if lead is None else deadline - lead,
        warned=draw(st.booleans()),
        breached=draw(st.booleans()),
        fixed_deadline=draw(st.booleans()),
    )


CLOCKS = clocks()
TICKETS = st.builds(
    TicketClocks,
    ticket_id=IDS,
    correlation_id=st.one_of(TEXT, st.uuids().map(str)),
    channel=st.sampled_from(Channel),
    priority=st.sampled_from(Priority),
    tier=st.sampled_from(CustomerTier),
    marketplace=st.one_of(st.none(), IDS),
    skill=TEXT,
    cycle=st.one_of(st.just(""), IDS),
    round=st.integers(0, 2**16 - 1),
    team_id=st.one_of(st.none(), IDS),
    team_kind=st.one_of(st.none(), st.sampled_from(TeamKind)),
    in_queue=st.booleans(),
    first_response=st.one_of(st.just(IDLE), CLOCKS),
    next_response=st.one_of(st.just(IDLE), CLOCKS),
    resolution=st.one_of(st.just(IDLE), CLOCKS),
)


@settings(deadline=None)  # timing is the benchmarks' business
@given(TICKETS)
def test_round_trip(clocks: TicketClocks) -> None:
    packed = encoding.encode(clocks)
    assert encoding.decode(clocks.ticket_id, packed) == clocks
    assert encoding.is_clock_record(packed)


@settings(deadline=None)  # timing is the benchmarks' business
@given(TICKETS)
def test_the_fixed_part_tells_what_is_due_and_at_risk(clocks: TicketClocks) -> None:
    packed = encoding.encode(clocks)
    assert encoding.next_due_ms(packed) == clocks.next_due_ms()
    assert encoding.at_risk_open(packed) == clocks.at_risk_open()


def test_a_typical_open_ticket_packs_small() -> None:
    running = MetricClock(
        phase=Phase.RUNNING,
        policy_id="default",
        budget_ms=14_400_000,
        started_ms=1_795_766_400_000,
        deadline_ms=1_795_780_800_000,
        at_risk_ms=1_795_777_920_000,
    )
    clocks = TicketClocks(
        ticket_id="793f64fc-d5a5-46e7-a2ac-556d36158c96",
        correlation_id="3a5bd54e-1127-4b7f-954d-1bf88d091158",
        channel=Channel.EMAIL,
        priority=Priority.NORMAL,
        tier=CustomerTier.STANDARD,
        marketplace=None,
        skill="orders_shipping",
        team_id="tallinn-care",
        team_kind=TeamKind.IN_HOUSE,
        first_response=running,
        resolution=running,
    )
    assert len(encoding.encode(clocks)) <= 128


@pytest.mark.parametrize(
    "data", [b"", b'{"ticket_id": "t"}', b"\x01\x01\x02", bytes([9]) + bytes(40), bytes([1]) * 60]
)
def test_bytes_that_are_no_clock_record_are_refused(data: bytes) -> None:
    with pytest.raises(encoding.ClockRecordError):
        encoding.decode("t", data)


def test_enum_codes_cover_every_value() -> None:
    # schemas.base's tables, shared by every packed state record (SLA, router, ingest).
    assert set(CHANNEL_CODES) == set(Channel)
    assert set(PRIORITY_CODES) == set(Priority)
    assert set(TIER_CODES) == set(CustomerTier)
    assert set(encoding.METRICS) == set(SlaMetric)
