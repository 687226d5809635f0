"""``teams``: compacted run-time capacity and status of each team, keyed by team id."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, TypeAdapter

from schemas.base import Contract, Event, TeamId


class PlannedShift(Contract):
    day: date
    agents: int = Field(ge=0, le=100_000)


class TeamCapacity(Event):
    """The latest word on a team's staffing. Replaces whatever the config said."""

    type: Literal["team.capacity"] = "team.capacity"
    team_id: TeamId
    online: bool = Field(default=True, description="False: a supervisor took the team offline.")
    agents_on_shift: int = Field(ge=0, le=100_000)
    planned: list[PlannedShift] = Field(default_factory=list, max_length=62)
    announced_by: str = Field(min_length=1, max_length=128)


TeamEvent = Annotated[TeamCapacity, Field(discriminator="type")]
TEAM_EVENT = TypeAdapter[TeamEvent](TeamEvent)


def agents_on(capacity: TeamCapacity | None, configured: int, zone: ZoneInfo, at: datetime) -> int:
    """The team's headcount at ``at``: what was announced that day (the team's own day,
    in ``zone``); on a day not reported yet, the day's planned headcount (a planned
    shift counts from the day's start, before its own announcement); else the last
    word; without any announcement, the config's ``configured`` agents."""
    if capacity is None:
        return configured
    day = at.astimezone(zone).date()
    if capacity.occurred_at.astimezone(zone).date() >= day:
        return capacity.agents_on_shift
    planned = next((shift.agents for shift in capacity.planned if shift.day == day), None)
    return capacity.agents_on_shift if planned is None else planned


def mean_agents(
    capacity: TeamCapacity | None, configured: int, zone: ZoneInfo, start: datetime, end: datetime
) -> float:
    """The headcount over ``[start, end)`` weighted by time (``agents_on``), so that a
    planned shift starting within the window counts for the part it covers."""
    if end <= start:
        return float(agents_on(capacity, configured, zone, start))
    total = 0.0
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), zone)
        until = min(end, midnight.astimezone(UTC))
        total += agents_on(capacity, configured, zone, moment) * (until - moment).total_seconds()
        moment = until
    return total / (end - start).total_seconds()
