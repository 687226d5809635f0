"""The comparison's claims (issue 16's "done when"), judged on the rows it is given."""

from __future__ import annotations

from switchboard.demo.compare import SERVICES, checks
from tests.support.demo_data import policy_row


def verdicts(services_met: int, **services: object) -> dict[str, bool]:
    engine = (
        policy_row("switchboard", 45, 48),  # the engine's own Switchboard is no baseline
        policy_row("in_house_only", 30, 48),
        policy_row("least_loaded", 40, 48, cost_partners=55.0),
        policy_row("skills_only", 47, 48, against_policy=5),  # breaks the data policy
    )
    found = checks(policy_row(SERVICES, services_met, 48, **services), engine)
    return {check.claim: check.holds for check in found}


def test_a_run_that_beats_every_baseline_keeping_the_data_policy() -> None:
    assert all(verdicts(44, cost_partners=40.0).values())


def test_a_baseline_that_breaks_the_data_policy_is_no_bar() -> None:
    # skills-only met 47 of 48, but sent five tickets against the policy.
    held = verdicts(44)
    assert held["fewer breaches than every baseline that keeps the data policy"]


def test_more_breaches_than_a_baseline_fails_the_claims() -> None:
    held = verdicts(39)
    assert not held["fewer breaches than every baseline that keeps the data policy"]
    assert not held["no channel more than one point worse than the best of those baselines"]


def test_cost_never_worked_and_data_policy() -> None:
    held = verdicts(44, cost_partners=60.0, never_worked=1, against_policy=1)
    assert not held["outsourcing cost no higher than least-loaded's"]
    assert not held["fewer than 1% of the tickets never worked by a team"]
    assert not held["no ticket sent to a partner against the data policy"]
