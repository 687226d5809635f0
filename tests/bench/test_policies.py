"""The policy comparison's invariants, on a short run: Black Friday at a quarter of the
demo's traffic. Which policy wins is a benchmark figure (``python -m bench.policies``),
not something a test asserts."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bench.desk.engine import DeskSimulation
from bench.desk.intake import open_tickets
from bench.desk.outcome import Outcome
from bench.desk.strategies import STRATEGIES
from bench.policies import AFTER_LAST_ARRIVAL, BASELINES, POLICIES, Comparison, compare
from schemas.config import load_config
from switchboard.simulator import (
    TrafficParams,
    Workforce,
    day_range,
    generate_traffic,
    partner_capacity_announcements,
)
from tests.conftest import SAMPLE_CONFIG

BLACK_FRIDAY = date(2026, 11, 27)
SCALE = 0.25


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(first_day=BLACK_FRIDAY, last_day=BLACK_FRIDAY, scale=SCALE)


def test_every_ticket_ends_answered_waiting_or_pending(comparison: Comparison) -> None:
    tickets = len(comparison.intake.tickets)
    assert tickets > 500
    for result in comparison.results:
        assert result.tickets == tickets
        assert result.accounted == tickets, result.policy
        assert result.answered > 0
        # The run goes on for a day after the last arrival: every deadline has passed.
        assert result.judged == tickets
        assert sum(n for _, n in result.breaches_by_class.values()) == tickets
        assert result.breaches == sum(b for b, _ in result.breaches_by_class.values())
        assert result.worked_in_house + result.worked_by_partners <= tickets


def test_switchboard_never_sends_a_ticket_out_against_the_data_policy(
    comparison: Comparison,
) -> None:
    assert comparison.result("switchboard").against_policy == 0
    assert comparison.result("switchboard_no_rings").against_policy == 0
    # The count is real: a policy that ignores the data policy is caught doing it.
    assert comparison.result("round_robin").against_policy > 0


def test_skills_only_never_overflows(comparison: Comparison) -> None:
    result = comparison.result("skills_only")
    assert set(result.decisions) <= {"in_house", "partner (no in-house match)", "stalled"}


def test_a_seed_gives_the_same_run(comparison: Comparison) -> None:
    again = compare(
        first_day=BLACK_FRIDAY,
        last_day=BLACK_FRIDAY,
        scale=SCALE,
        policies=("switchboard", "timed_overflow"),
    )
    for result in again.results:
        first = comparison.result(result.policy)
        assert dataclasses.replace(result, run_seconds=0) == dataclasses.replace(
            first, run_seconds=0
        )


@pytest.mark.parametrize(
    "policy", ["switchboard", "switchboard_no_rings", "timed_overflow", "least_loaded"]
)
def test_draining_only_what_a_change_can_help_routes_like_draining_everything(
    policy: str,
) -> None:
    config = load_config(SAMPLE_CONFIG)
    params = TrafficParams(baseline_contacts_per_day=TrafficParams().baseline_contacts_per_day / 8)
    start, end = day_range(BLACK_FRIDAY, BLACK_FRIDAY, params.shop_timezone)
    tickets = open_tickets(generate_traffic(start, end, params=params), config).tickets
    announcements = partner_capacity_announcements(config.teams, BLACK_FRIDAY, BLACK_FRIDAY)
    runs = []
    for everything in (False, True):
        simulation = DeskSimulation(
            config,
            tickets,
            STRATEGIES[policy],
            workforce=Workforce(),
            announcements=announcements,
            until=end + AFTER_LAST_ARRIVAL,
            drain_everything=everything,
        )
        simulation.run()
        runs.append({key: _what_happened(o) for key, o in simulation.outcomes.items()})
    assert runs[0] == runs[1]
    assert sum(1 for worked_by, *_ in runs[0].values() if worked_by) > 100


def _what_happened(outcome: Outcome) -> tuple[object, ...]:
    worked_by = outcome.handled_by.id if outcome.handled_by else None
    return (worked_by, *dataclasses.astuple(dataclasses.replace(outcome, handled_by=None)))


def test_every_policy_is_compared() -> None:
    assert set(POLICIES) == set(STRATEGIES)
    assert set(BASELINES) == {"round_robin", "least_loaded", "skills_only", "timed_overflow"}
