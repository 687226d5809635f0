"""The arrival process: daily and weekly shape, the Black Friday peak, the season."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schemas.base import Channel
from switchboard.simulator import (
    Season,
    SeasonalProfile,
    TrafficParams,
    black_friday,
    cyber_monday,
    day_range,
    expected_contacts,
)
from switchboard.simulator.arrivals import arrival_times
from switchboard.simulator.data import curves
from switchboard.simulator.season import CONTACT_HOURLY, CONTACT_WEEKDAY

#: A large baseline makes the counts tight enough for narrow tolerances, cheaply:
#: arrival times alone cost microseconds each.
BIG = TrafficParams(baseline_contacts_per_day=20_000)
SEASON = Season(SeasonalProfile())


def arrivals(
    params: TrafficParams, first: date, last: date, seed: int = 1
) -> list[tuple[str, datetime]]:
    start, end = day_range(first, last, params.shop_timezone)
    out: list[tuple[str, datetime]] = []
    for market in params.markets:
        rng = random.Random(f"{seed}:{market.code}")
        out.extend(
            (market.timezone, at)
            for at in arrival_times(rng, params, SEASON, market, start=start, end=end)
        )
    return out


def evening_or_weekend_share(times: list[tuple[str, datetime]]) -> float:
    def late(zone: str, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(zone))
        return local.weekday() >= 5 or local.hour >= 17

    return sum(late(zone, at) for zone, at in times) / len(times)


def test_about_half_of_orders_come_after_five_or_at_weekends() -> None:
    hourly = [value / sum(curves.ORDER_HOURLY) for value in curves.ORDER_HOURLY]
    weekday = [value / sum(curves.ORDER_WEEKDAY) for value in curves.ORDER_WEEKDAY]
    weekend = weekday[5] + weekday[6]
    share = weekend + (1 - weekend) * sum(hourly[17:])
    assert share == pytest.approx(0.5, abs=0.03)


def test_about_half_of_contacts_come_after_five_or_at_weekends() -> None:
    # An ordinary week in March: no seasonal effect, one DST-free stretch.
    times = arrivals(
        TrafficParams(baseline_contacts_per_day=5_000), date(2026, 3, 2), date(2026, 3, 8)
    )
    assert len(times) > 30_000
    assert evening_or_weekend_share(times) == pytest.approx(0.5, abs=0.05)


def test_contacts_lag_orders_through_the_evening() -> None:
    order_hourly = [value / sum(curves.ORDER_HOURLY) for value in curves.ORDER_HOURLY]
    assert sum(CONTACT_HOURLY) == pytest.approx(1.0)
    assert sum(CONTACT_WEEKDAY) / 7 == pytest.approx(1.0)
    # The lag moves volume later in the day: more contacts than orders after 22:00.
    assert sum(CONTACT_HOURLY[22:]) > sum(order_hourly[22:])
    # Monday carries the weekend's orders.
    assert CONTACT_WEEKDAY[0] > CONTACT_WEEKDAY[4]


def test_black_friday_brings_about_eight_times_an_ordinary_friday() -> None:
    friday = len(arrivals(BIG, date(2026, 11, 6), date(2026, 11, 6)))
    peak = len(arrivals(BIG, date(2026, 11, 27), date(2026, 11, 27)))
    # Poisson noise on ~19,000 vs ~154,000 arrivals is about 1%; the rest of the
    # tolerance is the other markets' time zones, whose day does not match Tallinn's.
    assert peak / friday == pytest.approx(8.0, rel=0.05)


def test_cyber_monday_and_the_christmas_ramp() -> None:
    monday = len(arrivals(BIG, date(2026, 11, 9), date(2026, 11, 9)))
    cyber = len(arrivals(BIG, date(2026, 11, 30), date(2026, 11, 30)))
    assert cyber / monday == pytest.approx(6.0, rel=0.05)
    ramp = [SEASON.multiplier(date(2026, 12, day)) for day in range(4, 19)]
    assert ramp == sorted(ramp)
    assert ramp[-1] > 2.5
    assert SEASON.multiplier(date(2026, 12, 25)) < 1.0
    assert SEASON.multiplier(date(2027, 1, 3)) > 1.2
    assert SEASON.multiplier(date(2027, 3, 1)) == 1.0


def test_counts_match_the_model_s_expectation() -> None:
    first, last = date(2026, 11, 25), date(2026, 12, 1)
    start, end = day_range(first, last, BIG.shop_timezone)
    expected = expected_contacts(BIG, start, end)
    observed = len(arrivals(BIG, first, last))
    assert observed == pytest.approx(expected, rel=0.01)


def test_arrivals_are_ordered_and_inside_the_range() -> None:
    params = TrafficParams(baseline_contacts_per_day=2_000)
    start, end = day_range(date(2026, 3, 28), date(2026, 3, 30), params.shop_timezone)  # DST
    for market in params.markets:
        times = list(arrival_times(random.Random(3), params, SEASON, market, start=start, end=end))
        assert times == sorted(times)
        assert all(start <= at < end for at in times)


@pytest.mark.parametrize(
    ("year", "friday"),
    [(2024, date(2024, 11, 29)), (2025, date(2025, 11, 28)), (2026, date(2026, 11, 27)),
     (2027, date(2027, 11, 26)), (2030, date(2030, 11, 29))],
)  # fmt: skip
def test_black_friday_follows_thanksgiving(year: int, friday: date) -> None:
    assert black_friday(year) == friday
    assert cyber_monday(year) == friday + timedelta(days=3)


def test_returns_follow_the_peaks_by_weeks() -> None:
    def returns_share(day: date) -> float:
        weights = SEASON.skill_weights(day, Channel.EMAIL)
        return weights["returns_refunds"] / sum(weights.values())

    ordinary = returns_share(date(2026, 10, 14))
    assert returns_share(date(2026, 12, 14)) > ordinary + 0.03
    assert returns_share(date(2027, 1, 5)) > ordinary + 0.03
    assert returns_share(date(2026, 11, 27)) < returns_share(date(2026, 12, 14))


def test_the_baseline_scales_volume() -> None:
    start, end = day_range(date(2026, 5, 4), date(2026, 5, 10), "Europe/Tallinn")
    small = expected_contacts(TrafficParams(baseline_contacts_per_day=100), start, end)
    assert small == pytest.approx(700, rel=0.01)
