"""The fold from topic records to the demo's counters: what the topics say, once each."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import Channel, TeamKind
from switchboard.demo.outcomes import Outcomes, Stream, TopicRecord, costs_of
from tests.support.demo_data import START, TEAMS, RunBuilder, small_run


def fold(records: list[TopicRecord]) -> Outcomes:
    outcomes = Outcomes()
    for record in records:
        outcomes.add(record)
    return outcomes


def test_small_run_counters() -> None:
    counters = fold(small_run()).counters()
    assert counters.tickets == 48
    assert counters.in_house == 32
    assert counters.partner == 16
    assert counters.breaches == 9  # tickets 4, 9, ..., 44
    assert counters.at_risk == 9
    assert counters.dead_letters == 1
    assert counters.pending == 0
    # The last eight are open: held by their teams, not pending.
    assert counters.open_in_house + counters.open_partner == 8


def test_every_event_counts_once_when_delivered_twice() -> None:
    records = small_run()
    # Dead letters are records, not events with an id: they are counted as they come.
    again = [r for r in records if r.stream is not Stream.DEAD_LETTERS]
    once, twice = fold(records), fold(records + again)
    assert twice.counters() == once.counters()
    assert twice.duplicates > 0
    assert len(twice.breaches) == len(once.breaches)
    assert len(twice.routed) == len(once.routed)


def test_a_rejected_offer_gives_the_ticket_back() -> None:
    run = RunBuilder()
    run.opened("t-1", START, Channel.EMAIL)
    first = run.assigned("t-1", START + timedelta(minutes=1), "nearshore-bpo")
    run.lifecycle("t-1", first, "nearshore-bpo", START + timedelta(minutes=2), "rejected")
    outcomes = fold(run.records)
    counters = outcomes.counters()
    assert (counters.partner, counters.pending) == (0, 1)
    second = run.assigned("t-1", START + timedelta(minutes=3), "tallinn-care", attempt=2)
    run.lifecycle("t-1", second, "tallinn-care", START + timedelta(minutes=9), "resolved")
    outcomes = fold(run.records)
    assert (outcomes.counters().in_house, outcomes.counters().pending) == (1, 0)
    assert [c.delta for c in outcomes.depth_changes] == [1, -1, 1, -1]
    # The first assignment counts for time to assignment, whoever kept the ticket.
    trail = outcomes.tickets["t-1"]
    assert trail.first_assigned_at == START + timedelta(minutes=1)
    assert trail.inbound_ms is not None
    assert trail.inbound_ms < trail.opened_ms


def test_events_of_unknown_tickets_and_garbage_do_not_crash() -> None:
    run = RunBuilder()
    run.assigned("never-opened", START, "tallinn-care")
    outcomes = fold(run.records)
    outcomes.add(run.records[0].__class__(run.records[0].stream, b"not json", 1))
    assert outcomes.counters().tickets == 0
    assert outcomes.unreadable == 1


def test_costs_follow_the_team_that_kept_the_ticket() -> None:
    outcomes = fold(small_run())
    cost = costs_of(TEAMS, outcomes)
    kept = [t.kept_by[0] for t in outcomes.tickets.values() if t.kept_by]
    assert cost["partner"] == sum(
        TEAMS[team][1] for team in kept if TEAMS[team][0] is TeamKind.PARTNER
    )
    assert cost["in_house"] == 16 * TEAMS["tallinn-care"][1] + 16 * TEAMS["warsaw-care"][1]


LIFECYCLE = st.lists(
    st.tuples(
        st.sampled_from(sorted(TEAMS)),
        st.sampled_from(["rejected", "resolved", "open", "reassign"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(LIFECYCLE, min_size=1, max_size=8))
def test_queue_depth_is_never_negative_and_ends_at_the_open_tickets(
    tickets: list[list[tuple[str, str]]],
) -> None:
    run = RunBuilder()
    at = START
    for n, steps in enumerate(tickets):
        ticket_id = f"t-{n}"
        run.opened(ticket_id, at, Channel.CHAT)
        for attempt, (team, what) in enumerate(steps, start=1):
            at += timedelta(minutes=1)
            assignment = run.assigned(ticket_id, at, team, attempt=attempt)
            if what in ("rejected", "resolved"):
                run.lifecycle(ticket_id, assignment, team, at, what)
            if what in ("resolved", "open"):
                break
    outcomes = fold(run.records)
    depth: dict[str, int] = {}
    for change in sorted(outcomes.depth_changes, key=lambda c: c.at):
        depth[change.team_id] = depth.get(change.team_id, 0) + change.delta
        assert depth[change.team_id] >= 0
    live = [t.live[1] for t in outcomes.tickets.values() if t.live]
    assert sum(depth.values()) == len(live)
    counters = outcomes.counters()
    assert counters.open_in_house + counters.open_partner == len(live)
    assert counters.in_house + counters.partner + counters.pending <= counters.tickets + len(live)
