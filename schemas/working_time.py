"""Working time: the one calendar implementation of the project. How far a budget
reaches from an instant, how much of it lies between two instants, and whether an
instant is inside working time (and until when). Instants and durations are integer
milliseconds since the Unix epoch (UTC).

It lives with the contract because two services read it: the SLA service runs its
clocks on the business calendars (``BusinessHours.from_config``), and the router
computes the same first-response deadline to know a ticket's budget and asks its
teams' working hours whether they are open (``BusinessHours.from_working_hours``,
wrapped by ``services.router.domain.hours``).

Shifts are written in local wall time and converted per day with ``zoneinfo``, so a
shift on a DST day is as long as the wall clock says: 01:00-05:00 lasts three hours on
the spring-forward night and five on the fall-back night. A shift boundary that falls
into the spring-forward gap is read with the offset before the change (PEP 495,
``fold=0``), i.e. one hour later on the new wall clock. A closed day (public holiday or
listed date) closes the shifts that start on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

from schemas.config.calendars import BusinessCalendar
from schemas.config.teams import WEEKDAYS, WorkingHours

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


@dataclass(frozen=True, slots=True)
class WorkingState:
    """Whether an instant is in working time, and until when that answer holds."""

    open: bool
    until_ms: int  # the next shift boundary or local midnight, whichever comes first
    closed_day: str | None = None  # why the local day is closed (a holiday's name)


def _never_closed(_: date) -> str | None:
    return None


def _public_holidays(country: str | None, subdivision: str | None) -> Callable[[date], str | None]:
    if country is None:
        return _never_closed
    public = holidays.country_holidays(country, subdiv=subdivision)

    def name(day: date) -> str | None:
        found = public.get(day)
        return str(found) if found else None

    return name


class BusinessHours:
    def __init__(
        self,
        zone: ZoneInfo,
        shifts: dict[int, list[tuple[int, int]]],
        closed: Callable[[date], str | None] = _never_closed,
    ) -> None:
        """``shifts``: weekday -> (start, end) minutes after that day's local midnight;
        ``closed``: why a local day is closed (its shifts do not happen), or None."""
        self._zone = zone
        self._shifts = shifts
        self._closed = closed
        self._spans: dict[date, tuple[tuple[int, int], ...]] = {}

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @classmethod
    def from_config(cls, config: BusinessCalendar) -> BusinessHours:
        closed_dates = frozenset(config.closed)
        source = config.holidays
        public = _public_holidays(
            source.country if source else None, source.subdivision if source else None
        )

        def closed(day: date) -> str | None:
            return "closed" if day in closed_dates else public(day)

        return cls(ZoneInfo(config.timezone), config.shifts(), closed)

    @classmethod
    def from_working_hours(cls, config: WorkingHours) -> BusinessHours:
        """A team's working hours (``teams[].hours``) as a calendar."""
        shifts = {number: config.ranges(day) for number, day in enumerate(WEEKDAYS)}
        closed = _public_holidays(config.holidays_country, config.holidays_subdivision)
        return cls(ZoneInfo(config.time_zone), shifts, closed)

    def closed_reason(self, day: date) -> str | None:
        return self._closed(day)

    # -- shifts of one local day, as UTC milliseconds ---------------------------------
    def spans(self, day: date) -> tuple[tuple[int, int], ...]:
        """Working spans of the shifts that start on ``day`` (local), in order."""
        cached = self._spans.get(day)
        if cached is not None:
            return cached
        spans: list[tuple[int, int]] = []
        if self._closed(day) is None:
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

    # -- is an instant working time? --------------------------------------------------
    def state_at(self, instant_ms: int) -> WorkingState:
        """Open or not at ``instant_ms``, and until the next shift boundary or local
        midnight (so a caller may cache the answer, and a closed day's reason, until
        then)."""
        today = self._local_day(instant_ms)
        midnight = _ms(datetime.combine(today + timedelta(days=1), time(), self._zone))
        until = midnight
        is_open = False
        for day in (today - timedelta(days=1), today):  # yesterday's shifts may cross midnight
            for start, end in self.spans(day):
                if start <= instant_ms < end:
                    is_open = True
                for boundary in (start, end):
                    if instant_ms < boundary < until:
                        until = boundary
        # A wall time inside a daylight-saving gap can map before the instant: never
        # report an answer that holds for less than a second.
        until = max(until, instant_ms + 1000)
        return WorkingState(is_open, until, None if is_open else self._closed(today))

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
