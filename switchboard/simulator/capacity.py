"""Partner staffing announcements over a date range, as ``team.capacity`` events.

What the config cannot say: a partner adds agents for the peak days (planned
in advance, in the first announcement), reports the day's real headcount at
shift start (some agents are always off sick), and calls in extra agents on
the busiest afternoons. In-house shift patterns are the config's business and
are not modelled here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schemas.base import TeamKind, derive_id
from schemas.config.teams import TeamConfig
from schemas.teams import PlannedShift, TeamCapacity
from switchboard.simulator.data import workforce as data
from switchboard.simulator.params import DEFAULT_SEED, SeasonalProfile
from switchboard.simulator.season import Season

#: ``TeamCapacity.planned`` holds at most this many days.
_MAX_PLANNED_DAYS = 62


def planned_agents(team: TeamConfig, multiplier: float) -> int:
    """Agents a partner plans for a day whose volume is ``multiplier`` x ordinary."""
    ramp = min(data.MAX_PEAK_RAMP, 1 + data.PEAK_RAMP_PER_MULTIPLIER * max(0.0, multiplier - 1))
    return round(team.agents * ramp)


def _announcement(
    seed: int, team: TeamConfig, *, at: datetime, agents: int, plan: list[PlannedShift], why: str
) -> TeamCapacity:
    event_id = derive_id("simulator.team.capacity", str(seed), team.id, at.isoformat())
    return TeamCapacity(
        event_id=event_id,
        occurred_at=at,
        correlation_id=f"simulator-capacity-{team.id}",
        team_id=team.id,
        agents_on_shift=agents,
        planned=plan[:_MAX_PLANNED_DAYS],
        announced_by=f"{team.id}: {why}",
    )


def partner_capacity_announcements(
    teams: Sequence[TeamConfig],
    first_day: date,
    last_day: date,
    *,
    seed: int = DEFAULT_SEED,
    season: SeasonalProfile | None = None,
    timezone: str = data.PARTNER_TIMEZONE,
) -> list[TeamCapacity]:
    """Every partner team's staffing announcements from ``first_day`` to ``last_day``,
    in time order. In-house teams are left out."""
    calendar = Season(season or SeasonalProfile())
    zone = ZoneInfo(timezone)
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    events: list[TeamCapacity] = []
    for team in teams:
        if team.kind is not TeamKind.PARTNER:
            continue
        rng = random.Random(f"switchboard-simulator:{seed}:capacity:{team.id}")
        plan = [
            PlannedShift(day=day, agents=planned_agents(team, calendar.multiplier(day)))
            for day in days
        ]
        opening = datetime.combine(first_day, time(0), zone)
        events.append(
            _announcement(
                seed, team, at=opening, agents=plan[0].agents, plan=plan, why="peak staffing plan"
            )
        )
        for index, shift in enumerate(plan):
            absent = math.floor(shift.agents * rng.uniform(0, data.ABSENCE_MAX_SHARE))
            start = datetime.combine(shift.day, time(data.SHIFT_START_HOUR), zone)
            present = shift.agents - absent
            events.append(
                _announcement(
                    seed,
                    team,
                    at=start,
                    agents=present,
                    plan=plan[index:],
                    why=f"shift start, {absent} absent",
                )
            )
            if calendar.multiplier(shift.day) >= data.TOP_UP_FROM_MULTIPLIER:
                extra = math.ceil(shift.agents * data.TOP_UP_SHARE)
                top_up = datetime.combine(shift.day, time(data.TOP_UP_HOUR), zone)
                events.append(
                    _announcement(
                        seed,
                        team,
                        at=top_up,
                        agents=present + extra,
                        plan=plan[index:],
                        why=f"called in {extra} extra agents",
                    )
                )
    events.sort(key=lambda event: (event.occurred_at, event.team_id))
    return events
