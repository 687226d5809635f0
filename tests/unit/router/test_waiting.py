"""Waiting tickets never slow the others, and a freed slot goes to the best ticket waiting
for it: properties of the waiting index under any sequence of events, on the router's
real handler, timer and load view (one partition, the sample teams made small).

After every event the indexes equal a rebuild from the store; after every drain no team
that can take a ticket has one waiting for it; and no ticket is ever given a team's slot
while a better ticket (more urgent, or as urgent and older) waited for that team.

Relaxation rings (``domain.rings``): a waiting ticket's reach widens as it waits. After
every drain each waiting ticket waits with the teams of every ring open for it by then,
so a ring that opened is never skipped: no team of the wider reach can take a ticket
while it waits, and a ticket assigned went to a team of the reach open at that moment.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.base import Channel, Priority
from schemas.teams import TeamCapacity
from schemas.tickets import (
    OfferAccepted,
    OfferRejected,
    RoutingStalled,
    TicketAssigned,
    TicketReleased,
    TicketResolved,
)
from services.router import routing
from services.router.domain import lifecycle, packing
from services.router.domain.policy import decide
from services.router.domain.rings import next_ring_after, open_levels
from services.router.domain.room import takes_tickets, teams_for
from services.router.indexes import Indexes
from services.router.loadbook import decode_mirror
from services.router.waiting import Order
from tests.unit.router.test_handlers import Desk
from tests.unit.router.test_lifecycle import opened

#: Profiles some teams share, one only a partner takes, one nobody takes.
PROFILES = [
    {"language": "en", "skill": "orders_shipping", "channel": Channel.EMAIL},
    {"language": "de", "skill": "returns_refunds", "channel": Channel.CHAT},
    {"language": "et", "skill": "payments_billing", "channel": Channel.CHAT},
    {"language": "tr", "skill": "orders_shipping", "channel": Channel.PHONE},
    {"language": "xx", "skill": "orders_shipping", "channel": Channel.EMAIL},
]

_OPEN = st.tuples(
    st.just("open"),
    st.integers(0, len(PROFILES) - 1),
    st.sampled_from(Priority),
    st.integers(0, 120),  # minutes old
)
_ON_HELD = st.tuples(
    st.sampled_from(["resolve", "release", "reject", "accept"]), st.integers(0, 1_000)
)
_CAPACITY = st.tuples(st.just("capacity"), st.integers(0, 5), st.integers(0, 2))
_TIME = st.tuples(st.just("advance"), st.integers(1, 30))
_TICK = st.just(("tick",))
OPERATIONS = st.lists(
    st.one_of(_OPEN, _OPEN, _OPEN, _ON_HELD, _ON_HELD, _CAPACITY, _TIME, _TICK, _TICK),
    min_size=30,
    max_size=60,
)
#: Agents on shift per team at the start (in-house, then partners): a team has 0 slots or
#: its concurrency (2 to 4), so that teams fill and tickets wait.
AGENTS = st.tuples(*[st.integers(0, 1)] * 3, *[st.sampled_from([0, 0, 0, 1])] * 3).map(list)


class World:
    def __init__(self, agents: list[int] | None = None, max_unconfirmed: int = 0) -> None:
        self.desk = Desk(max_unconfirmed=max_unconfirmed)
        self.router = self.desk.router
        self.registry = self.router.registry
        for team, count in zip(self.registry.teams, agents or [1] * 6, strict=True):
            self.set_agents(team.id, count)
        self.opened = 0

    def set_agents(self, team_id: str, agents: int) -> None:
        self.router.book.capacity_changed(
            team_id,
            TeamCapacity(
                event_id=uuid.uuid4(),
                occurred_at=self.desk.now,
                correlation_id="test",
                team_id=team_id,
                agents_on_shift=agents,
                announced_by="test",
            ),
        )

    def waiting(self) -> dict[str, Order]:
        return {order[3]: order for order in self.router.indexes.waiting.orders()}

    def holding(self, statuses: tuple[str, ...]) -> list[tuple[str, Any]]:
        found = []
        for key in sorted(self.desk.store.keys()):
            state = self.router.ticket(self.desk.store, key)
            if state is not None and state.status in statuses:
                found.append((key, state))
        return found

    def apply(self, operation: tuple[Any, ...]) -> list[Any]:
        match operation:
            case ("open", profile, priority, age):
                self.opened += 1
                event = opened(
                    ticket_id=f"t-{self.opened}",
                    priority=priority,
                    received_at=self.desk.now - timedelta(minutes=age),
                    **PROFILES[profile],
                )
                return self.desk.send(event)
            case (("resolve" | "release" | "reject" | "accept") as kind, pick):
                statuses = {
                    "resolve": ("queued", "offered", "accepted"),
                    "release": ("queued", "accepted"),
                    "reject": ("offered",),
                    "accept": ("offered",),
                }[kind]
                held = self.holding(statuses)
                if not held:
                    return []
                key, state = held[pick % len(held)]
                event_type = {
                    "resolve": TicketResolved,
                    "release": TicketReleased,
                    "reject": OfferRejected,
                    "accept": OfferAccepted,
                }[kind]
                extra = {"reason": "test"} if kind in ("release", "reject") else {}
                return self.desk.send(
                    event_type(
                        event_id=uuid.uuid4(),
                        occurred_at=self.desk.now,
                        correlation_id="test",
                        ticket_id=key,
                        assignment_id=state.assignment_id,
                        team_id=state.team_id,
                        **extra,
                    )
                )
            case ("capacity", team, agents):
                self.set_agents(self.registry.teams[team].id, agents)
                return []
            case ("advance", minutes):
                self.desk.now += timedelta(minutes=minutes)
                return []
            case ("tick",):
                return self.desk.tick()
        raise AssertionError(operation)

    def check_indexes_equal_a_rebuild(self, *, drained: bool) -> None:
        """A rebuild now has the same waiting tickets; with the same reach once a drain
        moved those whose ring opened (before: a reach opened since is missing)."""
        fresh = Indexes(self.registry)
        load = fresh.rebuild(0, self.desk.store, packing.micros(self.desk.now))
        rebuilt = {order[3]: order for order in fresh.waiting.orders()}
        live = self.waiting()
        assert rebuilt.keys() == live.keys()
        for key, order in live.items():
            assert order[:4] == rebuilt[key][:4]
            if drained:
                assert order == rebuilt[key]
            else:
                assert set(order[4]) <= set(rebuilt[key][4])
        for team in self.registry.teams:
            book = self.router.book.load(team, self.desk.now).open
            assert book == load.slots.get(team.id, 0), team.id

    def check_no_team_with_room_has_a_ticket_waiting(self) -> None:
        now = self.desk.now
        waiting = self.router.indexes.waiting
        for team in self.registry.teams:
            if takes_tickets(team, self.router.book.load(team, now), now):
                assert not waiting.groups_of(team.id), team.id

    def reach(self, key: str) -> tuple[str, ...]:
        """The teams a ticket may go to now: ring 0 and every ring open for it."""
        state = self.router.ticket(self.desk.store, key)
        assert state is not None
        request = lifecycle.routing_request(state, self.desk.now)
        opened = open_levels(self.registry, request.ticket, request.waited_seconds)
        return teams_for(self.registry, request.ticket, state.declined, opened)

    def check_waiting_with_every_ring_open(self) -> None:
        for key, order in self.waiting().items():
            assert order[4] == self.reach(key), key

    def check_assignments_within_the_reach_open(self, outputs: list[Any]) -> None:
        for event in outputs:
            if isinstance(event, TicketAssigned):
                state = self.router.ticket(self.desk.store, event.ticket_id)
                assert state is not None
                request = lifecycle.routing_request(replace(state, status="pending"), self.desk.now)
                opened = open_levels(self.registry, request.ticket, request.waited_seconds)
                # declined: the team was not given it back before this assignment
                reach = teams_for(self.registry, request.ticket, (), opened)
                assert event.team_id in reach, (event.ticket_id, event.team_id, reach)

    def check_no_better_ticket_was_passed_over(
        self, before: dict[str, Order], outputs: list[Any]
    ) -> None:
        still_waiting = {k: o for k, o in self.waiting().items() if before.get(k) == o}
        for event in outputs:
            if not isinstance(event, TicketAssigned):
                continue
            state = self.router.ticket(self.desk.store, event.ticket_id)
            assert state is not None
            rank, received = lifecycle.backlog_order(state)
            given = (rank, packing.micros(received), 0, event.ticket_id)
            for order in still_waiting.values():
                if event.team_id in order[4]:
                    assert order[:4] > given, (order, event.team_id, given)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(AGENTS, OPERATIONS)
def test_the_waiting_index_keeps_its_promises(
    agents: list[int], operations: list[tuple[Any, ...]]
) -> None:
    world = World(agents)
    for operation in operations:
        before = world.waiting()
        outputs = world.apply(operation)
        world.check_indexes_equal_a_rebuild(drained=operation[0] == "tick")
        world.check_no_better_ticket_was_passed_over(before, outputs)
        world.check_assignments_within_the_reach_open(outputs)
        if operation[0] == "tick":
            world.check_no_team_with_room_has_a_ticket_waiting()
            world.check_waiting_with_every_ring_open()
    world.desk.tick()
    world.check_no_team_with_room_has_a_ticket_waiting()
    # Every ticket that waits has been decided at least once: its stall was announced.
    for key, state in world.holding(("pending",)):
        assert state.stall_announced, key


def test_a_standing_backlog_is_not_looked_at_for_a_ticket_another_team_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,000 tickets nobody can take wait; a ticket Tallinn can take is decided at once,
    with one decision, and a drain with nothing freed decides nothing."""
    world = World()
    for _ in range(1_000):
        world.apply(("open", 3, Priority.URGENT, 0))  # Turkish phone: Istanbul only (no ring yet)
    world.set_agents("istanbul-contact", 0)
    world.desk.tick()
    assert len(world.router.indexes.waiting) == 1_000 - 2  # Istanbul's two slots took two
    decisions: list[object] = []

    def counted(*args: Any) -> Any:
        decisions.append(args[1])
        return decide(*args)

    monkeypatch.setattr(routing, "decide", counted)
    assigned, _ = world.apply(("open", 2, Priority.LOW, 0))
    assert isinstance(assigned, TicketAssigned)
    assert assigned.team_id == "tallinn-care"
    assert len(decisions) == 1
    assert world.desk.tick() == []
    assert len(decisions) == 1


