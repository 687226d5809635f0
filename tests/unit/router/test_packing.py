"""Packed ticket records: every state round-trips exactly, and what the indexes read at fixed
offsets agrees with the decoded ticket."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.base import Channel, CustomerTier, Priority, TeamKind
from services.router.domain import lifecycle, packing
from services.router.domain.state import (
    HOLDS_SLOT,
    Hold,
    Status,
    TicketFacts,
    TicketRoute,
    assignment_id,
)

_TEXT = st.text(max_size=40)
_ID = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=20)
_MOMENT = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def routes(draw: st.DrawFn) -> tuple[str, TicketRoute]:
    key = draw(_ID)
    status: Status = draw(st.sampled_from(["pending", "queued", "offered", "accepted", "resolved"]))
    attempt = draw(st.integers(0, 65_535))
    assigned = status in HOLDS_SLOT or (status == "resolved" and draw(st.booleans()))
    correlation = draw(st.one_of(st.uuids().map(str), _TEXT, st.just(str(uuid.uuid4()).upper())))
    facts = TicketFacts(
        correlation_id=correlation,
        channel=draw(st.sampled_from(Channel)),
        language=draw(st.sampled_from(["en", "et", "und", "zh-Hant"])),
        skill=draw(_ID),
        received_at=draw(_MOMENT),
        first_response_due=draw(_MOMENT),
        needs=tuple(draw(st.lists(_ID, max_size=3))),
        priority=draw(st.sampled_from(Priority)),
        tier=draw(st.sampled_from(CustomerTier)),
        marketplace=draw(st.one_of(st.none(), st.just(""), _ID)),
        reply_deadline=draw(st.one_of(st.none(), _MOMENT)),
        subject=draw(st.one_of(st.none(), st.just(""), _TEXT)),
        # Long texts take the four-byte length; non-ASCII ones many bytes per character.
        text=draw(st.one_of(_TEXT, st.text(min_size=250, max_size=400))),
        customer_name=draw(st.one_of(st.none(), _TEXT)),
    )
    optional = st.one_of(st.none(), _MOMENT)
    route = TicketRoute(
        partition=draw(st.integers(0, 65_535)),
        facts=facts,
        status=status,
        attempt=attempt,
        assignment_id=assignment_id(key, attempt) if assigned else None,
        team_id=draw(st.one_of(st.none(), _ID)) if status == "pending" else draw(_ID),
        team_kind=draw(st.one_of(st.none(), st.sampled_from(TeamKind))),
        assigned_at=draw(optional),
        offer_expires_at=draw(optional),
        declined=tuple(draw(st.lists(_ID, max_size=4))),
        stall_announced=draw(st.booleans()),
        pending_since=draw(optional),
        resolved_at=draw(optional),
        rated=draw(st.booleans()),
        # Only queued in-house tickets are held; an agent id may be any string.
        hold=draw(st.one_of(st.none(), st.builds(Hold, st.one_of(_ID, _TEXT), _MOMENT))),
        answered=draw(st.booleans()),
    )
    return key, route


@given(routes())
def test_every_state_round_trips_exactly(case: tuple[str, TicketRoute]) -> None:
    key, route = case
    data = packing.pack(route)
    assert packing.is_packed(data)
    assert packing.unpack(key, data) == route


@given(routes())
def test_the_fixed_offsets_agree_with_the_decoded_ticket(case: tuple[str, TicketRoute]) -> None:
    _, route = case
    data = packing.pack(route)
    assert packing.status_code(data) == packing.STATUS_CODES[route.status]
    assert packing.partition_of(data) == route.partition
    assert packing.attempt_of(data) == route.attempt
    assert packing.team_of(data) == (route.team_id or None)
    assert packing.stall_announced(data) is route.stall_announced
    rank, received = packing.backlog_order(data)
    assert (rank, packing.instant(received)) == lifecycle.backlog_order(route)
    if route.offer_expires_at is not None:
        assert packing.instant(packing.offer_expiry(data)) == route.offer_expires_at
    if route.resolved_at is not None:
        assert packing.instant(packing.resolved_micros(data)) == route.resolved_at
    assert packing.hold_of(data) == route.hold
    facts = route.facts
    assert packing.unpack_profile(packing.profile_bytes(data)) == (
        facts.channel,
        facts.tier,
        facts.language,
        facts.skill,
        facts.marketplace,
        facts.needs,
        route.declined,
    )


def test_a_typical_open_ticket_is_small_and_its_profile_bytes_equal_its_peers() -> None:
    moment = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    facts = TicketFacts(
        correlation_id=str(uuid.uuid4()),
        channel=Channel.EMAIL,
        language="en",
        skill="orders_shipping",
        received_at=moment,
        first_response_due=moment + timedelta(hours=4),
        subject="Where is my parcel?",
        text="Order 4711 was due on Monday and has not come.",
    )
    first = packing.pack(TicketRoute(partition=3, facts=facts))
    other = packing.pack(
        TicketRoute(partition=1, facts=facts, status="pending", stall_announced=True)
    )
    # Header, no team, profile (channel, tier, "en", "orders_shipping", no marketplace,
    # needs or declined teams), the UUID's 16 bytes, subject, text, no customer name,
    # nobody holding it.
    profile = 2 + 3 + 16 + 1 + 1 + 1
    assert len(first) == 76 + 1 + profile + 16 + 1 + 19 + 1 + 46 + 1 + 1
    assert packing.profile_bytes(first) == packing.profile_bytes(other)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x02", b"\x01" + bytes(80), b"\x02" + bytes(75) + b"\x09"],
)
def test_bytes_that_are_no_record_are_refused(data: bytes) -> None:
    with pytest.raises(packing.PackedRouteError):
        packing.unpack("t-1", data)
