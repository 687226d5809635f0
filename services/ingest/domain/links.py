"""Which customer a ticket belongs to: the join of ``tickets`` onto the customer key.

``ticket.resolved`` and ``ticket.reopened`` are keyed by ticket id and do not name
the customer; the threader is partitioned by customer. So ingest remembers, per
ticket, the customer its ``ticket.opened`` named (a compacted changelog partitioned
like ``tickets``) and turns each status change into a ``TicketStatusChanged``
keyed by the customer: a foreign-key join, done the Kafka way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.base import derive_id
from schemas.config.ingest import ThreadingConfig
from schemas.ingest import TicketStatusChanged
from schemas.tickets import TicketOpened, TicketReopened, TicketResolved


class TicketLink(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_key: str
    status: Literal["open", "resolved"] = "open"
    touched_at: datetime


def link_for(opened: TicketOpened, now: datetime) -> TicketLink:
    return TicketLink(customer_key=opened.customer.customer_key, touched_at=now)


def status_change(
    link: TicketLink, event: TicketResolved | TicketReopened, now: datetime
) -> tuple[TicketLink, TicketStatusChanged]:
    status: Literal["resolved", "reopened"] = (
        "resolved" if isinstance(event, TicketResolved) else "reopened"
    )
    change = TicketStatusChanged(
        event_id=derive_id("ingest.ticket_status", str(event.event_id)),
        occurred_at=event.occurred_at,
        correlation_id=event.correlation_id,
        customer_key=link.customer_key,
        ticket_id=event.ticket_id,
        status=status,
        changed_at=event.occurred_at,
        source_event_id=str(event.event_id),
        team_id=event.team_id if isinstance(event, TicketResolved) else None,
    )
    updated = link.model_copy(
        update={"status": "resolved" if status == "resolved" else "open", "touched_at": now}
    )
    return updated, change


def expire_link(link: TicketLink, now: datetime, config: ThreadingConfig) -> TicketLink | None:
    """Forget a link the threader can no longer use: resolved and past the reopen
    window (a later resolution of a reopened ticket would need it, and reopening has
    stopped by then), or without any change for ``idle_retention``."""
    idle = now - link.touched_at
    if link.status == "resolved" and idle > config.reopen_window:
        return None
    if idle > config.idle_retention:
        return None
    return link
