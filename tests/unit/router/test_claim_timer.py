"""The claims' timer reads only the front of a team's queue and the deadlines the team
cannot meet: it must decide exactly what a walk over the whole queue, most urgent first,
decides (the walk the timer did before queues were indexed)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import Priority
from services.router.claim_timer import Action, ClaimTimer, _with
from services.router.domain import claims, packing
from services.router.domain.budget import budget_left
from services.router.domain.state import TicketRoute
from services.router.holdings import Holdings
from tests.unit.router.test_claims import NOW, waiting_ticket

TEAM = "tallinn"


@dataclass
class _Desk:
    """The parts of ``ClaimDesk`` the timer's choice reads, with the real rules."""

    holdings: Holdings
    agents: dict[str, tuple[str, int, int]]  # agent -> (standing, held, limit)
    wait: float
    stores: dict[int, dict[str, bytes]]
    router: Any = field(init=False)

    def __post_init__(self) -> None:
        self.router = self

    def ticket(self, store: dict[str, bytes], key: str) -> TicketRoute | None:
        value = store.get(key)
        return None if value is None else packing.unpack(key, value)

    def seats(self, team_id: str) -> list[claims.Seat]:
        return [
            claims.Seat(agent, standing, held, limit)  # type: ignore[arg-type]
            for agent, (standing, held, limit) in sorted(self.agents.items())
        ]

    def choose(self, key: str, team_id: str, seats: list[claims.Seat]) -> claims.Seat | None:
        return claims.pick(seats, "least_loaded")

    def give_up_terms(self, team_id: str, now: datetime) -> tuple[int, float]:
        online = sum(1 for standing, _, _ in self.agents.values() if standing == "online")
        return online, self.wait

    def team_gives_up(self, state: TicketRoute, now: datetime) -> str | None:
        online, wait = self.give_up_terms(TEAM, now)
        budget = budget_left(state.facts.first_response_due, now)
        return "gives up" if claims.team_gives_up(online, wait, budget) else None


@dataclass
class _Processor:
    stores: dict[int, dict[str, bytes]]

    def store(self, partition: int) -> dict[str, bytes]:
        return self.stores[partition]


def _walk_everything(desk: _Desk, now: datetime) -> list[tuple[int, str, Action]]:
    """The reference: every waiting ticket in order, a seat or else the give-up rule."""
    entries = sorted(
        (claims.waiting_order(route), key, partition)
        for partition, store in desk.stores.items()
        for key, data in store.items()
        if (route := packing.unpack(key, data)).hold is None
    )
    seats = desk.seats(TEAM)
    planned: dict[str, int] = {}
    actions: list[tuple[int, str, Action]] = []
    for _, key, partition in entries:
        seat = desk.choose(key, TEAM, [_with(s, planned.get(s.agent_id, 0)) for s in seats])
        if seat is not None:
            planned[seat.agent_id] = planned.get(seat.agent_id, 0) + 1
            actions.append((partition, key, "assign"))
            continue
        state = desk.ticket(desk.stores[partition], key)
        if state is not None and desk.team_gives_up(state, now) is not None:
            actions.append((partition, key, "give_up"))
    return actions


_agents = st.dictionaries(
    st.sampled_from(["anna", "ben", "carl"]),
    st.tuples(st.sampled_from(["online", "away", "offline"]), st.integers(0, 3), st.integers(1, 3)),
    max_size=3,
)
_tickets = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(list(Priority)),
        # first response due, hours from now: around the waits below, edges included
        st.sampled_from([-1.0, 0.0, 0.01, 0.25, 0.5, 0.99, 1.0, 1.01, 1.5, 2.0, 3.0]),
        st.integers(0, 300),
    ),
    max_size=30,
)


def _queues(
    tickets: list[tuple[int, Priority, float, int]],
) -> tuple[dict[int, dict[str, bytes]], Holdings]:
    """Three partitions' stores of packed waiting tickets, and the holdings restored
    from them."""
    stores: dict[int, dict[str, bytes]] = {0: {}, 1: {}, 2: {}}
    for number, (partition, priority, due_hours, age) in enumerate(tickets):
        route = replace(waiting_ticket(priority, due_hours, age), partition=partition)
        stores[partition][f"t{number:03}"] = packing.pack(route)
    holdings = Holdings()
    for partition, store in stores.items():
        holdings.ready(partition, list(store.items()))
    return stores, holdings


