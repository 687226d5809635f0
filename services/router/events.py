"""Routing decisions and state changes as contract events (``schemas/``)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from schemas.base import derive_id
from schemas.queue import QueuedTicket, QueuedTicketClosed, QueuedTicketWithdrawn
from schemas.tickets import (
    OfferExpired,
    RoutingAlternative,
    RoutingRing,
    RoutingStalled,
    TicketAssigned,
)
from services.router.domain.policy import Considered, Decision
from services.router.domain.state import TicketRoute

#: Alternatives listed in an event: enough to explain the decision, never 200 teams.
MAX_ALTERNATIVES = 10


def _seconds(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else round(value, 1)


def alternatives(decision: Decision) -> list[RoutingAlternative]:
    chosen = decision.team.id if decision.team else None

    def rank(option: Considered) -> tuple[bool, bool, bool, float, str]:
        wait = option.predicted_wait if option.predicted_wait is not None else math.inf
        team = option.team.id
        return (team != chosen, not option.eligible, not option.fits, wait, team)

    listed = sorted(decision.considered, key=rank)[:MAX_ALTERNATIVES]
    return [
        RoutingAlternative(
            team_id=option.team.id,
            team_kind=option.team.kind,
            eligible=option.eligible,
            predicted_wait_seconds=_seconds(option.predicted_wait),
            fits_budget=option.fits,
            cost_per_ticket=option.team.cost,
            effective_cost_per_ticket=option.effective_price,
            ring=option.ring,
            note=option.note,
        )
        for option in listed
    ]


def _ring(decision: Decision) -> RoutingRing | None:
    ring = decision.ring
    if ring is None:
        return None
    return RoutingRing(
        level=ring.level,
        opened_after_seconds=round(ring.opened_after_seconds, 1),
        waited_seconds=round(ring.waited_seconds, 1),
        widened=list(ring.steps),
    )


def ticket_assigned(
    ticket_id: str, state: TicketRoute, decision: Decision, now: datetime
) -> TicketAssigned:
    assert state.assignment_id is not None
    assert state.team_id
    assert state.team_kind
    translate_to = decision.ring.translate_to if decision.ring else None
    return TicketAssigned(
        event_id=derive_id("ticket.assigned", ticket_id, str(state.attempt)),
        occurred_at=now,
        correlation_id=state.facts.correlation_id,
        ticket_id=ticket_id,
        assignment_id=state.assignment_id,
        attempt=state.attempt,
        team_id=state.team_id,
        team_kind=state.team_kind,
        mode="offer" if state.status == "offered" else "queue",
        offer_expires_at=state.offer_expires_at,
        reason=decision.reason,
        predicted_wait_seconds=_seconds(decision.predicted_wait),
        sla_budget_seconds=round(decision.budget_seconds, 1),
        alternatives=alternatives(decision),
        ring=_ring(decision),
        needs_translation=translate_to is not None,
        work_language=translate_to,
    )


def routing_stalled(
    ticket_id: str, state: TicketRoute, decision: Decision, now: datetime
) -> RoutingStalled:
    return RoutingStalled(
        event_id=derive_id("ticket.routing_stalled", ticket_id, str(state.attempt)),
        occurred_at=now,
        correlation_id=state.facts.correlation_id,
        ticket_id=ticket_id,
        reason=decision.reason,
        alternatives=alternatives(decision),
        next_ring_at=None
        if decision.next_ring_after is None
        else state.facts.received_at + timedelta(seconds=decision.next_ring_after),
    )


def queued(
    ticket_id: str, state: TicketRoute, now: datetime, decision: Decision | None = None
) -> QueuedTicket:
    """``decision``: the one that queued it (says whether it needs a translation)."""
    translate_to = decision.ring.translate_to if decision and decision.ring else None
    assert state.assignment_id is not None
    assert state.team_id
    facts = state.facts
    return QueuedTicket(
        event_id=derive_id("queue.ticket_assigned", str(state.assignment_id)),
        occurred_at=now,
        correlation_id=facts.correlation_id,
        ticket_id=ticket_id,
        assignment_id=state.assignment_id,
        team_id=state.team_id,
        channel=facts.channel,
        subject=facts.subject,
        text=facts.text,
        language=facts.language,
        skill=facts.skill,
        priority=facts.priority,
        customer_name=facts.customer_name,
        first_response_due=facts.first_response_due,
        needs_translation=translate_to is not None,
        work_language=translate_to,
    )


def withdrawn(
    ticket_id: str,
    *,
    assignment: uuid.UUID,
    team_id: str,
    correlation_id: str,
    reason: str,
    now: datetime,
) -> QueuedTicketWithdrawn:
    return QueuedTicketWithdrawn(
        event_id=derive_id("queue.ticket_withdrawn", str(assignment)),
        occurred_at=now,
        correlation_id=correlation_id,
        ticket_id=ticket_id,
        assignment_id=assignment,
        team_id=team_id,
        reason=reason,
    )


def closed(
    ticket_id: str, state: TicketRoute, resolved_by: str | None, now: datetime
) -> QueuedTicketClosed:
    assert state.assignment_id is not None
    assert state.team_id
    return QueuedTicketClosed(
        event_id=derive_id("queue.ticket_closed", str(state.assignment_id)),
        occurred_at=now,
        correlation_id=state.facts.correlation_id,
        ticket_id=ticket_id,
        assignment_id=state.assignment_id,
        team_id=state.team_id,
        resolved_by_team=resolved_by if resolved_by != state.team_id else None,
    )


def offer_expired(ticket_id: str, state: TicketRoute, now: datetime) -> OfferExpired:
    assert state.assignment_id is not None
    assert state.team_id
    return OfferExpired(
        event_id=derive_id("ticket.offer_expired", str(state.assignment_id)),
        occurred_at=now,
        correlation_id=state.facts.correlation_id,
        ticket_id=ticket_id,
        assignment_id=state.assignment_id,
        team_id=state.team_id,
    )
