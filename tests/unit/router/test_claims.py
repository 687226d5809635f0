"""The claims' pure core: who may have a ticket, who gets the next one, when a ticket goes
back, and who is there (presence); plus the holdings index the router keeps beside its
store."""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.agents import AgentStatus
from schemas.base import Channel, Priority, TeamKind
from services.router.domain import claims, packing
from services.router.domain.claims import Seat
from services.router.domain.presence import Roster
from services.router.domain.state import Hold, TicketFacts, TicketRoute
from services.router.holdings import Holdings
from services.router.loadbook import MirrorRecord, decode_mirror

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
ASSIGNMENT = uuid.uuid4()


def queued(
    hold: str | None = None, *, answered: bool = False, team: str = "tallinn"
) -> TicketRoute:
    facts = TicketFacts(
        correlation_id="c",
        channel=Channel.EMAIL,
        language="en",
        skill="orders_shipping",
        received_at=NOW,
        first_response_due=NOW + timedelta(hours=4),
    )
    return TicketRoute(
        partition=0,
        facts=facts,
        status="queued",
        attempt=1,
        assignment_id=ASSIGNMENT,
        team_id=team,
        team_kind=TeamKind.IN_HOUSE,
        assigned_at=NOW,
        hold=Hold(hold, NOW) if hold else None,
        answered=answered,
    )


def seat(agent: str = "anna", standing: str = "online", held: int = 0, limit: int = 2) -> Seat:
    return Seat(agent, standing, held, limit)  # type: ignore[arg-type]


# -- refusal -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("state", "who", "reason"),
    [
        (queued(), seat(), None),
        (queued(), seat(standing="away"), None),  # away agents may still ask
        (queued("anna"), seat(), None),  # already hers: nothing to refuse
        (queued("ben"), seat(), "held_by_another"),
        (queued(), seat(standing="offline"), "not_online"),
        (queued(), seat(standing="lost"), "not_online"),
        (queued(), seat(held=2, limit=2), "at_limit"),
        (queued(team="riga"), seat(), "not_queued"),
        (None, seat(), "not_queued"),
    ],
)
def test_who_may_have_a_ticket(state: TicketRoute | None, who: Seat, reason: str | None) -> None:
    assert claims.refusal(state, "tallinn", ASSIGNMENT, who) == reason


def test_a_claim_for_an_older_assignment_is_not_for_this_queue() -> None:
    assert claims.refusal(queued(), "tallinn", uuid.uuid4(), seat()) == "not_queued"


# -- distribution ----------------------------------------------------------------------
seats = st.lists(
    st.builds(
        Seat,
        agent_id=st.sampled_from([f"a{n}" for n in range(8)]),
        standing=st.sampled_from(["online", "away", "offline", "lost"]),
        held=st.integers(0, 4),
        limit=st.integers(1, 4),
        last_claimed=st.one_of(st.just(-math.inf), st.floats(0, 1e6)),
    ),
    max_size=8,
    unique_by=lambda s: s.agent_id,
)


@given(seats, st.sampled_from(["least_loaded", "round_robin"]), st.randoms())
def test_the_next_ticket_goes_to_an_agent_with_room_whatever_the_order(
    team: list[Seat], distribution: claims.Distribution, rng: object
) -> None:
    chosen = claims.pick(team, distribution)
    free = [s for s in team if s.standing == "online" and s.held < s.limit]
    if not free:
        assert chosen is None
        return
    assert chosen in free
    if distribution == "least_loaded":
        assert chosen.held == min(s.held for s in free)
    else:
        assert chosen.last_claimed == min(s.last_claimed for s in free)
    shuffled = list(team)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert claims.pick(shuffled, distribution) == chosen


def test_least_loaded_breaks_ties_by_who_waited_longest_round_robin_ignores_load() -> None:
    team = [
        Seat("anna", "online", held=1, limit=3, last_claimed=10.0),
        Seat("ben", "online", held=0, limit=3, last_claimed=20.0),
        Seat("carl", "online", held=0, limit=3, last_claimed=5.0),
    ]
    assert claims.pick(team, "least_loaded").agent_id == "carl"  # type: ignore[union-attr]
    assert claims.pick(team[:2], "least_loaded").agent_id == "ben"  # type: ignore[union-attr]
    assert claims.pick(team[:2], "round_robin").agent_id == "anna"  # type: ignore[union-attr]


