"""Capacity announcements: what a partner may announce, and the record that remembers
its latest announcement and the ids of its recent ones (so a retried request with the
same idempotency key is answered, not applied a second time after a newer one)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from schemas.partner_api import CapacityRequest
from schemas.teams import PlannedShift, TeamCapacity

#: Planned shifts may reach this far ahead (the router plans by the day, forecasts by hour).
PLAN_HORIZON_DAYS = 28
#: Announcements remembered for idempotent retries: at most this many, this long.
MAX_REMEMBERED = 200
REMEMBER_FOR = timedelta(days=7)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Announcement(_Frozen):
    event_id: uuid.UUID
    fingerprint: str
    at: datetime


class CapacityRecord(_Frozen):
    team_id: str
    latest: TeamCapacity
    recent: tuple[Announcement, ...] = ()


def fingerprint(agents_on_shift: int, planned: list[tuple[date, int]]) -> str:
    canonical = json.dumps(
        [agents_on_shift, sorted((day.isoformat(), agents) for day, agents in planned)]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def event_fingerprint(event: TeamCapacity) -> str:
    return fingerprint(
        event.agents_on_shift, [(shift.day, shift.agents) for shift in event.planned]
    )


def request_fingerprint(request: CapacityRequest) -> str:
    return fingerprint(request.agents_on_shift, [(s.day, s.agents) for s in request.planned])


def problems(request: CapacityRequest, today: date, max_agents: int) -> list[str]:
    """Why an announcement cannot be taken (empty: it can). ``today`` is the partner's."""
    found: list[str] = []
    if request.agents_on_shift > max_agents:
        found.append(f"agents_on_shift: more than the {max_agents} agents your contract allows")
    last = today + timedelta(days=PLAN_HORIZON_DAYS)
    seen: set[date] = set()
    for index, shift in enumerate(request.planned):
        where = f"planned[{index}]"
        if shift.day < today:
            found.append(f"{where}.day: {shift.day} is in the past (today is {today})")
        elif shift.day > last:
            found.append(f"{where}.day: plans reach at most {PLAN_HORIZON_DAYS} days ahead")
        if shift.day in seen:
            found.append(f"{where}.day: {shift.day} is planned twice")
        seen.add(shift.day)
        if shift.agents > max_agents:
            found.append(f"{where}.agents: more than the {max_agents} your contract allows")
    return found


def planned_shifts(request: CapacityRequest) -> list[PlannedShift]:
    return [
        PlannedShift(day=s.day, agents=s.agents)
        for s in sorted(request.planned, key=lambda s: s.day)
    ]


def apply_capacity(
    current: CapacityRecord | None, event: TeamCapacity, now: datetime
) -> CapacityRecord:
    """The team's record after a ``team.capacity`` (from the API or a supervisor)."""
    recent = current.recent if current is not None else ()
    if any(done.event_id == event.event_id for done in recent):
        return (
            current if current is not None else CapacityRecord(team_id=event.team_id, latest=event)
        )
    remembered = tuple(a for a in recent if a.at >= now - REMEMBER_FOR)
    announcement = Announcement(
        event_id=event.event_id, fingerprint=event_fingerprint(event), at=now
    )
    return CapacityRecord(
        team_id=event.team_id,
        latest=event,
        recent=(*remembered, announcement)[-MAX_REMEMBERED:],
    )
