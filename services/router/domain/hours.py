"""Is a team open at a given instant? Its weekly hours in its own time zone, minus holidays.

``state_at`` answers for any instant, together with how long the answer holds
(until the next opening or closing, or local midnight, whichever comes first),
so ``is_open`` can answer the following decisions from a cache until then.
Daylight-saving changes are handled by converting local wall times with zoneinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from schemas.config.teams import WEEKDAYS, WorkingHours

_DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class HoursState:
    open: bool
    until: datetime  # the answer holds for instants before this one
    note: str = ""


class OpeningHours:
    """Compiled working hours; ``None`` config means always open."""

    def __init__(self, config: WorkingHours | None) -> None:
        self.always_open = config is None
        self.time_zone = ZoneInfo(config.time_zone) if config else ZoneInfo("UTC")
        self.zone_name = config.time_zone if config else "UTC"
        self._ranges: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple((start * 60, end * 60) for start, end in config.ranges(day)) if config else ()
            for day in WEEKDAYS
        )
        self._holidays: holidays.HolidayBase | None = (
            holidays.country_holidays(config.holidays_country, subdiv=config.holidays_subdivision)
            if config and config.holidays_country
            else None
        )
        self._cached: tuple[datetime, HoursState] | None = None

    def is_open(self, now: datetime) -> bool:
        cached = self._cached
        if cached is not None and cached[0] <= now < cached[1].until:
            return cached[1].open
        return self.state(now).open

    def state(self, now: datetime) -> HoursState:
        """``state_at(now)``, from a cache while the last answer still holds."""
        cached = self._cached
        if cached is not None and cached[0] <= now < cached[1].until:
            return cached[1]
        state = self.state_at(now)
        self._cached = (now, state)
        return state

    def holiday(self, day: date) -> str | None:
        if self._holidays is None:
            return None
        name = self._holidays.get(day)
        return str(name) if name else None

    def state_at(self, now: datetime) -> HoursState:
        if self.always_open:
            return HoursState(open=True, until=datetime.max.replace(tzinfo=UTC))
        local = now.astimezone(self.time_zone)
        day = local.date()
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        midnight = self._to_utc(day + timedelta(days=1), 0)
        holiday = self.holiday(day)
        if holiday is not None:
            note = f"public holiday: {holiday}"
            return HoursState(open=False, until=max(midnight, now), note=note)
        boundaries = [midnight]
        is_open = False
        for start, end in self._ranges[local.weekday()]:
            if start <= second < end:
                is_open = True
            for boundary in (start, end):
                if boundary > second:
                    boundaries.append(self._to_utc(day, boundary))
        until = min(boundaries)
        # A wall time inside a daylight-saving gap can map before ``now``; never
        # cache an answer for less than a second.
        until = max(until, now + timedelta(seconds=1))
        return HoursState(
            open=is_open, until=until, note="" if is_open else "outside working hours"
        )

    def _to_utc(self, day: date, second: int) -> datetime:
        if second >= _DAY_SECONDS:
            day, second = day + timedelta(days=1), second - _DAY_SECONDS
        wall = datetime.combine(day, time(second // 3600, second % 3600 // 60), self.time_zone)
        return wall.astimezone(UTC)
