"""Which teams a waiting ticket waits for, and whether a team can take a ticket now.

The policy's eligibility (``policy._consider_all``) has two parts. What depends on the
ticket is static: its candidates (``Registry.candidates``) minus the teams that gave it
back. What depends on the moment is the same for every ticket: the team is online, open,
under its daily cap, and has a free slot. So a ticket stalls exactly when none of its
teams ``takes_tickets`` (tested against ``decide`` in tests/unit/router/), which lets
the backlog wait per group of teams instead of deciding every ticket again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from services.router.domain import rings
from services.router.domain.load import TeamLoad
from services.router.domain.registry import Registry, TeamProfile, TicketProfile


def takes_tickets(team: TeamProfile, load: TeamLoad, now: datetime) -> bool:
    return (
        load.online
        and load.open < load.capacity
        and (team.volume_cap is None or load.offers_today < team.volume_cap)
        and team.hours.is_open(now)
    )


def teams_for(
    registry: Registry, ticket: TicketProfile, declined: Collection[str], rings_open: int = 0
) -> tuple[str, ...]:
    """The teams a ticket of this profile may go to once ``rings_open`` of its wider
    relaxation rings opened (``rings.open_levels``), sorted by id. The policy takes a
    wider ring only when no nearer team has room, so the ticket stalls exactly when none
    of these teams ``takes_tickets``."""
    reach = {team.id for team, _ in registry.candidates(ticket)}
    for level in rings.levels(registry, ticket)[:rings_open]:
        reach.update(candidate.team.id for candidate in level.candidates)
    return tuple(sorted(reach.difference(declined)))
