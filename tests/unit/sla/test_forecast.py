"""Queue forecasts: Erlang C against its closed form, the fluid backlog model, rolling
counts from cumulative tallies, and the forecast of a team's queues with peaks."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import TeamKind
from schemas.config.teams import TeamConfig
from services.sla.domain.forecast import ERLANG_C, FLUID, TeamLoad, erlang_c, predict
from services.sla.domain.history import QueueTally, QueueTotals, TeamHistory, sum_tallies
from services.sla.domain.queues import Staffing, advance_history, forecast_team
from tests.unit.sla.story import CONFIG

HOUR = 3600.0


def erlang_c_closed_form(servers: int, load: float) -> float:
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [(1, 0.5, 0.5), (2, 1.0, 1 / 3), (10, 8.0, 0.4092), (5, 5.0, 1.0), (3, 0.0, 0.0)],
)
def test_erlang_c_known_values(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, abs=5e-4)


@settings(deadline=None)  # timing is the benchmarks' business
@given(st.integers(1, 60), st.floats(0.01, 0.99))
def test_erlang_c_agrees_with_its_closed_form(servers: int, utilisation: float) -> None:
    load = servers * utilisation
    assert erlang_c(servers, load) == pytest.approx(erlang_c_closed_form(servers, load), rel=1e-9)


def test_one_server_queue_has_the_textbook_service_level() -> None:
    # M/M/1, lambda = 4/h, mu = 6/h: P(W <= t) = 1 - rho * exp(-(mu - lambda) t).
    team = TeamLoad(servers=1, arrivals_per_second=4 / HOUR, service_per_second=6 / HOUR, backlog=0)
    prediction = predict(team, 4 / HOUR, {600.0: 1.0}, HOUR)
    expected = 1 - (4 / 6) * math.exp(-(2 / HOUR) * 600)
    assert prediction.model == ERLANG_C
    assert prediction.service_level == pytest.approx(expected)
    assert prediction.breaches == pytest.approx(4 * (1 - expected))
    assert prediction.wait_seconds == pytest.approx((4 / 6) / (2 / HOUR))


def test_overload_is_judged_by_the_fluid_model() -> None:
    # 10 servers at 6/h = 60/h capacity; 90/h arrive: the queue grows by 30/h.
    team = TeamLoad(
        servers=10, arrivals_per_second=90 / HOUR, service_per_second=6 / HOUR, backlog=0
    )
    prediction = predict(team, 90 / HOUR, {120.0: 1.0}, HOUR)
    assert prediction.model == FLUID
    # Wait at t is 30t/60 h: within 2 minutes for the first 4 minutes of the hour.
    assert prediction.service_level == pytest.approx(4 / 60, abs=0.01)
    assert prediction.breaches == pytest.approx(90 * (1 - prediction.service_level))


def test_a_backlog_drags_the_service_level_below_erlang_c() -> None:
    calm = TeamLoad(
        servers=10, arrivals_per_second=30 / HOUR, service_per_second=6 / HOUR, backlog=0
    )
    behind = TeamLoad(
        servers=10, arrivals_per_second=30 / HOUR, service_per_second=6 / HOUR, backlog=20
    )
    assert (
        predict(behind, 30 / HOUR, {300.0: 1}, HOUR).service_level
        < predict(calm, 30 / HOUR, {300.0: 1}, HOUR).service_level
    )


def test_nobody_on_shift_answers_nothing() -> None:
    team = TeamLoad(
        servers=0, arrivals_per_second=10 / HOUR, service_per_second=6 / HOUR, backlog=0
    )
    prediction = predict(team, 10 / HOUR, {14400.0: 1}, HOUR)
    assert prediction.service_level == 0
    assert prediction.wait_seconds is None
    assert prediction.breaches == pytest.approx(10)


def test_a_mix_of_targets_weighs_each_by_its_arrivals() -> None:
    team = TeamLoad(servers=2, arrivals_per_second=1 / HOUR, service_per_second=2 / HOUR, backlog=0)
    short = predict(team, 1 / HOUR, {60.0: 1}, HOUR).service_level
    long = predict(team, 1 / HOUR, {14400.0: 1}, HOUR).service_level
    mixed = predict(team, 1 / HOUR, {60.0: 1, 14400.0: 3}, HOUR).service_level
    assert mixed == pytest.approx(0.25 * short + 0.75 * long)


# -- rolling counts ------------------------------------------------------------------------
T = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
TEAM = TeamConfig.model_validate(
    {
        "id": "tallinn-care",
        "name": "Tallinn",
        "kind": "in_house",
        "skills": {"orders_shipping": 1.0, "returns_refunds": 0.9},
        "languages": ["en"],
        "channels": ["email"],
        "agents": 4,
        "concurrency": 2,
    }
)
ORDERS = "tallinn-care/orders_shipping"


def totals(arrived: int, served: int, waiting: int) -> dict[str, QueueTotals]:
    tallies = [
        QueueTally(
            queue_id=ORDERS,
            partition=p,
            arrivals={14400: arrived // 2},
            served=served // 2,
            waiting=waiting // 2,
        )
        for p in (0, 1)
    ]
    return sum_tallies(tallies)


def test_history_counts_growth_since_the_last_look_not_all_time_totals() -> None:
    history = TeamHistory(team_id=TEAM.id)
    step = {"bucket_ms": 300_000, "keep_ms": 10 * 3_600_000}
    history.advance(_ms(T), totals(1000, 900, 10), servers=8, **step)  # first look: baseline
    history.advance(_ms(T + timedelta(minutes=10)), totals(1010, 904, 10), servers=8, **step)
    history.advance(_ms(T + timedelta(minutes=20)), totals(1030, 910, 4), servers=8, **step)
    now = _ms(T + timedelta(minutes=20))
    rate, mix = history.arrival_rate(ORDERS, now, 30 * 60_000)
    assert mix == {14400: 30}
    assert rate == pytest.approx(30 / (20 * 60))
    # 8 servers; 10, 10, then 4 waiting: 8 busy for 10 minutes, then on average 6.
    assert sum(b.busy_ms for b in history.buckets) == (8 + 6) * 10 * 60_000
    assert history.service_rate(now, 3_600_000, min_served=5) == pytest.approx(10 / (14 * 600))


def test_forecasts_flag_a_peak_against_the_baseline() -> None:
    history = TeamHistory(team_id=TEAM.id)
    staffing = Staffing(agents=4)
    arrived = 0
    now = T
    for minute in range(0, 24 * 60, 10):  # a quiet day: 12 an hour
        now = T + timedelta(minutes=minute)
        arrived += 2
        advance_history(
            history=history,
            team=TEAM,
            staffing=staffing,
            totals=totals(arrived, 0, 0),
            config=CONFIG,
            now=now,
        )
    quiet = forecast_team(
        team=TEAM,
        staffing=staffing,
        history=history,
        totals=totals(arrived, 0, 0),
        config=CONFIG,
        now=now,
    )
    for _ in range(30):  # then 4 a minute for half an hour
        now += timedelta(minutes=1)
        arrived += 4
        advance_history(
            history=history,
            team=TEAM,
            staffing=staffing,
            totals=totals(arrived, 0, 0),
            config=CONFIG,
            now=now,
        )
    busy = forecast_team(
        team=TEAM,
        staffing=staffing,
        history=history,
        totals=totals(arrived, 0, 0),
        config=CONFIG,
        now=now,
    )
    orders = {f.queue_id: f for f in quiet}[ORDERS]
    assert not orders.peak
    assert orders.baseline_arrival_rate_per_hour == pytest.approx(12, rel=0.05)
    surge = {f.queue_id: f for f in busy}[ORDERS]
    assert surge.peak
    assert surge.arrival_rate_per_hour == pytest.approx(240, rel=0.05)
    assert surge.predicted_service_level < orders.predicted_service_level
    assert [f.skill for f in busy] == ["orders_shipping", "returns_refunds"]
    assert all(f.team_kind is TeamKind.IN_HOUSE and f.agents == 4 for f in busy)
    assert surge.window_end - surge.window_start == timedelta(hours=1)


def test_a_team_taken_offline_is_forecast_with_nobody() -> None:
    history = TeamHistory(team_id=TEAM.id)
    offline = Staffing(agents=4, online=False)
    forecasts = forecast_team(
        team=TEAM, staffing=offline, history=history, totals={}, config=CONFIG, now=T
    )
    assert all(f.agents == 0 and f.predicted_service_level == 0 for f in forecasts)


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def test_a_planned_shift_starting_within_the_horizon_counts_for_the_part_it_covers() -> None:
    history = TeamHistory(team_id=TEAM.id)
    now_only = forecast_team(
        team=TEAM, staffing=Staffing(agents=2), history=history, totals={}, config=CONFIG, now=T
    )
    with_shift = forecast_team(
        team=TEAM,
        staffing=Staffing(agents=2, ahead=5.0),
        history=history,
        totals={},
        config=CONFIG,
        now=T,
    )
    assert all(f.agents == 2 for f in now_only)
    assert all(f.agents == 5 for f in with_shift)
