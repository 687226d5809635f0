"""Working-time arithmetic: split shifts, weekends, holidays, closed days, shifts across
midnight and both DST changes, table-driven, then its invariants with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.config.calendars import BusinessCalendar
from schemas.working_time import AROUND_THE_CLOCK, BusinessHours, Calendar
from services.sla.domain.clocks import to_ms

TALLINN = ZoneInfo("Europe/Tallinn")
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
H = 3_600_000
M = 60_000

OFFICE = BusinessHours.from_config(
    BusinessCalendar.model_validate(
        {
            "timezone": "Europe/Tallinn",
            "weekly": {
                day: ["08:00-12:00", "12:30-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")
            }
            | {"sat": ["10:00-14:00"]},
            "holidays": {"country": "EE"},
            "closed": ["2026-12-31"],
        }
    )
)
NIGHT_DESK = BusinessHours.from_config(
    BusinessCalendar.model_validate(
        {"timezone": "UTC", "weekly": {day: ["22:00-02:00"] for day in WEEK}}
    )
)
EARLY_SHIFT = BusinessHours.from_config(
    BusinessCalendar.model_validate(
        {"timezone": "Europe/Tallinn", "weekly": {day: ["01:00-06:00"] for day in WEEK}}
    )
)
WHOLE_DAYS = BusinessHours.from_config(
    BusinessCalendar.model_validate(
        {"timezone": "Europe/Tallinn", "weekly": {day: ["00:00-24:00"] for day in WEEK}}
    )
)


def local(text: str, zone: ZoneInfo = TALLINN) -> int:
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=zone))


def utc(text: str) -> int:
    return local(text, ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "end", "why"),
    [
        (OFFICE, "2026-11-23 09:00", 2 * H, "2026-11-23 11:00", "inside one shift"),
        (OFFICE, "2026-11-23 11:00", 2 * H, "2026-11-23 13:30", "across the lunch break"),
        (OFFICE, "2026-11-23 16:00", 2 * H, "2026-11-24 09:00", "into the next morning"),
        (OFFICE, "2026-11-23 06:00", 30 * M, "2026-11-23 08:30", "before opening"),
        (OFFICE, "2026-11-27 16:30", 1 * H, "2026-11-28 10:30", "Friday into Saturday"),
        (OFFICE, "2026-11-28 15:00", 1 * H, "2026-11-30 09:00", "over the closed Sunday"),
        (OFFICE, "2026-12-23 16:00", 2 * H, "2026-12-28 09:00", "over three public holidays"),
        (OFFICE, "2026-12-30 16:00", 2 * H, "2027-01-02 11:00", "closed day, then New Year"),
        (OFFICE, "2026-11-23 09:00", 0, "2026-11-23 09:00", "nothing to add"),
    ],
)
def test_business_hours_reach(
    calendar: Calendar, start: str, duration: int, end: str, why: str
) -> None:
    assert calendar.add(local(start), duration) == local(end), why
    assert calendar.between(local(start), local(end)) == duration, why


@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        ("2026-11-23 23:00", 2 * H, "2026-11-24 01:00"),  # inside a shift across midnight
        ("2026-11-23 01:30", 1 * H, "2026-11-23 22:30"),  # end of one night, start of the next
        ("2026-11-23 12:00", 3 * H, "2026-11-24 01:00"),  # waits for the evening
    ],
)
def test_shifts_across_midnight(start: str, duration: int, end: str) -> None:
    assert NIGHT_DESK.add(utc(start), duration) == utc(end)
    assert NIGHT_DESK.between(utc(start), utc(end)) == duration


def test_spring_forward_shortens_the_night_shift_by_an_hour() -> None:
    # Tallinn, 2027-03-28: 03:00 EET becomes 04:00 EEST.
    start, finish = local("2027-03-28 01:00"), local("2027-03-28 06:00")
    assert finish - start == 4 * H
    assert EARLY_SHIFT.between(start, finish) == 4 * H
    assert EARLY_SHIFT.add(start, 4 * H) == finish
    assert EARLY_SHIFT.add(start, 4 * H + 1) == local("2027-03-29 01:00") + 1
    assert WHOLE_DAYS.between(local("2027-03-28 00:00"), local("2027-03-29 00:00")) == 23 * H


def test_fall_back_lengthens_the_night_shift_by_an_hour() -> None:
    # Tallinn, 2026-10-25: 04:00 EEST becomes 03:00 EET; 03:00-04:00 happens twice.
    start, finish = local("2026-10-25 01:00"), local("2026-10-25 06:00")
    assert finish - start == 6 * H
    assert EARLY_SHIFT.between(start, finish) == 6 * H
    assert EARLY_SHIFT.add(start, 6 * H) == finish
    assert WHOLE_DAYS.between(local("2026-10-25 00:00"), local("2026-10-26 00:00")) == 25 * H


def test_subtract_walks_back_over_closed_time() -> None:
    assert OFFICE.subtract(local("2026-11-30 08:30"), 1 * H) == local("2026-11-28 13:30")
    assert OFFICE.subtract(local("2026-11-23 13:30"), 2 * H) == local("2026-11-23 11:00")


def test_between_is_signed() -> None:
    a, b = local("2026-11-23 09:00"), local("2026-11-23 11:00")
    assert OFFICE.between(b, a) == -2 * H
    assert AROUND_THE_CLOCK.between(b, a) == -2 * H


# -- invariants ---------------------------------------------------------------------------
CALENDARS = st.sampled_from([OFFICE, NIGHT_DESK, EARLY_SHIFT, WHOLE_DAYS, AROUND_THE_CLOCK])
INSTANTS = st.integers(utc("2026-01-01 00:00"), utc("2028-12-31 00:00"))
DURATIONS = st.integers(0, 30 * 24 * H)


@settings(deadline=None)  # timing is the benchmarks' business
@given(CALENDARS, INSTANTS, DURATIONS)
def test_between_undoes_add(calendar: Calendar, start: int, duration: int) -> None:
    end = calendar.add(start, duration)
    assert end >= start
    assert calendar.between(start, end) == duration


@settings(deadline=None)  # timing is the benchmarks' business
@given(CALENDARS, INSTANTS, DURATIONS)
def test_between_undoes_subtract(calendar: Calendar, end: int, duration: int) -> None:
    start = calendar.subtract(end, duration)
    assert start <= end
    assert calendar.between(start, end) == duration


@settings(deadline=None)  # timing is the benchmarks' business
@given(CALENDARS, INSTANTS, DURATIONS, DURATIONS)
def test_add_is_monotonic(calendar: Calendar, start: int, first: int, second: int) -> None:
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)


@settings(deadline=None)  # timing is the benchmarks' business
@given(CALENDARS, INSTANTS, DURATIONS, DURATIONS)
def test_between_adds_up_and_never_exceeds_elapsed_time(
    calendar: Calendar, start: int, first: int, second: int
) -> None:
    middle = start + first
    end = middle + second
    total = calendar.between(start, end)
    assert total == calendar.between(start, middle) + calendar.between(middle, end)
    assert 0 <= total <= end - start


@settings(deadline=None)  # timing is the benchmarks' business
@given(INSTANTS, st.integers(1, 10 * 24 * H))
def test_a_deadline_lands_inside_working_time(start: int, duration: int) -> None:
    end = OFFICE.add(start, duration)
    day = datetime.fromtimestamp(end / 1000, TALLINN).date()
    spans = OFFICE.spans(day - timedelta(days=1)) + OFFICE.spans(day)
    assert any(span_start < end <= span_end for span_start, span_end in spans)


def test_instants_are_utc_milliseconds() -> None:
    assert local("2026-11-23 09:00") == to_ms(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
