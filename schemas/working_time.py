"""Working time of the config's business calendars: how far a budget reaches from an
instant, and how much of it lies between two instants. Instants and durations are
integer milliseconds since the Unix epoch (UTC).

It lives with the contract because two services read it: the SLA service runs its
clocks on it, and the router computes the same first-response deadline to know a
ticket's budget.

Shifts are written in local wall time and converted per day with ``zoneinfo``, so a
shift on a DST day is as long as the wall clock says: 01:00-05:00 lasts three hours on
the spring-forward night and five on the fall-back night. A shift boundary that falls
into the spring-forward gap is read with the offset before the change (PEP 495,
``fold=0``), i.e. one hour later on the new wall clock. A closed day (public holiday or
listed date) closes the shifts that start on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from schemas.config.calendars import BusinessCalendar

#: Give up looking for working time after this many days (a valid calendar has some
#: every week, so this only trips on a calendar closed for ten years).
MAX_DAYS = 3660
_CACHE_LIMIT = 20_000


class NoWorkingTimeError(RuntimeError):
    """The calendar has no working time in reach."""


class Calendar(Protocol):
    def add(self, start_ms: int, duration_ms: int) -> int:
        """The instant at which ``duration_ms`` of working time after ``start_ms`` is used."""
        ...

    def subtract(self, end_ms: int, duration_ms: int) -> int:
        """The latest instant from which ``duration_ms`` of working time ends at ``end_ms``."""
        ...

    def between(self, start_ms: int, end_ms: int) -> int:
        """Working time from ``start_ms`` to ``end_ms``; negative when end is before start."""
        ...


class AroundTheClock:
    """Calendar hours: every millisecond counts."""

    def add(self, start_ms: int, duration_ms: int) -> int:
        return start_ms + duration_ms

    def subtract(self, end_ms: int, duration_ms: int) -> int:
        return end_ms - duration_ms

    def between(self, start_ms: int, end_ms: int) -> int:
        return end_ms - start_ms


AROUND_THE_CLOCK = AroundTheClock()


class BusinessHours:
    def __init__(
        self,
        zone: ZoneInfo,
        shifts: dict[int, list[tuple[int, int]]],
        closed: Callable[[date], bool] = lambda _: False,
    ) -> None:
        self._zone = zone
        self._shifts = shifts
        self._closed = closed
        self._spans: dict[date, tuple[tuple[int, int], ...]] = {}

    @classmethod
    def from_config(cls, config: BusinessCalendar) -> BusinessHours:
        closed_dates = frozenset(config.closed)
        source = config.holidays
        public = (
            holidays.country_holidays(source.country, subdiv=source.subdivision)
            if source is not None
            else None
        )

        def closed(day: date) -> bool:
            return day in closed_dates or (public is not None and day in public)

        return cls(ZoneInfo(config.timezone), config.shifts(), closed)

    # -- shifts of one local day, as UTC milliseconds ---------------------------------
    def spans(self, day: date) -> tuple[tuple[int, int], ...]:
        """Working spans of the shifts that start on ``day`` (local), in order."""
        cached = self._spans.get(day)
        if cached is not None:
            return cached
        spans: list[tuple[int, int]] = []
        if not self._closed(day):
            midnight = datetime.combine(day, time(), self._zone)
            previous_end: int | None = None
            for start_minute, end_minute in self._shifts.get(day.weekday(), ()):
                start = _ms(midnight + timedelta(minutes=start_minute))
                end = _ms(midnight + timedelta(minutes=end_minute))
                if previous_end is not None:
                    start = max(start, previous_end)
                if end > start:
                    spans.append((start, end))
                    previous_end = end
        if len(self._spans) >= _CACHE_LIMIT:
            self._spans.clear()
        result = self._spans[day] = tuple(spans)
        return result

    def _local_day(self, instant_ms: int) -> date:
        return datetime.fromtimestamp(instant_ms / 1000, self._zone).date()

    # -- arithmetic --------------------------------------------------------------------
    def add(self, start_ms: int, duration_ms: int) -> int:
        if duration_ms <= 0:
            return start_ms
        remaining = duration_ms
        day = self._local_day(start_ms) - timedelta(days=1)  # its shifts may cross midnight
        for _ in range(MAX_DAYS):
            for span_start, span_end in self.spans(day):
                if span_end <= start_ms:
                    continue
                begin = max(span_start, start_ms)
                if remaining <= span_end - begin:
                    return begin + remaining
                remaining -= span_end - begin
            day += timedelta(days=1)
        raise NoWorkingTimeError(f"no working time within {MAX_DAYS} days")

    def subtract(self, end_ms: int, duration_ms: int) -> int:
        if duration_ms <= 0:
            return end_ms
        remaining = duration_ms
        day = self._local_day(end_ms)
        for _ in range(MAX_DAYS):
            for span_start, span_end in reversed(self.spans(day)):
                if span_start >= end_ms:
                    continue
                finish = min(span_end, end_ms)
                if remaining <= finish - span_start:
                    return finish - remaining
                remaining -= finish - span_start
            day -= timedelta(days=1)
        raise NoWorkingTimeError(f"no working time within {MAX_DAYS} days")

    def between(self, start_ms: int, end_ms: int) -> int:
        if end_ms < start_ms:
            return -self.between(end_ms, start_ms)
        total = 0
        day = self._local_day(start_ms) - timedelta(days=1)
        last = self._local_day(end_ms)
        while day <= last:
            for span_start, span_end in self.spans(day):
                overlap = min(span_end, end_ms) - max(span_start, start_ms)
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return total


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def calendars_from_config(calendars: dict[str, BusinessCalendar]) -> dict[str, Calendar]:
    """Calendar id -> calendar; the empty id is calendar hours."""
    built: dict[str, Calendar] = {"": AROUND_THE_CLOCK}
    for calendar_id, config in calendars.items():
        built[calendar_id] = BusinessHours.from_config(config)
    return built
