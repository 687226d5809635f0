"""A team's headcount from its latest ``team.capacity``: the day's announcement, else the
day's planned shift, else the last word (``schemas.teams.agents_on``)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schemas.teams import PlannedShift, TeamCapacity, agents_on, mean_agents

RIGA = ZoneInfo("Europe/Riga")
#: Thursday 26 November 2026, 14:00 in Riga (12:00 UTC).
ANNOUNCED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def announcement(agents: int, planned: dict[date, int]) -> TeamCapacity:
    return TeamCapacity(
        event_id=uuid.uuid4(),
        occurred_at=ANNOUNCED,
        correlation_id="wfm",
        team_id="nearshore-bpo",
        agents_on_shift=agents,
        planned=[PlannedShift(day=day, agents=n) for day, n in planned.items()],
        announced_by="wfm",
    )


BLACK_FRIDAY = date(2026, 11, 27)
PLAN = announcement(20, {date(2026, 11, 26): 22, BLACK_FRIDAY: 50})


@pytest.mark.parametrize(
    ("at", "agents"),
    [
        (ANNOUNCED, 20),  # the day's own headcount beats its plan
        (datetime(2026, 11, 26, 21, 59, tzinfo=UTC), 20),  # 23:59 in Riga, same day
        (datetime(2026, 11, 26, 22, 0, tzinfo=UTC), 50),  # Black Friday starts: its plan
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), 20),  # no plan for Saturday: last word
    ],
)
def test_a_planned_shift_counts_from_its_day_until_that_day_is_reported(
    at: datetime, agents: int
) -> None:
    assert agents_on(PLAN, 8, RIGA, at) == agents


def test_without_any_announcement_the_config_speaks() -> None:
    assert agents_on(None, 8, RIGA, ANNOUNCED) == 8
    assert mean_agents(None, 8, RIGA, ANNOUNCED, ANNOUNCED + timedelta(hours=1)) == 8


def test_the_mean_over_a_window_weighs_each_day_by_the_time_it_covers() -> None:
    # 23:30 to 00:30 in Riga: half an hour of Thursday (20), half of Black Friday (50).
    start = datetime(2026, 11, 26, 21, 30, tzinfo=UTC)
    assert mean_agents(PLAN, 8, RIGA, start, start + timedelta(hours=1)) == pytest.approx(35)
