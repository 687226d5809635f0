"""``teams``: compacted run-time capacity and status of each team, keyed by team id."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

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
