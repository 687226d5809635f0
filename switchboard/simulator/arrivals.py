"""When first contacts arrive: a non-homogeneous Poisson process per market.

The rate is constant within each hour of the market's local time (hour-of-day
curve x weekday factor x seasonal multiplier), so arrivals are drawn exactly,
hour by hour, with exponential gaps; no thinning is needed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from switchboard.simulator.data.markets import Market
from switchboard.simulator.params import TrafficParams
from switchboard.simulator.season import CONTACT_HOURLY, CONTACT_WEEKDAY, Season

_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Segment:
    """A stretch of time with a constant contact rate."""

    start: datetime
    end: datetime
    per_hour: float

    @property
    def expected(self) -> float:
        return self.per_hour * (self.end - self.start) / _HOUR


def contact_rate(
    params: TrafficParams,
    season: Season,
    market: Market,
    at: datetime,
    *,
    seasonal: bool = True,
) -> float:
    """First contacts per hour from ``market`` at the instant ``at``."""
    local = at.astimezone(ZoneInfo(market.timezone))
    multiplier = season.multiplier(local.date()) if seasonal else 1.0
    per_day = (
        params.baseline_contacts_per_day
        * market.share
        * CONTACT_WEEKDAY[local.weekday()]
        * multiplier
    )
    return per_day * CONTACT_HOURLY[local.hour]


def segments(
    params: TrafficParams,
    season: Season,
    market: Market,
    start: datetime,
    end: datetime,
    *,
    seasonal: bool = True,
) -> Iterator[Segment]:
    """Hour-long segments (cut at ``start`` and ``end``) with the rate of each.

    Segments are aligned on UTC hours, which are local hours in every zone with a
    whole-hour offset; in the rare half-hour zones the rate of the segment's
    middle is used.
    """
    cursor = start
    while cursor < end:
        hour_end = min(cursor.replace(minute=0, second=0, microsecond=0) + _HOUR, end)
        middle = cursor + (hour_end - cursor) / 2
        rate = contact_rate(params, season, market, middle, seasonal=seasonal)
        yield Segment(cursor, hour_end, rate)
        cursor = hour_end


def expected_contacts(
    params: TrafficParams,
    start: datetime,
    end: datetime,
    *,
    seasonal: bool = True,
    season: Season | None = None,
) -> float:
    """Expected number of first contacts in ``[start, end)``, all markets together."""
    season = season or Season(params.season)
    return sum(
        segment.expected
        for market in params.markets
        for segment in segments(params, season, market, start, end, seasonal=seasonal)
    )


def arrival_times(
    rng: random.Random,
    params: TrafficParams,
    season: Season,
    market: Market,
    *,
    start: datetime,
    end: datetime,
) -> Iterator[datetime]:
    """First-contact instants from ``market`` in ``[start, end)``, in order."""
    for segment in segments(params, season, market, start, end):
        if segment.per_hour <= 0:
            continue
        at = segment.start
        while True:
            at += timedelta(hours=rng.expovariate(segment.per_hour))
            if at >= segment.end:
                break
            yield at