# -- returns ---------------------------------------------------------------------------
WITHIN = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("state", "standing", "at", "reason"),
    [
        (queued("anna"), "online", NOW + WITHIN - timedelta(seconds=1), None),
        (queued("anna"), "online", NOW + WITHIN, "no_first_response"),
        (queued("anna", answered=True), "online", NOW + WITHIN * 10, None),
        (queued("anna"), "away", NOW + WITHIN, "no_first_response"),
        (queued("anna", answered=True), "offline", NOW, "logout"),
        (queued("anna", answered=True), "lost", NOW, "agent_offline"),
        (queued(), "lost", NOW + WITHIN, None),  # nobody holds it: nothing to return
    ],
)
def test_when_a_held_ticket_goes_back(
    state: TicketRoute, standing: str, at: datetime, reason: str | None
) -> None:
    assert claims.return_reason(state, standing, at, WITHIN) == reason  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("online", "wait", "budget", "gives_up"),
    [
        (0, 0.0, 3600.0, True),  # nobody there
        (0, 0.0, 0.0, True),
        (2, 600.0, 3600.0, False),
        (2, 7200.0, 3600.0, True),  # the deadline is out of the team's reach
        (2, math.inf, 0.0, False),  # past the deadline nobody makes it: the team keeps it
    ],
)
def test_when_a_team_gives_a_waiting_ticket_up(
    online: int, wait: float, budget: float, gives_up: bool
) -> None:
    assert claims.team_gives_up(online, wait, budget) is gives_up


def test_claim_answer_and_unclaim_change_only_the_hold() -> None:
    held = claims.claim(queued(), "anna", NOW)
    assert held.hold == Hold("anna", NOW)
    answered = claims.answered(held)
    assert answered is not None
    assert answered.answered
    assert claims.answered(answered) is None
    back = claims.unclaim(answered)
    assert back.hold is None
    assert back.answered  # the next agent replies; it does not answer first again
    assert claims.waiting_order(back) == claims.waiting_order(queued())


# -- presence --------------------------------------------------------------------------
def test_presence_standing_and_live_slots() -> None:
    roster = Roster(timeout_seconds=10)
    assert not roster.tracked("tallinn")
    assert roster.live_slots("tallinn", lambda _: 2, now=0) is None
    roster.heard("tallinn", "anna", AgentStatus.ONLINE, heartbeat=2, at=0)
    roster.heard("tallinn", "ben", AgentStatus.AWAY, heartbeat=2, at=0)
    roster.heard("tallinn", "carl", AgentStatus.OFFLINE, heartbeat=2, at=0)
    assert roster.tracked("tallinn")
    assert [roster.standing("tallinn", a, now=5) for a in ("anna", "ben", "carl", "dora")] == [
        "online",
        "away",
        "offline",
        "offline",
    ]
    assert roster.live_slots("tallinn", {"anna": 3}.get, now=5) == 3  # type: ignore[arg-type]
    # Anna goes quiet while Ben's heartbeat is still read: she is lost after the timeout.
    roster.heard("tallinn", "ben", AgentStatus.AWAY, heartbeat=2, at=11)
    assert roster.standing("tallinn", "anna", now=10) == "online"
    assert roster.standing("tallinn", "anna", now=12) == "lost"
    assert roster.live_slots("tallinn", lambda _: 3, now=12) == 0
    assert roster.counts("tallinn", now=12) == {"online": 0, "away": 1, "offline": 1, "lost": 1}


def test_when_nobody_is_heard_the_silence_is_ours_until_it_lasts_three_times_as_long() -> None:
    roster = Roster(timeout_seconds=10)
    roster.heard("tallinn", "anna", AgentStatus.ONLINE, heartbeat=1, at=0)
    roster.heard("tallinn", "ben", AgentStatus.ONLINE, heartbeat=1, at=0)
    assert roster.standing("tallinn", "anna", now=25) == "online"  # a broker restart, say
    assert roster.standing("tallinn", "anna", now=31) == "lost"
    # A slow terminal's own heartbeat period stretches its timeout.
    roster.heard("tallinn", "carl", AgentStatus.ONLINE, heartbeat=20, at=0)
    roster.heard("tallinn", "ben", AgentStatus.ONLINE, heartbeat=1, at=40)
    assert roster.standing("tallinn", "carl", now=41) == "online"
    assert roster.standing("tallinn", "carl", now=61) == "lost"
    roster.forget("tallinn", "carl")
    assert roster.agents("tallinn") == ["anna", "ben"]


# -- holdings --------------------------------------------------------------------------
def _mirror(key_partition: int, hold: str | None) -> MirrorRecord:
    """What the mirror of the changelog reads from the packed record (the hold survives)."""
    return decode_mirror(packing.pack(replace(queued(hold), partition=key_partition)))


def test_holdings_count_owned_partitions_from_the_store_and_others_from_the_mirror() -> None:
    book = Holdings()
    book.mirror_changed("t1", _mirror(0, "anna"))
    book.mirror_changed("t2", _mirror(1, "anna"))
    assert book.held("tallinn", "anna") == 2
    # Partition 0 becomes ours: its store replaces the mirror's view of it.
    book.ready(0, [("t1", queued("anna")), ("t3", queued())])
    assert book.held("tallinn", "anna") == 2
    assert [(key, p) for _, key, p in book.waiting("tallinn", [0, 1])] == [("t3", 0)]
    book.mirror_changed("t1", _mirror(0, None))  # our own write read back: no double count
    assert book.held("tallinn", "anna") == 2
    book.saved(0, "t3", queued(), queued("ben"))
    book.saved(0, "t1", queued("anna"), None)
    assert (book.held("tallinn", "anna"), book.held("tallinn", "ben")) == (1, 1)
    assert list(book.waiting("tallinn", [0])) == []
    assert book.waiting_count("tallinn", [0, 1]) == 0
    assert set(book.held_in(0)) == {"t3"}
    book.ready(0, [("t3", queued("ben"))])  # a resync counts nothing twice
    assert book.holders("tallinn") == {"anna": 1, "ben": 1}
    # Revoked: the mirror speaks for partition 0 again (t1 unheld there, t3 unknown).
    book.revoked(0)
    assert book.holders("tallinn") == {"anna": 1}
    assert book.last_claimed[("tallinn", "ben")] == NOW.timestamp()


