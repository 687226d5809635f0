"""How a ticket's routing state changes as events arrive. Pure functions: state in, state out.

A ticket is *pending* until a team can take it, then *queued* (in-house) or
*offered* (partner) until the partner *accepts*. A rejected or expired offer, or
a release, sends it back to pending with that team added to ``declined``, so it
is never offered to that team again. A resolution frees the slot; the resolved
state is kept for a while so that a reopened ticket can be routed again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from schemas.base import Priority, TeamKind, derive_id
from schemas.tickets import TicketOpened
from services.router.domain.budget import SlaTargets, budget_left
from services.router.domain.policy import RoutingRequest
from services.router.domain.registry import TeamProfile, TicketProfile
from services.router.domain.state import TicketFacts, TicketRoute


def assignment_id(ticket_id: str, attempt: int) -> uuid.UUID:
    return derive_id("assignment", ticket_id, str(attempt))


def open_ticket(opened: TicketOpened, partition: int, sla: SlaTargets) -> TicketRoute:
    facts = TicketFacts(
        correlation_id=opened.correlation_id,
        channel=opened.channel,
        language=opened.language,
        skill=opened.skill,
        needs=tuple(sorted(set(opened.needs))),
        priority=opened.priority,
        tier=opened.customer.tier,
        marketplace=opened.marketplace,
        received_at=opened.received_at,
        reply_deadline=opened.reply_deadline,
        first_response_due=sla.first_response_deadline(
            channel=opened.channel,
            priority=opened.priority,
            tier=opened.customer.tier,
            marketplace=opened.marketplace,
            received_at=opened.received_at,
            reply_deadline=opened.reply_deadline,
        ),
        subject=opened.subject,
        text=opened.text,
        customer_name=opened.customer.name,
    )
    return TicketRoute(partition=partition, facts=facts, pending_since=opened.received_at)


def routing_request(state: TicketRoute, now: datetime) -> RoutingRequest:
    facts = state.facts
    return RoutingRequest(
        ticket=TicketProfile(
            skill=facts.skill,
            language=facts.language,
            channel=facts.channel,
            needs=frozenset(facts.needs),
            tier=facts.tier,
            marketplace=facts.marketplace,
        ),
        budget_seconds=budget_left(facts.first_response_due, now),
        declined=frozenset(state.declined),
        waited_seconds=max((now - facts.received_at).total_seconds(), 0.0),
    )


def backlog_order(state: TicketRoute) -> tuple[int, datetime]:
    """Pending tickets are routed most urgent first, then oldest first."""
    return (-state.facts.priority.rank, state.facts.received_at)


def assign(state: TicketRoute, ticket_id: str, team: TeamProfile, now: datetime) -> TicketRoute:
    attempt = state.attempt + 1
    return state.model_copy(
        update={
            "status": "offered" if team.partner else "queued",
            "attempt": attempt,
            "assignment_id": assignment_id(ticket_id, attempt),
            "team_id": team.id,
            "team_kind": team.kind,
            "assigned_at": now,
            "offer_expires_at": now + team.offer_timeout if team.partner else None,
            "stall_announced": False,
            "pending_since": None,
            "hold": None,
        }
    )


def stall(state: TicketRoute) -> TicketRoute:
    return state.model_copy(update={"stall_announced": True})


def matches(state: TicketRoute, assignment: uuid.UUID) -> bool:
    return state.holds_slot and state.assignment_id == assignment


def accept(state: TicketRoute, assignment: uuid.UUID) -> TicketRoute | None:
    """The partner took the offer; None when it is not the live offer (stale)."""
    if state.status != "offered" or state.assignment_id != assignment:
        return None
    return state.model_copy(update={"status": "accepted", "offer_expires_at": None})


def give_back(state: TicketRoute, assignment: uuid.UUID, now: datetime) -> TicketRoute | None:
    """Rejected, expired or released: back to pending, never to that team again."""
    if not matches(state, assignment) or state.team_id is None:
        return None
    declined = state.declined
    if state.team_id not in declined:
        declined = (*declined, state.team_id)
    return state.model_copy(
        update={
            "status": "pending",
            "declined": declined,
            "team_id": None,
            "team_kind": None,
            "assignment_id": None,
            "assigned_at": None,
            "offer_expires_at": None,
            "pending_since": now,
            "hold": None,
        }
    )


def resolve(state: TicketRoute, now: datetime) -> TicketRoute:
    """Resolved: kept (without the message text) so a reopened ticket can be routed."""
    return state.model_copy(
        update={
            "status": "resolved",
            "resolved_at": now,
            "offer_expires_at": None,
            "hold": None,
            "facts": state.facts.model_copy(update={"text": ""}),
        }
    )


def reopen(state: TicketRoute, text: str, received_at: datetime, sla: SlaTargets) -> TicketRoute:
    """The customer wrote again after resolution: a new first-response clock starts."""
    facts = state.facts
    due = sla.first_response_deadline(
        channel=facts.channel,
        priority=facts.priority,
        tier=facts.tier,
        marketplace=facts.marketplace,
        received_at=received_at,
        reply_deadline=None,
    )
    return state.model_copy(
        update={
            "facts": facts.model_copy(
                update={
                    "text": text,
                    "received_at": received_at,
                    "reply_deadline": None,
                    "first_response_due": due,
                }
            ),
            "status": "pending",
            "team_id": None,
            "team_kind": None,
            "assignment_id": None,
            "assigned_at": None,
            "resolved_at": None,
            "stall_announced": False,
            "pending_since": received_at,
            "hold": None,
            "answered": False,
        }
    )


def reprioritise(state: TicketRoute, priority: Priority, sla: SlaTargets) -> TicketRoute:
    facts = state.facts
    due = sla.first_response_deadline(
        channel=facts.channel,
        priority=priority,
        tier=facts.tier,
        marketplace=facts.marketplace,
        received_at=facts.received_at,
        reply_deadline=facts.reply_deadline,
    )
    return state.model_copy(
        update={"facts": facts.model_copy(update={"priority": priority, "first_response_due": due})}
    )


def held_seconds(state: TicketRoute, now: datetime) -> float | None:
    """How long the resolving team held the ticket's slot."""
    if state.assigned_at is None:
        return None
    return max((now - state.assigned_at).total_seconds(), 0.0)


def is_in_house(state: TicketRoute) -> bool:
    return state.team_kind is TeamKind.IN_HOUSE
