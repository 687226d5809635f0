"""Which team gets a ticket."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import Channel, TeamKind
from schemas.config.teams import TeamConfig


@dataclass(frozen=True)
class TicketNeeds:
    skill: str
    channel: Channel
    language: str


@dataclass(frozen=True)
class Choice:
    team: TeamConfig | None
    reason: str
    eligible: tuple[TeamConfig, ...]


def eligible(team: TeamConfig, needs: TicketNeeds) -> bool:
    return needs.skill in team.skills and needs.channel in team.channels


def choose_team(teams: list[TeamConfig], needs: TicketNeeds) -> Choice:
    """The simplest skill match: in-house first, then higher proficiency, then id."""
    candidates = tuple(team for team in teams if eligible(team, needs))
    if not candidates:
        return Choice(None, f"no team handles {needs.skill} on {needs.channel.value}", ())
    best = min(
        candidates,
        key=lambda team: (team.kind is not TeamKind.IN_HOUSE, -team.skills[needs.skill], team.id),
    )
    return Choice(
        best,
        f"{best.name} handles {needs.skill} on {needs.channel.value} "
        f"(proficiency {best.skills[needs.skill]:.1f})",
        candidates,
    )
