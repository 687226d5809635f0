"""Invariants of relaxation rings, for any registry, load, ticket and wait (hypothesis).

Each team's ring for a ticket is re-derived here from the config, independently of the
policy's code: the wait after which its rings cover the ticket's language and skill
(and, for a partner, after which the data policy's ``wider_ring_only`` lets it see the
ticket), or never (channel, capabilities, the data policy's ``never_*``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from schemas.base import Channel, CustomerTier, TeamKind
from schemas.config.teams import OutsourcingConfig, TeamConfig
from services.router.domain.policy import RoutingRequest, decide
from services.router.domain.registry import Registry
from tests.unit.router.test_policy_properties import (
    LANGUAGES,
    SKILLS,
    is_open,
    moments,
    requests,
    worlds,
)

WAITS = ["PT2M", "PT10M", "PT30M"]


@st.composite
def ringed(draw: st.DrawFn, team: TeamConfig) -> TeamConfig:
    """The team with a few rings (or none)."""
    fields = team.model_dump(mode="json", exclude_none=True)
    rings = []
    for after in sorted(
        draw(st.lists(st.sampled_from(WAITS), max_size=3, unique=True)), key=WAITS.index
    ):
        missing = [s for s in SKILLS if s not in team.skills]
        ring: dict[str, Any] = {
            "after": after,
            "languages": draw(st.sampled_from([[], ["*"], ["*"], ["de"], ["et", "de"]])),
            "skills": dict.fromkeys(draw(st.lists(st.sampled_from(missing), unique=True)), 0.4)
            if missing
            else {},
        }
        if ring["languages"] or ring["skills"]:
            rings.append(ring)
    if rings:
        fields["rings"] = rings
        fields["fallback_language"] = "en"
    return TeamConfig.model_validate(fields)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Any, ...]:
    teams, outsourcing, view = draw(worlds())
    teams = [draw(ringed(team)) for team in teams]
    held = draw(
        st.sampled_from(
            [
                [],
                [{"after": "PT10M", "tiers": ["loyal"]}],
                [{"after": "PT2M", "skills": SKILLS[:1]}],
            ]
        )
    )
    outsourcing = OutsourcingConfig.model_validate(
        {
            **outsourcing.model_dump(mode="json"),
            "data_policy": {
                **outsourcing.data_policy.model_dump(mode="json"),
                "wider_ring_only": held,
            },
        }
    )
    base = draw(requests([t.id for t in teams]))
    crowded = draw(st.booleans())
    waited = draw(st.sampled_from([0.0, 60.0, 150.0, 600.0, 900.0, 3600.0]))
    ticket = base.ticket
    if crowded:
        waited = draw(st.sampled_from([150.0, 900.0, 3600.0]))
        ticket = dataclasses.replace(ticket, language=draw(st.sampled_from(["de", "et"])))
    request = RoutingRequest(ticket, base.budget_seconds, base.declined, waited)
    if crowded:
        # A crowded desk: the exact matches are full and the wider rings have room,
        # so that the rings matter.
        for team in teams:
            load = view.loads[team.id]
            wait = ring_wait(team, request, outsourcing)
            if wait == 0:
                view.loads[team.id] = dataclasses.replace(load, open=load.capacity)
            elif wait is not None and draw(st.booleans()):
                view.loads[team.id] = dataclasses.replace(load, open=0, capacity=4, online=True)
    return teams, outsourcing, view, request, draw(moments)


def ring_wait(
    config: TeamConfig, request: RoutingRequest, house: OutsourcingConfig
) -> float | None:
    """Seconds after which ``config`` may take the ticket (0: an exact match), or None."""
    ticket = request.ticket
    capabilities = set(config.capabilities) | (
        {"voice"} if Channel.PHONE in config.channels else set()
    )
    if ticket.channel not in config.channels or not ticket.needs <= capabilities:
        return None
    waits = [0.0]
    if config.kind is TeamKind.PARTNER:
        assert config.contract is not None
        own = config.contract.data_policy
        if ticket.skill in house.data_policy.never_skills + own.never_skills:
            return None
        if ticket.tier in house.data_policy.never_tiers + own.never_tiers:
            return None
        for rule in house.data_policy.wider_ring_only + own.wider_ring_only:
            if ticket.skill in rule.skills or ticket.tier in rule.tiers:
                waits.append(rule.after.total_seconds())
    if ticket.language != "und" and ticket.language not in config.languages:
        covering = [r for r in config.rings if "*" in r.languages or ticket.language in r.languages]
        if not covering:
            return None
        waits.append(min(r.after for r in covering).total_seconds())
    if ticket.skill not in config.skills:
        covering = [r for r in config.rings if ticket.skill in r.skills]
        if not covering:
            return None
        waits.append(min(r.after for r in covering).total_seconds())
    return max(waits)


def available(config: TeamConfig, request: RoutingRequest, view: Any, now: datetime) -> bool:
    load = view.loads[config.id]
    cap = config.contract.daily_volume_cap if config.contract else None
    return (
        config.id not in request.declined
        and load.online
        and is_open(config, now)
        and (cap is None or load.offers_today < cap)
        and load.open < load.capacity
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_rings_widen_only_after_their_wait_nearest_first_within_the_data_policy(
    scenario: tuple[Any, ...],
) -> None:
    teams, outsourcing, view, request, now = scenario
    decision = decide(Registry(teams, outsourcing), request, view, now)
    event(f"{decision.kind}, ring {decision.ring.level if decision.ring else 0}")
    waits = {t.id: ring_wait(t, request, outsourcing) for t in teams}
    by_id = {t.id: t for t in teams}
    # Teams with room in a ring already open for this ticket.
    reachable = {
        team_id: wait
        for team_id, wait in waits.items()
        if wait is not None
        and wait <= request.waited_seconds
        and available(by_id[team_id], request, view, now)
    }
    if decision.team is None:
        assert not reachable, decision.reason
        return
    chosen = waits[decision.team.id]
    # Never widens before its wait; never what the data policy keeps in (never_*).
    assert chosen is not None, decision.reason
    assert chosen <= request.waited_seconds, decision.reason
    assert decision.team.id in reachable
    # Never skips a nearer ring that has room.
    assert chosen == min(reachable.values()), decision.reason
    assert (decision.ring is None) == (chosen == 0)
    if decision.ring is not None:
        assert decision.ring.opened_after_seconds == chosen
        assert decision.ring.waited_seconds == request.waited_seconds


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_rings_change_no_decision_an_exact_match_could_make(scenario: tuple[Any, ...]) -> None:
    teams, outsourcing, view, request, now = scenario
    without = [
        TeamConfig.model_validate(
            {**t.model_dump(mode="json", exclude_none=True), "rings": [], "fallback_language": None}
        )
        for t in teams
    ]
    house = OutsourcingConfig.model_validate(
        {
            **outsourcing.model_dump(mode="json"),
            "data_policy": {
                **outsourcing.data_policy.model_dump(mode="json"),
                "wider_ring_only": [],
            },
        }
    )
    with_rings = decide(Registry(teams, house), request, view, now)
    before = decide(Registry(without, house), request, view, now)
    if before.team is None:
        return
    event(before.kind)
    assert with_rings.team is not None
    assert (with_rings.team.id, with_rings.kind, with_rings.reason) == (
        before.team.id,
        before.kind,
        before.reason,
    )
    assert with_rings.ring is None


def test_the_generators_reach_every_kind_of_ticket() -> None:
    """Sanity of the strategies above: every language and tier can be drawn."""
    assert set(LANGUAGES) <= {"en", "de", "et"}
    assert CustomerTier.LOYAL in list(CustomerTier)
