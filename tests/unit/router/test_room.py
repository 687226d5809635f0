"""The waiting index relies on this: a ticket stalls exactly when none of the teams it may
go to (``teams_for``) can take a ticket now (``takes_tickets``), for any registry, load
and ticket: the same scenarios the policy's invariants are tested on."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from services.router.domain.policy import decide
from services.router.domain.registry import Registry
from services.router.domain.room import takes_tickets, teams_for
from tests.unit.router.test_policy_properties import scenarios


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_a_ticket_stalls_exactly_when_none_of_its_teams_takes_tickets(
    scenario: tuple[Any, ...],
) -> None:
    teams, outsourcing, view, request, now = scenario
    registry = Registry(teams, outsourcing)
    decision = decide(registry, request, view, now)
    mine = teams_for(registry, request.ticket, request.declined)
    assert list(mine) == sorted(mine)
    taking = [
        team_id
        for team_id in mine
        if takes_tickets(registry.by_id[team_id], view.load(registry.by_id[team_id], now), now)
    ]
    assert (decision.team is None) == (not taking)
    if decision.team is not None:
        assert decision.team.id in taking