def test_tickets_held_at_the_capacity_bound_are_decided_once_it_lifts() -> None:
    """Held for a team with two unconfirmed assignments: routed when it has room again,
    their stall announced when it has none; never decided while held."""
    world = World([1, 0, 0, 0, 0, 0], max_unconfirmed=2)  # Tallinn: 3 slots
    book, store = world.router.book, world.desk.store
    first, _ = world.apply(("open", 2, Priority.NORMAL, 0))  # Estonian: Tallinn only
    world.apply(("open", 2, Priority.NORMAL, 0))
    assert book.throttled("tallinn-care")
    held = [world.apply(("open", 2, Priority.NORMAL, minutes)) for minutes in (0, 1)]
    assert held == [[], []]  # no decision to announce: held
    assert world.desk.tick() == []  # still held: nothing decided again
    # The mirror reads the first back: one below the bound, one slot left; the older of
    # the held two gets it, the other stalls.
    read_back(book, store, first.ticket_id)
    out = world.desk.tick()
    assigned = [e for e in out if isinstance(e, TicketAssigned)]
    stalled = [e for e in out if isinstance(e, RoutingStalled)]
    assert [e.ticket_id for e in assigned] == ["t-4"]
    assert [e.ticket_id for e in stalled] == ["t-3"]
    assert world.desk.tick() == []


