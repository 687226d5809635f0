"""The knobs of the traffic model, with defaults sized for the demo week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schemas.base import Channel
from switchboard.simulator.data.curves import BLACK_FRIDAY_WEEKS, CHRISTMAS_POINTS
from switchboard.simulator.data.markets import MARKETS, Market
from switchboard.simulator.data.threads import DUPLICATE_SHARE, FOLLOW_UPS, FollowUpShape

#: The demo week: Wednesday before Black Friday to the Tuesday after Cyber Monday.
DEMO_FIRST_DAY = date(2026, 11, 25)
DEMO_LAST_DAY = date(2026, 12, 1)
DEFAULT_SEED = 42


@dataclass(frozen=True)
class SeasonalProfile:
    """Contact multipliers by date: Black Friday weeks and the Christmas season."""

    #: Days after Black Friday -> multiplier (0 is Black Friday, 3 Cyber Monday).
    black_friday_weeks: dict[int, float] = field(default_factory=lambda: dict(BLACK_FRIDAY_WEEKS))
    #: (month, day) -> multiplier, interpolated between points, 1 outside them.
    christmas_points: dict[tuple[int, int], float] = field(
        default_factory=lambda: dict(CHRISTMAS_POINTS)
    )


@dataclass(frozen=True)
class TrafficParams:
    #: First contacts (new conversations) on an ordinary day, all markets together,
    #: before follow-ups and duplicates. 440 gives about 20,000 inbound messages in
    #: the demo week.
    baseline_contacts_per_day: float = 440.0
    #: Where "a day" starts and ends for ranges and summaries.
    shop_timezone: str = "Europe/Tallinn"
    markets: tuple[Market, ...] = MARKETS
    season: SeasonalProfile = field(default_factory=SeasonalProfile)
    follow_ups: dict[Channel, FollowUpShape] = field(default_factory=lambda: dict(FOLLOW_UPS))
    duplicate_share: dict[Channel, float] = field(default_factory=lambda: dict(DUPLICATE_SHARE))

    def __post_init__(self) -> None:
        if self.baseline_contacts_per_day <= 0:
            raise ValueError("baseline_contacts_per_day must be positive")
        total = sum(market.share for market in self.markets)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"market shares must add up to 1, not {total}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shop_timezone)


def day_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` (both included), local to
    ``timezone``, as UTC instants."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(0), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end
