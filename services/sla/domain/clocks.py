"""The SLA clocks of one ticket, and what happens to them as events arrive and time passes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas.base import Channel, Priority, SlaMetric, TeamKind, derive_id
from schemas.config.sla import SlaConfig
from schemas.sla import SlaBreached
from schemas.tickets import TicketOpened
from services.sla.domain.policies import policy_for


class TicketClocks(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket_id: str
    correlation_id: str
    channel: Channel
    priority: Priority
    policy_id: str
    first_response_due: datetime
    first_response_budget_seconds: float
    team_id: str | None = None
    team_kind: TeamKind | None = None
    first_response_breached: bool = False


def start_clocks(config: SlaConfig, opened: TicketOpened) -> TicketClocks:
    policy = policy_for(
        config,
        channel=opened.channel,
        priority=opened.priority,
        tier=opened.customer.tier,
        marketplace=opened.marketplace,
    )
    return TicketClocks(
        ticket_id=opened.ticket_id,
        correlation_id=opened.correlation_id,
        channel=opened.channel,
        priority=opened.priority,
        policy_id=policy.id,
        first_response_due=opened.received_at + policy.first_response,
        first_response_budget_seconds=policy.first_response.total_seconds(),
    )


def due_breach(clocks: TicketClocks, now: datetime) -> SlaBreached | None:
    """The breach to announce now, if the first-response deadline passed unannounced."""
    if clocks.first_response_breached or now < clocks.first_response_due:
        return None
    return SlaBreached(
        event_id=derive_id("sla.breached", clocks.ticket_id, SlaMetric.FIRST_RESPONSE.value),
        occurred_at=now,
        correlation_id=clocks.correlation_id,
        ticket_id=clocks.ticket_id,
        metric=SlaMetric.FIRST_RESPONSE,
        deadline=clocks.first_response_due,
        budget_seconds=clocks.first_response_budget_seconds,
        policy_id=clocks.policy_id,
        channel=clocks.channel,
        priority=clocks.priority,
        team_id=clocks.team_id,
        team_kind=clocks.team_kind,
    )
