"""Business calendars for SLA policies: time zone, weekly hours (split shifts and shifts
across midnight), public holidays from the maintained ``holidays`` library, closed days."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as ``date.weekday()`` counts."""
        return list(Weekday).index(self)


def valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Tallinn)"
        ) from None
    return name


def parse_interval(text: str) -> tuple[int, int]:
    """'HH:MM-HH:MM' -> (start, end) in minutes after midnight of the shift's day.

    An end at or before the start means the shift ends the next day (``22:00-02:00``);
    ``24:00`` is the end of the day.
    """
    match = _INTERVAL.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a shift like '09:00-17:30'")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(f"{text!r} has a time that does not exist")
    start = start_h * 60 + start_m
    end = end_h * 60 + end_m
    if end == start:
        raise ValueError(f"{text!r} is empty or ambiguous; write 00:00-24:00 for a whole day")
    if end < start:
        end += MINUTES_PER_DAY
    return start, end


@cache
def _supported_countries() -> dict[str, list[str]]:
    return dict(holidays.list_supported_countries())


class HolidaySource(_Strict):
    """Public holidays of a country (ISO 3166-1 alpha-2) and optionally a subdivision."""

    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None

    @model_validator(mode="after")
    def _known_to_the_holidays_library(self) -> HolidaySource:
        countries = _supported_countries()
        if self.country not in countries:
            raise ValueError(f"the holidays library has no country {self.country!r}")
        if self.subdivision is not None and self.subdivision not in countries[self.country]:
            raise ValueError(
                f"the holidays library has no subdivision {self.subdivision!r} of "
                f"{self.country}; known: {', '.join(countries[self.country]) or 'none'}"
            )
        return self


class BusinessCalendar(_Strict):
    """When a team counts as working: SLA clocks of business-hours policies run only then."""

    timezone: str = Field(description="IANA time zone the weekly hours are written in.")
    weekly: dict[Weekday, list[str]] = Field(
        description="Shifts per weekday, 'HH:MM-HH:MM'; several make a split shift; an end "
        "before the start crosses midnight. Days left out are closed.",
    )
    holidays: HolidaySource | None = Field(
        default=None, description="Public holidays close the shifts that start on them."
    )
    closed: list[date] = Field(default_factory=list, description="Further closed days.")

    _check_timezone = field_validator("timezone")(valid_timezone)

    @model_validator(mode="after")
    def _shifts_valid_and_disjoint(self) -> BusinessCalendar:
        spans: list[tuple[int, int, str]] = []
        for day, shifts in self.weekly.items():
            for shift in shifts:
                start, end = parse_interval(shift)
                offset = day.number * MINUTES_PER_DAY
                spans.append((offset + start, offset + end, f"{day.value} {shift}"))
        if not spans:
            raise ValueError("a business calendar needs at least one shift in the week")
        spans.sort()
        # Compare each shift with the next one, wrapping Sunday night into Monday.
        for (start, end, name), (next_start, _, next_name) in zip(
            spans, [*spans[1:], (spans[0][0] + MINUTES_PER_WEEK, 0, spans[0][2])], strict=True
        ):
            if end > next_start and len(spans) > 1:
                raise ValueError(f"shifts {name!r} and {next_name!r} overlap")
            if end - start > MINUTES_PER_DAY:
                raise ValueError(f"shift {name!r} is longer than a day")
        return self

    def shifts(self) -> dict[int, list[tuple[int, int]]]:
        """Weekday index -> sorted (start, end) minutes after that day's midnight."""
        return {
            day.number: sorted(parse_interval(shift) for shift in shifts)
            for day, shifts in self.weekly.items()
        }
