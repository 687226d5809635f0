"""Builders for router domain tests: teams, tickets and a load view held in a dict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schemas.base import Channel, CustomerTier
from schemas.config.teams import OutsourcingConfig, TeamConfig
from services.router.domain.load import DeskFigures, TeamLoad
from services.router.domain.policy import RoutingRequest
from services.router.domain.registry import Registry, TeamProfile, TicketProfile

#: Friday 27 November 2026 (Black Friday), 10:00 UTC: 12:00 in Tallinn.
FRIDAY_NOON = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
WEEKDAYS = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def team(team_id: str, kind: str = "in_house", **overrides: Any) -> TeamConfig:
    fields: dict[str, Any] = {
        "id": team_id,
        "name": team_id.replace("-", " ").title(),
        "kind": kind,
        "skills": {"orders_shipping": 1.0},
        "languages": ["en"],
        "channels": ["email", "chat"],
        "agents": 2,
        "concurrency": 2,
        "cost_per_ticket": "5.00" if kind == "in_house" else "3.00",
    }
    if kind == "partner":
        fields["contract"] = {"offer_accept_timeout": "PT2M"}
    fields.update(overrides)
    return TeamConfig.model_validate(fields)


def registry(*teams: TeamConfig, **outsourcing: Any) -> Registry:
    return Registry(list(teams), OutsourcingConfig.model_validate(outsourcing))


def ticket(
    *,
    skill: str = "orders_shipping",
    language: str = "en",
    channel: Channel = Channel.EMAIL,
    needs: frozenset[str] = frozenset(),
    tier: CustomerTier = CustomerTier.STANDARD,
    marketplace: str | None = None,
) -> TicketProfile:
    return TicketProfile(skill, language, Channel(channel), needs, CustomerTier(tier), marketplace)


def request(
    budget: float = 3600.0, declined: frozenset[str] = frozenset(), **ticket_fields: Any
) -> RoutingRequest:
    return RoutingRequest(ticket(**ticket_fields), budget, declined)


@dataclass
class FakeView:
    """Loads by team id; teams not listed are idle with their configured capacity."""

    loads: dict[str, TeamLoad] = field(default_factory=dict)
    figures: DeskFigures = field(default_factory=DeskFigures)

    def load(self, team: TeamProfile, now: datetime) -> TeamLoad:
        return self.loads.get(team.id) or TeamLoad(open=0, capacity=team.capacity)

    def desk(self, now: datetime) -> DeskFigures:
        return self.figures
