"""Invariants of the routing policy, for any registry, load and ticket (hypothesis).

Eligibility is re-derived here from the config, independently of the policy's own
code: skill, language, channel, needs, data policy, declined teams, online,
working hours (zoneinfo + holidays), partner volume caps.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import event, given, settings
from hypothesis import strategies as st

from schemas.base import Channel, CustomerTier, TeamKind
from schemas.config.teams import WEEKDAYS, OutsourcingConfig, TeamConfig, parse_range
from services.router.domain.load import TeamLoad, predicted_wait
from services.router.domain.policy import RoutingRequest, decide
from services.router.domain.registry import Registry, TicketProfile
from tests.unit.router.support import FakeView

SKILLS = ["orders_shipping", "returns_refunds", "payments_billing"]
LANGUAGES = ["en", "de", "et"]
CHANNELS = [Channel.EMAIL, Channel.CHAT, Channel.PHONE]
ZONES = ["Europe/Tallinn", "America/New_York", "Asia/Manila"]
SCHEDULES = [
    None,
    {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {"sat": ["10:00-14:00"], "sun": ["10:00-14:00"]},
    {d: ["08:00-12:00", "13:00-20:00"] for d in ("mon", "wed", "fri")},
]


@st.composite
def team_configs(draw: st.DrawFn, index: int) -> TeamConfig:
    kind = draw(st.sampled_from(["in_house", "partner"]))
    schedule = draw(st.sampled_from([None, None, None, *SCHEDULES]))
    fields: dict[str, Any] = {
        "id": f"team-{index}",
        "name": f"Team {index}",
        "kind": kind,
        "skills": {
            s: draw(st.sampled_from([0.5, 0.8, 1.0]))
            for s in draw(st.lists(st.sampled_from(SKILLS), min_size=2, unique=True))
        },
        # Mostly overlapping teams, so that decisions have real choices to make.
        "languages": ["en", *draw(st.lists(st.sampled_from(LANGUAGES[1:]), unique=True))],
        "channels": [Channel.EMAIL, *draw(st.lists(st.sampled_from(CHANNELS[1:]), unique=True))],
        "agents": draw(st.integers(0, 4)),
        "concurrency": draw(st.integers(1, 3)),
        "cost_per_ticket": draw(st.sampled_from(["2.00", "3.50", "5.00", "6.50"])),
        "mean_handle_time": draw(st.sampled_from(["PT5M", "PT15M", "PT40M"])),
    }
    if schedule is not None:
        fields["hours"] = {
            "time_zone": draw(st.sampled_from(ZONES)),
            "weekly": schedule,
            "holidays_country": draw(st.sampled_from([None, "EE", "US"])),
        }
    if kind == "partner":
        fields["contract"] = {
            "daily_volume_cap": draw(st.sampled_from([None, 0, 3, 50])),
            "data_policy": {
                "never_tiers": draw(st.lists(st.sampled_from(["vip", "loyal"]), unique=True))
            },
        }
    return TeamConfig.model_validate(fields)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[TeamConfig], OutsourcingConfig, FakeView]:
    count = draw(st.integers(2, 8))
    teams = [draw(team_configs(i)) for i in range(count)]
    outsourcing = OutsourcingConfig.model_validate(
        {
            "share_limit": draw(st.sampled_from([0.0, 0.3, 1.0])),
            "data_policy": {
                "never_skills": draw(st.lists(st.sampled_from(SKILLS), max_size=1, unique=True))
            },
        }
    )
    loads = {}
    for config in teams:
        capacity = draw(st.sampled_from([0, 2, 4, 6, 8]))
        loads[config.id] = TeamLoad(
            # Biased towards free slots, with full and over-full teams still common.
            open=min(draw(st.integers(0, capacity + 2)), draw(st.integers(0, capacity + 2))),
            capacity=capacity,
            online=draw(st.sampled_from([True, True, True, False])),
            arrival_rate=draw(st.sampled_from([0.0, 0.001, 0.005, 0.02])),
            offers_today=draw(st.integers(0, 60)),
        )
    return teams, outsourcing, FakeView(loads)


@st.composite
def requests(draw: st.DrawFn, team_ids: list[str]) -> RoutingRequest:
    ticket = TicketProfile(
        skill=draw(st.sampled_from(SKILLS)),
        language=draw(st.sampled_from(["en", "en", "und", *LANGUAGES[1:]])),
        channel=draw(st.sampled_from([Channel.EMAIL, Channel.EMAIL, *CHANNELS[1:]])),
        needs=frozenset(draw(st.sampled_from([(), (), ("voice",)]))),
        tier=draw(st.sampled_from(list(CustomerTier))),
        marketplace=None,
    )
    return RoutingRequest(
        ticket,
        budget_seconds=draw(st.sampled_from([0.0, 30.0, 120.0, 900.0, 14_400.0])),
        declined=frozenset(draw(st.lists(st.sampled_from(team_ids), max_size=1, unique=True))),
    )


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def is_open(config: TeamConfig, now: datetime) -> bool:
    hours = config.hours
    if hours is None:
        return True
    local = now.astimezone(ZoneInfo(hours.time_zone))
    if hours.holidays_country and local.date() in holidays.country_holidays(hours.holidays_country):
        return False
    minute = local.hour * 60 + local.minute + local.second / 60
    ranges = [parse_range(r) for r in hours.weekly.get(WEEKDAYS[local.weekday()], [])]
    return any(start <= minute < end for start, end in ranges)


def eligible(
    config: TeamConfig,
    request: RoutingRequest,
    load: TeamLoad,
    outsourcing: OutsourcingConfig,
    now: datetime,
) -> bool:
    ticket = request.ticket
    partner = config.kind is TeamKind.PARTNER
    if partner:
        assert config.contract is not None
        never_skills = set(outsourcing.data_policy.never_skills)
        never_tiers = set(outsourcing.data_policy.never_tiers) | set(
            config.contract.data_policy.never_tiers
        )
        if ticket.skill in never_skills or ticket.tier in never_tiers:
            return False
        cap = config.contract.daily_volume_cap
        if cap is not None and load.offers_today >= cap:
            return False
    capabilities = set(config.capabilities)
    if Channel.PHONE in config.channels:
        capabilities.add("voice")
    return (
        ticket.skill in config.skills
        and (ticket.language == "und" or ticket.language in config.languages)
        and ticket.channel in config.channels
        and ticket.needs <= capabilities
        and config.id not in request.declined
        and load.online
        and is_open(config, now)
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Any, ...]:
    teams, outsourcing, view = draw(worlds())
    request = draw(requests([t.id for t in teams]))
    return teams, outsourcing, view, request, draw(moments)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_routing_invariants(scenario: tuple[Any, ...]) -> None:
    teams, outsourcing, view, request, now = scenario
    registry = Registry(teams, outsourcing)
    decision = decide(registry, request, view, now)
    event(decision.kind)
    by_id = {t.id: t for t in teams}
    ok = {t.id for t in teams if eligible(t, request, view.loads[t.id], outsourcing, now)}
    with_room = {t for t in ok if view.loads[t].open < view.loads[t].capacity}

    # Never an ineligible team.
    if decision.team is not None:
        assert decision.team.id in ok, decision.reason

    # Never above capacity when an eligible team has room (and never stalled then).
    if with_room:
        assert decision.team is not None, decision.reason
        assert decision.team.id in with_room
    else:
        assert decision.team is None

    # In-house whenever an in-house team can meet the SLA budget.
    in_house_meets_budget = [
        t
        for t in with_room
        if by_id[t].kind is TeamKind.IN_HOUSE
        and predicted_wait(registry.by_id[t], view.loads[t]) <= request.budget_seconds
    ]
    if in_house_meets_budget:
        assert decision.team is not None
        assert decision.team.kind is TeamKind.IN_HOUSE, decision.reason


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_inputs_same_decision_whatever_the_config_order(
    scenario: tuple[Any, ...], shuffler: random.Random
) -> None:
    teams, outsourcing, view, request, now = scenario
    first = decide(Registry(teams, outsourcing), request, view, now)
    again = decide(Registry(teams, outsourcing), request, view, now)
    shuffled = list(teams)
    shuffler.shuffle(shuffled)
    reordered = decide(Registry(shuffled, outsourcing), request, view, now)
    for other in (again, reordered):
        assert (other.team.id if other.team else None) == (first.team.id if first.team else None)
        assert other.reason == first.reason
        assert other.kind == first.kind
