"""What happened to one ticket in a run of the desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.router.domain.registry import TeamProfile


@dataclass(slots=True)
class Outcome:
    first_assigned_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    handled_by: TeamProfile | None = None  # the team whose agent worked it
    offers: int = 0
    rejected: int = 0
    expired: int = 0
    taken_back: int = 0  # in-house pickup timeouts (timed overflow)
    against_policy: bool = False  # offered to a partner the data policy excludes
    translated: bool = False  # the working team does not speak its language
    proficiency: float = 1.0  # the working team's proficiency in its skill
    recontacted: bool = False  # the customer came back about the resolution
    rating: int | None = None  # the customer's CSAT score
    teams: list[str] = field(default_factory=list)  # every assignment, in order

    def assigned(self, team: TeamProfile, now: datetime) -> None:
        if self.first_assigned_at is None:
            self.first_assigned_at = now
        self.teams.append(team.id)