@settings(max_examples=300)
@given(_agents, _tickets, st.sampled_from([0.0, 60.0, 1800.0, 3600.0, 7200.0, float("inf")]))
def test_the_timer_decides_what_a_walk_over_the_whole_queue_decides(
    agents: dict[str, tuple[str, int, int]],
    tickets: list[tuple[int, Priority, float, int]],
    wait: float,
) -> None:
    stores, holdings = _queues(tickets)
    desk = _Desk(holdings, agents, wait, stores)
    timer = ClaimTimer(
        desk=desk,  # type: ignore[arg-type]
        processor=_Processor(stores),  # type: ignore[arg-type]
        presence=None,  # type: ignore[arg-type]
        clock=None,  # type: ignore[arg-type]
        wake=None,  # type: ignore[arg-type]
        tick_seconds=1.0,
    )
    owned: dict[int, Any] = {partition: partition for partition in stores}
    chosen = timer._team_actions(TEAM, sorted(stores), owned, NOW)
    expected = _walk_everything(desk, NOW)
    assert [a for a in chosen if a[2] == "assign"] == [a for a in expected if a[2] == "assign"]
    assert sorted(a for a in chosen if a[2] == "give_up") == sorted(
        a for a in expected if a[2] == "give_up"
    )


def test_a_ticket_due_right_at_the_edge_of_the_predicted_wait_stays() -> None:
    """Budget equal to the wait: the team may still make it (``wait > budget`` gives up)."""
    route = replace(waiting_ticket(Priority.NORMAL, 1.0, 0), partition=0)
    stores = {0: {"t": packing.pack(route)}}
    holdings = Holdings()
    holdings.ready(0, list(stores[0].items()))
    desk = _Desk(holdings, {"anna": ("online", 1, 1)}, 3600.0, stores)
    timer = ClaimTimer(desk, _Processor(stores), None, None, None, 1.0)  # type: ignore[arg-type]
    assert timer._team_actions(TEAM, [0], {0: 0}, NOW) == []
    desk.wait = 3600.5
    assert timer._team_actions(TEAM, [0], {0: 0}, NOW) == [(0, "t", "give_up")]
    assert timedelta(hours=1) == route.facts.first_response_due - NOW


@dataclass
class _CountingDesk(_Desk):
    """Counts the tickets the timer decodes: each one is a candidate it checked."""

    decoded: int = 0

    def ticket(self, store: dict[str, bytes], key: str) -> TicketRoute | None:
        self.decoded += 1
        return super().ticket(store, key)


@settings(max_examples=200)
@given(
    _agents,
    _tickets,
    st.sampled_from([0.0, 1800.0, 7200.0, float("inf")]),
    st.integers(1, 8),
)
def test_a_long_queue_is_checked_a_slice_per_tick_and_all_of_it_in_turn(
    agents: dict[str, tuple[str, int, int]],
    tickets: list[tuple[int, Priority, float, int]],
    wait: float,
    checks: int,
) -> None:
    """With at most ``checks`` candidates read per tick, a tick never reads more, and
    ceil(candidates / checks) ticks in a row give up exactly the tickets a walk over the
    whole queue gives up (the queue unchanged between them)."""
    stores, holdings = _queues(tickets)
    desk = _CountingDesk(holdings, agents, wait, stores)
    timer = ClaimTimer(desk, _Processor(stores), None, None, None, 1.0, give_up_checks=checks)  # type: ignore[arg-type]
    owned: dict[int, Any] = {partition: partition for partition in stores}
    expected = _walk_everything(desk, NOW)
    expected_give_ups = {a for a in expected if a[2] == "give_up"}
    desk.decoded = 0
    given_up: set[tuple[int, str, Action]] = set()
    # Every waiting ticket is a candidate at most: this many ticks read all of them.
    for _ in range(-(-len(tickets) // checks) or 1):
        before = desk.decoded
        chosen = timer._team_actions(TEAM, sorted(stores), owned, NOW)
        assert desk.decoded - before <= checks
        assert [a for a in chosen if a[2] == "assign"] == [a for a in expected if a[2] == "assign"]
        given_up |= {a for a in chosen if a[2] == "give_up"}
    assert given_up == expected_give_ups


def test_once_the_slice_covers_the_queue_a_tick_reads_all_of_it_from_where_it_was() -> None:
    """A scan left mid-queue (say, the queue was longer then) still reads every candidate
    in the next tick once they fit, the one it stopped at included."""
    stores: dict[int, dict[str, bytes]] = {0: {}}
    for number in range(3):
        route = replace(waiting_ticket(Priority.NORMAL, 2.0, number), partition=0)
        stores[0][f"t{number}"] = packing.pack(route)
    holdings = Holdings()
    holdings.ready(0, list(stores[0].items()))
    desk = _CountingDesk(holdings, {"anna": ("offline", 0, 1)}, 0.0, stores)
    timer = ClaimTimer(desk, _Processor(stores), None, None, None, 1.0, give_up_checks=2)  # type: ignore[arg-type]
    assert len(timer._team_actions(TEAM, [0], {0: 0}, NOW)) == 2
    timer.give_up_checks = 3
    actions = timer._team_actions(TEAM, [0], {0: 0}, NOW)
    assert sorted(key for _, key, _ in actions) == ["t0", "t1", "t2"]
    assert desk.decoded == 5