# -- the teams' queues of waiting tickets --------------------------------------------------
_instants = st.integers(min_value=-(2**62), max_value=2**62)
_ranks = st.sampled_from(sorted({p.rank for p in Priority}))


@given(st.tuples(_ranks, _instants, _instants), st.tuples(_ranks, _instants, _instants))
def test_a_queue_position_orders_exactly_as_the_waiting_order(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    def order(rank: int, due: int, received: int) -> tuple[int, int, int]:
        return (-rank, due, received)

    position_a, position_b = claims.queue_position(*a), claims.queue_position(*b)
    assert (position_a < position_b) == (order(*a) < order(*b))
    assert (position_a == position_b) == (a == b)
    assert claims.due_of(position_a) == a[1]


def waiting_ticket(
    priority: Priority, due_hours: float, received_minutes: int, *, team: str = "tallinn"
) -> TicketRoute:
    route = queued(team=team)
    return replace(
        route,
        facts=replace(
            route.facts,
            priority=priority,
            first_response_due=NOW + timedelta(hours=due_hours),
            received_at=NOW - timedelta(minutes=received_minutes),
        ),
    )


_waiting_tickets = st.dictionaries(
    st.uuids().map(str),
    st.tuples(
        st.integers(0, 2),  # partition
        st.builds(
            waiting_ticket,
            st.sampled_from(list(Priority)),
            st.floats(-2, 6, allow_nan=False),
            st.integers(0, 600),
            team=st.sampled_from(["tallinn", "warsaw"]),
        ),
        st.sampled_from([None, "anna"]),  # held by
    ),
    max_size=40,
)


@given(_waiting_tickets, st.floats(-1, 7, allow_nan=False), st.floats(0, 5, allow_nan=False))
def test_a_teams_queue_reads_as_a_sort_and_a_filter_of_its_tickets_would(
    tickets: dict[str, tuple[int, TicketRoute, str | None]], window_from: float, length: float
) -> None:
    """Restored from packed records or built ticket by ticket, the queues give the waiting
    tickets most urgent first (as ``waiting_order``), and the ones due in a window."""
    restored, built = Holdings(), Holdings()
    for partition in range(3):
        entries = [
            (key, packing.pack(replace(route, hold=Hold(agent, NOW) if agent else None)))
            for key, (p, route, agent) in tickets.items()
            if p == partition
        ]
        restored.ready(partition, entries)
        built.ready(partition, [])
        for key, (p, route, agent) in tickets.items():
            if p == partition:
                built.saved(
                    partition, key, None, replace(route, hold=Hold(agent, NOW) if agent else None)
                )
    start = NOW + timedelta(hours=window_from)
    end = start + timedelta(hours=length)
    for team in ("tallinn", "warsaw"):
        waiting = {
            key: (p, route)
            for key, (p, route, agent) in tickets.items()
            if agent is None and route.team_id == team
        }
        expected = sorted(waiting, key=lambda k: (claims.waiting_order(waiting[k][1]), k))
        due = sorted(k for k in waiting if start <= waiting[k][1].facts.first_response_due < end)
        for book in (restored, built):
            assert [key for _, key, _ in book.waiting(team, [0, 1, 2])] == expected
            assert [p for _, _, p in book.waiting(team, [0, 1, 2])] == [
                waiting[k][0] for k in expected
            ]
            assert book.waiting_count(team, [0, 1, 2]) == len(expected)
            window = list(book.scan(team, [0, 1, 2], (packing.micros(start), packing.micros(end))))
            assert sorted(key for _, key in window) == due
            everything = list(book.scan(team, [0, 1, 2], None))
            assert sorted(key for _, key in everything) == sorted(expected)
            for scanned in (window, everything):
                marks = [mark for mark, _ in scanned]
                assert marks == sorted(marks), "one fixed order: partition, then position"
            # Cut anywhere, a scan resumed after its last mark reads exactly the rest.
            due_micros = (packing.micros(start), packing.micros(end))
            for cut, (mark, _) in enumerate(window):
                rest = list(book.scan(team, [0, 1, 2], due_micros, after=mark))
                assert rest == window[cut + 1 :]
            for cut, (mark, _) in enumerate(everything):
                assert list(book.scan(team, [0, 1, 2], None, after=mark)) == everything[cut + 1 :]
        held = {k for k, (_, route, agent) in tickets.items() if agent and route.team_id == team}
        assert restored.held("tallinn" if team == "tallinn" else "warsaw", "anna") == len(held)
        assert built.held(team, "anna") == len(held)
