"""Thin handlers: ticket events update clocks; the timer announces what fell due."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from plumbing.processor import DeadLetterError, Record, Step
from schemas.config import SwitchboardConfig
from schemas.tickets import (
    TICKET_EVENT,
    FirstResponse,
    TicketAssigned,
    TicketOpened,
    TicketResolved,
)
from services.sla.domain.clocks import TicketClocks, due_breach, start_clocks
from services.sla.metrics import SlaMetrics


@dataclass
class ClockHandler:
    config: SwitchboardConfig

    def __call__(self, record: Record, step: Step[TicketClocks]) -> None:
        try:
            event = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        ticket_id = event.ticket_id
        with structlog.contextvars.bound_contextvars(
            ticket_id=ticket_id, correlation_id=event.correlation_id
        ):
            clocks = step.store.get(ticket_id)
            match event:
                case TicketOpened() if clocks is None:
                    step.store.put(ticket_id, start_clocks(self.config.sla, event))
                case TicketAssigned() if clocks is not None:
                    step.store.put(
                        ticket_id,
                        clocks.model_copy(
                            update={"team_id": event.team_id, "team_kind": event.team_kind}
                        ),
                    )
                case FirstResponse() | TicketResolved() if clocks is not None:
                    step.store.delete(ticket_id)
                case _:
                    pass


@dataclass
class BreachTimer:
    sla_topic: str
    metrics: SlaMetrics

    def __call__(self, step: Step[TicketClocks]) -> None:
        for ticket_id in list(step.store.keys()):
            clocks = step.store.get(ticket_id)
            if clocks is None:
                continue
            breach = due_breach(clocks, step.now)
            if breach is None:
                continue
            step.emit(self.sla_topic, breach.to_json_bytes(), key=ticket_id.encode())
            step.store.put(ticket_id, clocks.model_copy(update={"first_response_breached": True}))
            self.metrics.breaches.labels(
                breach.metric.value,
                breach.channel.value,
                breach.team_id or "unassigned",
                breach.team_kind.value if breach.team_kind else "unassigned",
            ).inc()
        step.store.record_done()
