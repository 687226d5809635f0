"""Opening hours in a team's own time zone: weekdays, DST changes, public holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.config.teams import WorkingHours
from schemas.working_time import BusinessHours
from services.router.domain.hours import OpeningHours

WEEKDAYS_9_TO_17 = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def tallinn(**extra: object) -> OpeningHours:
    return OpeningHours(
        WorkingHours.model_validate(
            {"time_zone": "Europe/Tallinn", "weekly": WEEKDAYS_9_TO_17, **extra}
        )
    )


@pytest.mark.parametrize(
    ("utc", "is_open"),
    [
        (datetime(2026, 11, 27, 6, 59, tzinfo=UTC), False),  # Fri 08:59 Tallinn
        (datetime(2026, 11, 27, 7, 0, tzinfo=UTC), True),  # Fri 09:00
        (datetime(2026, 11, 27, 14, 59, tzinfo=UTC), True),  # Fri 16:59
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), False),  # Fri 17:00
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_weekly_hours_in_the_teams_time_zone(utc: datetime, is_open: bool) -> None:
    assert tallinn().is_open(utc) is is_open


def test_summer_time_moves_the_hours_in_utc() -> None:
    hours = tallinn()
    # Tallinn is UTC+3 in summer: 09:00 local is 06:00 UTC.
    assert hours.is_open(datetime(2026, 7, 1, 6, 0, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 7, 1, 5, 59, tzinfo=UTC))
    # The DST change on Sunday 29 March 2026 03:00 -> 04:00; Monday opens at 06:00 UTC.
    assert hours.is_open(datetime(2026, 3, 30, 6, 0, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 3, 30, 5, 59, tzinfo=UTC))


def test_public_holidays_close_the_team() -> None:
    hours = tallinn(holidays_country="EE")
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)  # a Thursday
    state = hours.state_at(christmas_eve)
    assert not state.open
    assert "Christmas Eve" in state.note
    assert hours.is_open(datetime(2026, 12, 22, 10, 0, tzinfo=UTC))
    assert tallinn().is_open(christmas_eve)  # without a calendar it is a working day


def test_a_day_split_into_ranges_and_a_whole_day() -> None:
    hours = OpeningHours(
        WorkingHours.model_validate(
            {
                "time_zone": "Asia/Manila",
                "weekly": {"mon": ["00:00-24:00"], "tue": ["08:00-12:00", "13:00-17:00"]},
            }
        )
    )
    monday_local_midnight = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Mon 00:00 Manila
    assert hours.is_open(monday_local_midnight)
    assert hours.is_open(monday_local_midnight + timedelta(hours=23, minutes=59))
    tuesday = monday_local_midnight + timedelta(days=1)
    assert not hours.is_open(tuesday + timedelta(hours=12, minutes=30))  # lunch
    assert hours.is_open(tuesday + timedelta(hours=13))


def test_no_hours_means_always_open() -> None:
    assert OpeningHours(None).is_open(datetime(2026, 12, 25, 3, 0, tzinfo=UTC))


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300)
@given(st.lists(moments, min_size=1, max_size=30))
def test_the_cache_never_changes_the_answer(times: list[datetime]) -> None:
    cached = tallinn(holidays_country="EE")
    fresh = tallinn(holidays_country="EE")
    for moment in times:
        assert cached.is_open(moment) == fresh.state_at(moment).open


@settings(max_examples=200)
@given(moments)
def test_the_answer_holds_until_the_boundary_it_reports(moment: datetime) -> None:
    hours = tallinn(holidays_country="EE")
    state = hours.state_at(moment)
    assert state.until > moment
    just_before = state.until - timedelta(microseconds=1)
    assert hours.state_at(just_before).open == state.open


schedules = st.sampled_from(
    [
        WEEKDAYS_9_TO_17,
        {"mon": ["00:00-24:00"], "tue": ["08:00-12:00", "13:00-17:00"], "sun": ["01:00-05:00"]},
        {day: ["00:00-03:30", "22:00-24:00"] for day in ("fri", "sat", "sun")},
    ]
)


@settings(max_examples=200)
@given(
    schedules,
    st.sampled_from(["Europe/Tallinn", "America/New_York", "Asia/Manila"]),
    st.sampled_from([None, "EE", "US"]),
    moments,
)
def test_open_exactly_when_the_shared_calendar_counts_working_time(
    weekly: dict[str, list[str]], zone: str, country: str | None, moment: datetime
) -> None:
    """One calendar: the router's opening hours and the working time the SLA clocks
    count are the same implementation, so they agree at every instant (DST included)."""
    config = WorkingHours.model_validate(
        {"time_zone": zone, "weekly": weekly, "holidays_country": country}
    )
    calendar = BusinessHours.from_working_hours(config)
    instant = int(moment.timestamp() * 1000)
    assert OpeningHours(config).state_at(moment).open == (
        calendar.between(instant, instant + 1) == 1
    )
