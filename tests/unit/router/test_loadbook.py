"""The load view: owned partitions from the store, the rest from the changelog mirror;
throughput from tallies; run-time capacity; the scale-out throttle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schemas.config import load_config
from schemas.teams import PlannedShift, TeamCapacity
from services.router.domain import lifecycle, tally
from services.router.domain.registry import Registry
from services.router.domain.state import PartitionTally, TicketRoute, encode_record, tally_key
from services.router.loadbook import LoadBook, decode_mirror
from tests.conftest import SAMPLE_CONFIG
from tests.unit.router.test_lifecycle import TARGETS, opened

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CONFIG = load_config(SAMPLE_CONFIG)
REGISTRY = Registry(CONFIG.teams, CONFIG.outsourcing)
TALLINN = REGISTRY.by_id["tallinn-care"]
RIGA = REGISTRY.by_id["nearshore-bpo"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def routed(ticket_id: str, partition: int, team_id: str = "tallinn-care") -> TicketRoute:
    state = lifecycle.open_ticket(opened(ticket_id=ticket_id), partition, TARGETS)
    return lifecycle.assign(state, ticket_id, REGISTRY.by_id[team_id], NOW)


def mirror(book: LoadBook, key: str, value: TicketRoute | PartitionTally | None) -> None:
    book.mirror_changed(key, None if value is None else decode_mirror(encode_record(value)))


def test_open_tickets_count_from_owned_stores_and_the_mirror() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=0)
    mirror(book, "a", routed("a", 0))
    mirror(book, "b", routed("b", 1))
    mirror(book, "c", routed("c", 1, "nearshore-bpo"))
    assert book.load(TALLINN, NOW).open == 2
    # Partition 1 becomes ours: its store (which knows a newer state) wins over the mirror.
    b_resolved = lifecycle.resolve(routed("b", 1), NOW)
    book.partition_ready(1, [("b", b_resolved), ("c", routed("c", 1, "nearshore-bpo"))])
    assert book.load(TALLINN, NOW).open == 1
    assert book.load(RIGA, NOW).open == 1
    # A decision staged on partition 1 counts at once.
    d = routed("d", 1)
    book.ticket_changed(1, None, d)
    assert book.load(TALLINN, NOW).open == 2
    # Mirror updates of an owned partition do not count twice.
    mirror(book, "d", d)
    assert book.load(TALLINN, NOW).open == 2
    # Revoked: back to what the mirror says (b is still open there, d is too).
    book.partition_revoked(1)
    assert book.load(TALLINN, NOW).open == 3
    mirror(book, "b", b_resolved)
    assert book.load(TALLINN, NOW).open == 2


def test_capacity_and_online_come_from_the_teams_topic() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=0)
    assert book.load(TALLINN, NOW).capacity == 24  # 8 agents x 3
    book.capacity_changed(
        "tallinn-care",
        TeamCapacity(
            event_id=uuid.uuid4(),
            occurred_at=NOW,
            correlation_id="ops",
            team_id="tallinn-care",
            agents_on_shift=2,
            online=False,
            announced_by="supervisor",
        ),
    )
    load = book.load(TALLINN, NOW)
    assert (load.capacity, load.online) == (6, False)
    book.capacity_changed("tallinn-care", None)
    assert book.load(TALLINN, NOW).capacity == 24


def test_a_planned_shift_counts_before_the_day_is_reported() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=0)
    tomorrow = NOW + timedelta(days=1)
    book.capacity_changed(
        "tallinn-care",
        TeamCapacity(
            event_id=uuid.uuid4(),
            occurred_at=NOW,
            correlation_id="wfm",
            team_id="tallinn-care",
            agents_on_shift=8,
            planned=[PlannedShift(day=tomorrow.date(), agents=12)],
            announced_by="wfm",
        ),
    )
    assert book.load(TALLINN, NOW).capacity == 24
    assert book.load(TALLINN, tomorrow).capacity == 36  # 12 planned x 3, not yet reported


def test_throughput_from_tallies_shrinks_towards_the_configured_handle_time() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=0)
    local = PartitionTally(partition=0)
    for minute in range(10):
        local = tally.record_assignment(
            local,
            "tallinn-care",
            NOW - timedelta(minutes=minute),
            desk_day="2026-11-27",
            to_partner=False,
            contract_day=None,
        )
    for _ in range(30):
        local = tally.record_resolution(local, "tallinn-care", NOW, held_seconds=300)
    book.partition_ready(0, [(tally_key(0), local)])
    remote = tally.record_assignment(
        PartitionTally(partition=3),
        "nearshore-bpo",
        NOW,
        desk_day="2026-11-27",
        to_partner=True,
        contract_day="2026-11-27",
    )
    mirror(book, tally_key(3), remote)
    load = book.load(TALLINN, NOW)
    assert load.arrival_rate == pytest.approx(10 / (tally.WINDOW_MINUTES * 60))
    # 30 resolutions of 5 min against a prior of 10 x 12 min.
    assert load.handle_seconds == pytest.approx((10 * 720 + 30 * 300) / 40)
    assert book.load(RIGA, NOW).offers_today == 1
    figures = book.desk(NOW)
    assert (figures.assigned_today, figures.to_partners_today) == (11, 1)
    # An hour later the window is empty; the contract day is the same.
    later = NOW + timedelta(hours=1)
    assert book.load(TALLINN, later).arrival_rate == 0
    assert book.load(TALLINN, later).handle_seconds == pytest.approx(720)


def test_unconfirmed_assignments_throttle_until_the_mirror_reads_them_back() -> None:
    clock = Clock()
    book = LoadBook(REGISTRY, max_unconfirmed=2, unconfirmed_ttl_seconds=10, monotonic=clock)
    book.partition_ready(0, [])
    first, second = routed("a", 0), routed("b", 0)
    for key, state in (("a", first), ("b", second)):
        assert state.assignment_id is not None
        book.decision_made(key, "tallinn-care", state.assignment_id)
    assert book.throttled("tallinn-care")
    assert not book.throttled("warsaw-care")
    mirror(book, "a", first)  # read back: confirmed
    assert not book.throttled("tallinn-care")
    assert book.unconfirmed("tallinn-care") == 1
    # A decision that never shows up (its transaction failed) stops counting after the TTL.
    third = routed("c", 0)
    assert third.assignment_id is not None
    book.decision_made("c", "tallinn-care", third.assignment_id)
    assert book.throttled("tallinn-care")
    clock.now = 11
    assert not book.throttled("tallinn-care")
