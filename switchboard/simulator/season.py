"""Demand over time: the contact rate by local hour, weekday and season, and the
skill mix the season shifts.

Contacts lag orders: the hourly and weekday contact curves are the order
curves (``data.curves``) spread over the following hours and days by lag
kernels. The seasonal multipliers are given for contacts directly; their lag
shows in the skill mix instead: busy days feed "where is my order" in the
following week and returns in the weeks after.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from schemas.base import Channel
from switchboard.simulator.data import curves, mix
from switchboard.simulator.params import SeasonalProfile


def _lagged(values: Sequence[float], lag: Sequence[float]) -> list[float]:
    """Circular convolution: how much of ``values`` arrives at each position after the lag."""
    size = len(values)
    return [
        sum(weight * values[(index - delay) % size] for delay, weight in enumerate(lag))
        for index in range(size)
    ]


def _contact_hourly() -> tuple[float, ...]:
    lagged = _lagged(curves.ORDER_HOURLY, curves.HOURLY_CONTACT_LAG)
    total = sum(lagged)
    return tuple(value / total for value in lagged)


def _contact_weekday() -> tuple[float, ...]:
    lagged = _lagged(curves.ORDER_WEEKDAY, curves.DAILY_CONTACT_LAG)
    mean = sum(lagged) / len(lagged)
    return tuple(value / mean for value in lagged)


#: Share of a day's contacts that arrive in each local hour (sums to 1).
CONTACT_HOURLY: tuple[float, ...] = _contact_hourly()
#: Contact volume per local weekday, Monday first, relative to an average day (mean 1).
CONTACT_WEEKDAY: tuple[float, ...] = _contact_weekday()


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def cyber_monday(year: int) -> date:
    return black_friday(year) + timedelta(days=3)


class Season:
    """Seasonal multipliers of contact volume per local date, and the skill mix."""

    def __init__(self, profile: SeasonalProfile) -> None:
        self.profile = profile
        self._cache: dict[date, float] = {}
        self._skills: dict[tuple[date, Channel], dict[str, float]] = {}

    def multiplier(self, day: date) -> float:
        """Contact volume on ``day`` relative to the same weekday in an ordinary week."""
        cached = self._cache.get(day)
        if cached is None:
            offset = (day - black_friday(day.year)).days
            candidates = [self.profile.black_friday_weeks.get(offset), self._christmas(day)]
            known = [value for value in candidates if value is not None]
            cached = max(known) if known else 1.0
            self._cache[day] = cached
        return cached

    def _christmas(self, day: date) -> float | None:
        season_year = day.year if day.month >= 7 else day.year - 1
        points = sorted(
            (date(season_year + (1 if month < 7 else 0), month, dom), value)
            for (month, dom), value in self.profile.christmas_points.items()
        )
        if not points or day < points[0][0] or day > points[-1][0]:
            return None
        for (left, low), (right, high) in itertools.pairwise(points):
            if left <= day <= right:
                share = (day - left).days / (right - left).days
                return low + (high - low) * share
        return points[-1][1]

    def _pressure(self, day: date, days_back: Sequence[int], weights: Sequence[float]) -> float:
        return sum(
            weight * max(0.0, self.multiplier(day - timedelta(days=back)) - 1.0)
            for back, weight in zip(days_back, weights, strict=True)
        )

    def skill_weights(self, day: date, channel: Channel) -> dict[str, float]:
        """Relative weight of each skill for a first contact on ``day`` by ``channel``."""
        cached = self._skills.get((day, channel))
        if cached is None:
            cached = self._skill_weights(day, channel)
            self._skills[(day, channel)] = cached
        return cached

    def _skill_weights(self, day: date, channel: Channel) -> dict[str, float]:
        shipping = self._pressure(
            day,
            range(1, len(curves.SHIPPING_LAG_WEIGHTS) + 1),
            curves.SHIPPING_LAG_WEIGHTS,
        )
        low, high = curves.RETURNS_LAG_DAYS
        returns_days = range(low, high + 1)
        returns = self._pressure(day, returns_days, [1 / len(returns_days)] * len(returns_days))
        today = max(0.0, self.multiplier(day) - 1.0)
        seasonal: Mapping[str, float] = {
            "orders_shipping": 1 + mix.SHIPPING_PER_PRESSURE * shipping,
            "returns_refunds": 1 + mix.RETURNS_PER_PRESSURE * returns,
            "product_question": 1 + mix.PRESALE_PER_PRESSURE * today,
            "payments_billing": 1 + mix.PAYMENTS_PER_PRESSURE * today,
        }
        affinity = mix.CHANNEL_SKILL_AFFINITY[channel]
        return {
            skill: base * seasonal.get(skill, 1.0) * affinity.get(skill, 1.0)
            for skill, base in mix.SKILL_BASE.items()
        }