def read_back(book: Any, store: Any, key: str) -> None:
    book.mirror_changed(key, decode_mirror(store.get(key)))


def test_a_ring_opening_for_a_waiting_ticket_moves_it_to_its_wider_reach_and_decides_it() -> None:
    """Nobody takes an unknown language by e-mail at once; Tallinn's ring takes any
    language after five minutes. The ticket stalls, the timer is due when the ring opens,
    and the drain then assigns it to Tallinn with the translation the ring needs."""
    world = World()
    stalled = world.apply(("open", 4, Priority.NORMAL, 0))
    assert [type(e) for e in stalled] == [RoutingStalled]
    key = stalled[0].ticket_id
    state = world.router.ticket(world.desk.store, key)
    assert state is not None
    profile = lifecycle.routing_request(state, world.desk.now).ticket
    after = next_ring_after(world.registry, profile, 0.0)
    assert after is not None
    ring_at = state.facts.received_at + timedelta(seconds=after)
    assert world.router.indexes.next_ring_micros() == packing.micros(ring_at)
    assert world.desk.tick() == []  # nothing opened yet: nothing decided
    world.desk.now = ring_at
    out = world.desk.tick()
    assigned = [e for e in out if isinstance(e, TicketAssigned)]
    assert [(e.ticket_id, e.team_id) for e in assigned] == [(key, "tallinn-care")]
    assert key not in world.waiting()


def test_a_ticket_restored_after_its_ring_opened_waits_with_its_wider_reach() -> None:
    """A restore (rebuild at a later moment) puts the ticket in its wider group at once;
    without the moment it waits in ring 0 until the first drain moves and decides it."""
    world = World([0] * 6)  # nobody on shift: the ticket waits whatever its reach
    (stalled,) = world.apply(("open", 4, Priority.NORMAL, 0))
    key = stalled.ticket_id
    narrow = world.waiting()[key][4]
    world.desk.now += timedelta(minutes=30)
    fresh = Indexes(world.registry)
    fresh.rebuild(0, world.desk.store, packing.micros(world.desk.now))
    wide = next(o for o in fresh.waiting.orders() if o[3] == key)[4]
    assert set(narrow) < set(wide)
    assert wide == world.reach(key)
    fresh = Indexes(world.registry)
    fresh.rebuild(0, world.desk.store)
    assert next(o for o in fresh.waiting.orders() if o[3] == key)[4] == narrow
    fresh.open_rings(packing.micros(world.desk.now))
    assert next(o for o in fresh.waiting.orders() if o[3] == key)[4] == wide
    assert [o[3] for o in fresh.take_parked()] == [key]
