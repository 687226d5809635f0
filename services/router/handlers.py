"""Thin handler: ticket events in, routing decisions out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from plumbing.processor import DeadLetterError, Record, Step
from schemas.base import TeamKind, derive_id
from schemas.config import SwitchboardConfig
from schemas.queue import QueuedTicket
from schemas.tickets import (
    TICKET_EVENT,
    RoutingStalled,
    TicketAssigned,
    TicketOpened,
    TicketResolved,
)
from schemas.topics import queue_name
from services.router.domain.policy import TicketNeeds, choose_team
from services.router.domain.state import RoutedTicket
from services.router.metrics import RouterMetrics


@dataclass
class RouteHandler:
    config: SwitchboardConfig
    tickets_topic: str
    topic: Callable[[str], str]
    metrics: RouterMetrics

    def __call__(self, record: Record, step: Step[RoutedTicket]) -> None:
        try:
            event = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        with structlog.contextvars.bound_contextvars(
            ticket_id=event.ticket_id, correlation_id=event.correlation_id
        ):
            match event:
                case TicketOpened() if event.ticket_id not in step.store:
                    self._route(event, step)
                case TicketResolved():
                    step.store.delete(event.ticket_id)
                case _:
                    pass

    def _route(self, ticket: TicketOpened, step: Step[RoutedTicket]) -> None:
        choice = choose_team(
            self.config.teams,
            TicketNeeds(skill=ticket.skill, channel=ticket.channel, language=ticket.language),
        )
        key = ticket.ticket_id.encode()
        if choice.team is None:
            stalled = RoutingStalled(
                event_id=derive_id("ticket.routing_stalled", ticket.ticket_id, "1"),
                occurred_at=step.now,
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                reason=choice.reason,
            )
            step.emit(self.tickets_topic, stalled.to_json_bytes(), key=key)
            step.store.put(ticket.ticket_id, RoutedTicket(status="stalled"))
            self.metrics.stalled.inc()
            return
        team = choice.team
        assignment_id = derive_id("assignment", ticket.ticket_id, "1")
        assigned = TicketAssigned(
            event_id=derive_id("ticket.assigned", ticket.ticket_id, "1"),
            occurred_at=step.now,
            correlation_id=ticket.correlation_id,
            ticket_id=ticket.ticket_id,
            assignment_id=assignment_id,
            attempt=1,
            team_id=team.id,
            team_kind=team.kind,
            mode="queue" if team.kind is TeamKind.IN_HOUSE else "offer",
            reason=choice.reason,
        )
        step.emit(self.tickets_topic, assigned.to_json_bytes(), key=key)
        if team.kind is TeamKind.IN_HOUSE:
            queued = QueuedTicket(
                event_id=derive_id("queue.ticket_assigned", str(assignment_id)),
                occurred_at=step.now,
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                assignment_id=assignment_id,
                team_id=team.id,
                channel=ticket.channel,
                subject=ticket.subject,
                text=ticket.text,
                language=ticket.language,
                skill=ticket.skill,
                priority=ticket.priority,
                customer_name=ticket.customer.name,
            )
            step.emit(self.topic(queue_name(team.id)), queued.to_json_bytes(), key=key)
        step.store.put(
            ticket.ticket_id,
            RoutedTicket(
                status="assigned", team_id=team.id, assignment_id=assignment_id, attempt=1
            ),
        )
        self.metrics.routed.labels(team.id, team.kind.value).inc()
