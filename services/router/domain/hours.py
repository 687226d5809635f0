"""Is a team open at a given instant? Its weekly hours in its own time zone, minus holidays.

The arithmetic is the project's one calendar, ``schemas.working_time.BusinessHours``
(the SLA service's business calendars run on it too); this wrapper adds what routing
needs on top: ``datetime`` instants, words for people, and a cache. ``state_at``
answers for any instant together with how long the answer holds (until the next
opening or closing, or local midnight, whichever comes first), so ``is_open`` can
answer the following decisions from a cache until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from schemas.config.teams import WorkingHours
from schemas.working_time import BusinessHours

_ALWAYS = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class HoursState:
    open: bool
    until: datetime  # the answer holds for instants before this one
    note: str = ""


class OpeningHours:
    """Compiled working hours; ``None`` config means always open."""

    def __init__(self, config: WorkingHours | None) -> None:
        self.always_open = config is None
        self.zone_name = config.time_zone if config else "UTC"
        self._calendar = BusinessHours.from_working_hours(config) if config else None
        self.time_zone = self._calendar.zone if self._calendar else ZoneInfo("UTC")
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
        return self._calendar.closed_reason(day) if self._calendar else None

    def state_at(self, now: datetime) -> HoursState:
        if self._calendar is None:
            return HoursState(open=True, until=_ALWAYS)
        found = self._calendar.state_at(int(now.timestamp() * 1000))
        until = datetime.fromtimestamp(found.until_ms / 1000, UTC)
        if found.open:
            return HoursState(open=True, until=until)
        if found.closed_day is not None:
            return HoursState(False, until, f"public holiday: {found.closed_day}")
        return HoursState(False, until, "outside working hours")
