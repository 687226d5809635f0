"""What the policy knows about each team right now, and the wait it predicts from it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.router.domain.erlang import erlang_wait_seconds
from services.router.domain.quality import NO_FIGURES, QualityFigures
from services.router.domain.registry import TeamProfile


@dataclass(frozen=True, slots=True)
class TeamLoad:
    """One team's load: open tickets (queued, offered or accepted) against its slots."""

    open: int
    capacity: int
    online: bool = True
    arrival_rate: float = 0.0  # tickets assigned to the team per second, recently
    handle_seconds: float | None = None  # measured mean slot time; None: use the prior
    offers_today: int = 0  # partners: tickets offered this contract day
    quality: QualityFigures = NO_FIGURES  # resolutions and ratings in the quality window

    @property
    def room(self) -> int:
        return self.capacity - self.open

    @property
    def utilisation(self) -> float:
        if self.capacity <= 0:
            return 1.0 if self.open > 0 else 0.0
        return self.open / self.capacity


@dataclass(frozen=True, slots=True)
class DeskFigures:
    """Assignments of the desk's current day, for the outsourcing share limit."""

    assigned_today: int = 0
    to_partners_today: int = 0


class DeskView(Protocol):
    def load(self, team: TeamProfile, now: datetime) -> TeamLoad: ...
    def desk(self, now: datetime) -> DeskFigures: ...


def predicted_wait(team: TeamProfile, load: TeamLoad) -> float:
    """Seconds a ticket sent to ``team`` now would wait for a slot.

    The larger of two views of an M/M/c queue with c = the team's slots:
    the backlog already in line (exact for FIFO service given the tickets ahead),
    and the Erlang C mean wait at the team's observed arrival rate, which rises as a
    surge starts, before a backlog builds. ``inf`` when the team has no slots or
    arrivals exceed what it can serve.
    """
    slots = load.capacity
    if slots <= 0:
        return math.inf
    handle = load.handle_seconds or team.handle_seconds
    ahead = load.open - slots + 1
    backlog = ahead * handle / slots if ahead > 0 else 0.0
    return max(backlog, erlang_wait_seconds(slots, load.arrival_rate, handle))
