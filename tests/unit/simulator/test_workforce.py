"""The simulated workforce: handle times, first replies, partner answers, staffing."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from schemas.base import Channel, TeamKind
from schemas.config import load_config
from schemas.config.teams import TeamConfig
from switchboard.simulator import (
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    Workforce,
    partner_capacity_announcements,
)
from switchboard.simulator.data import workforce as data
from tests.conftest import SAMPLE_CONFIG

TICKETS = [f"ticket-{n}" for n in range(4_000)]


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


@pytest.mark.parametrize(
    ("channel", "skill"),
    [(Channel.CHAT, "orders_shipping"), (Channel.EMAIL, "account_technical")],
)
def test_handle_times_are_log_normal_as_configured(channel: Channel, skill: str) -> None:
    workforce = Workforce(seed=1)
    samples = [minutes(workforce.handle_time(t, channel, skill)) for t in TICKETS]
    median = data.HANDLE_MEDIAN_MINUTES[channel] * data.SKILL_HANDLE_FACTOR[skill]
    # Median of 4,000 log-normal draws: standard error ~2% at these spreads.
    assert statistics.median(samples) == pytest.approx(median, rel=0.07)
    spread = statistics.stdev(math.log(sample) for sample in samples)
    assert spread == pytest.approx(data.HANDLE_SIGMA[channel], rel=0.07)


def test_partner_agents_take_longer() -> None:
    workforce = Workforce(seed=1)
    own = statistics.median(
        minutes(workforce.handle_time(t, Channel.EMAIL, "returns_refunds")) for t in TICKETS
    )
    partner = statistics.median(
        minutes(
            workforce.handle_time(t, Channel.EMAIL, "returns_refunds", team_kind=TeamKind.PARTNER)
        )
        for t in TICKETS
    )
    assert partner / own == pytest.approx(data.PARTNER_HANDLE_FACTOR, rel=0.03)


def test_first_replies_come_faster_on_live_channels() -> None:
    workforce = Workforce(seed=2)
    chat = statistics.median(
        workforce.first_response_delay(t, Channel.CHAT).total_seconds() for t in TICKETS
    )
    email = statistics.median(
        workforce.first_response_delay(t, Channel.EMAIL).total_seconds() for t in TICKETS
    )
    assert chat == pytest.approx(data.FIRST_RESPONSE_MEDIAN_SECONDS[Channel.CHAT], rel=0.07)
    assert email > 3 * chat


def test_draws_depend_on_the_ticket_not_on_the_order_of_asking() -> None:
    forward, backward = Workforce(seed=7), Workforce(seed=7)
    first = [forward.handle_time(t, Channel.CHAT, "payments_billing") for t in TICKETS[:50]]
    second = [
        backward.handle_time(t, Channel.CHAT, "payments_billing") for t in reversed(TICKETS[:50])
    ]
    assert first == list(reversed(second))
    other_seed = [
        Workforce(seed=8).handle_time(t, Channel.CHAT, "payments_billing") for t in TICKETS[:50]
    ]
    assert other_seed != first
    assert forward.handle_time("t", Channel.CHAT, "x", attempt=2) != forward.handle_time(
        "t", Channel.CHAT, "x", attempt=1
    )


def decisions(load: float, proficiency: float) -> Counter[str]:
    workforce = Workforce(seed=3)
    return Counter(
        workforce.partner_decision(
            t,
            "nearshore-bpo",
            language="lv",
            skill="returns_refunds",
            proficiency=proficiency,
            load=load,
        ).outcome
        for t in TICKETS
    )


def test_an_idle_capable_partner_accepts_almost_everything() -> None:
    outcomes = decisions(load=0.2, proficiency=1.0)
    assert outcomes["accept"] / len(TICKETS) == pytest.approx(
        (1 - data.IGNORE_BASE) * (1 - data.REJECT_BASE), abs=0.015
    )


def test_a_full_partner_rejects_and_ignores_more() -> None:
    idle, full = decisions(load=0.2, proficiency=0.8), decisions(load=1.0, proficiency=0.8)
    assert full["reject"] > idle["reject"] + 0.15 * len(TICKETS)
    assert full["ignore"] > idle["ignore"] * 2


def test_answers_carry_reasons_and_delays() -> None:
    workforce = Workforce(seed=4)
    reasons: Counter[str] = Counter()
    delays = []
    for ticket in TICKETS:
        decision = workforce.partner_decision(
            ticket, "bpo", language="tr", skill="payments_billing", proficiency=0.6, load=0.95
        )
        if decision.outcome == "ignore":
            assert decision.after is None
            assert decision.reason is None
            continue
        assert decision.after is not None
        delays.append(decision.after.total_seconds())
        if decision.outcome == "reject":
            assert decision.reason
            reasons[decision.reason] += 1
        else:
            assert decision.reason is None
    assert statistics.median(delays) == pytest.approx(data.OFFER_RESPONSE_MEDIAN_SECONDS, rel=0.1)
    assert reasons.most_common(1)[0][0] in {
        data.REJECT_REASONS["capacity"],
        data.REJECT_REASONS["skill"].format(skill="payments_billing"),
    }
    assert data.REJECT_REASONS["language"].format(language="tr") in reasons


def sample_teams() -> list[TeamConfig]:
    return load_config(SAMPLE_CONFIG).teams


def test_partners_announce_peak_staffing_and_each_day_s_headcount() -> None:
    teams = sample_teams()
    events = partner_capacity_announcements(teams, DEMO_FIRST_DAY, DEMO_LAST_DAY, seed=42)
    partners = {team.id for team in teams if team.kind is TeamKind.PARTNER}
    assert {event.team_id for event in events} == partners
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    start = datetime(2026, 11, 24, 22, tzinfo=UTC)  # midnight in Vilnius
    assert all(start <= e.occurred_at < start + timedelta(days=7) for e in events)

    partner = next(team for team in teams if team.kind is TeamKind.PARTNER)
    first_plan = next(event for event in events if event.team_id == partner.id)
    plan = {shift.day: shift.agents for shift in first_plan.planned}
    assert len(plan) == 7
    assert plan[DEMO_FIRST_DAY] >= partner.agents
    assert plan[datetime(2026, 11, 27).date()] == round(partner.agents * data.MAX_PEAK_RAMP)
    assert max(plan, key=lambda day: plan[day]) == datetime(2026, 11, 27).date()

    top_ups = [e for e in events if "extra" in e.announced_by]
    assert {e.occurred_at.date() for e in top_ups} == {
        datetime(2026, 11, 27).date(),
        datetime(2026, 11, 30).date(),
    }
    for event in events:
        if "shift start" in event.announced_by:
            planned = event.planned[0].agents
            assert planned * (1 - data.ABSENCE_MAX_SHARE) - 1 <= event.agents_on_shift <= planned


def test_staffing_announcements_repeat_with_the_seed() -> None:
    teams = sample_teams()
    first = partner_capacity_announcements(teams, DEMO_FIRST_DAY, DEMO_LAST_DAY, seed=5)
    again = partner_capacity_announcements(teams, DEMO_FIRST_DAY, DEMO_LAST_DAY, seed=5)
    other = partner_capacity_announcements(teams, DEMO_FIRST_DAY, DEMO_LAST_DAY, seed=6)
    assert first == again
    assert [e.agents_on_shift for e in first] != [e.agents_on_shift for e in other]
    assert len({e.event_id for e in first}) == len(first)
