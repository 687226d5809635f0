"""Builders for the ticket and SLA events the partner view reads, with readable defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from schemas.base import Channel, SlaMetric, TeamKind, derive_id
from schemas.customers import Customer
from schemas.sla import SlaBreached
from schemas.tickets import (
    Actor,
    FirstResponse,
    MessageAdded,
    OfferAccepted,
    OfferExpired,
    OfferRejected,
    TicketAssigned,
    TicketOpened,
    TicketReleased,
    TicketResolved,
)

#: Friday 27 November 2026 (Black Friday), 10:00 UTC.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PARTNER = "nearshore-bpo"
OTHER_PARTNER = "manila-247"


def opened(ticket_id: str = "t-1", at: datetime = NOW, **overrides: Any) -> TicketOpened:
    fields: dict[str, Any] = {
        "event_id": derive_id("test.opened", ticket_id),
        "occurred_at": at,
        "correlation_id": f"c-{ticket_id}",
        "ticket_id": ticket_id,
        "channel": Channel.EMAIL,
        "source_message_id": f"m-{ticket_id}",
        "customer": Customer(
            customer_key=f"key-{ticket_id}",
            name="Kadri Tamm",
            email="kadri.tamm@example.com",
            phone="+372 5555 1267",
            handle="@kadri",
        ),
        "subject": "Where is my parcel?",
        "text": "Order 4711 has not arrived.",
        "received_at": at,
        "language": "en",
        "skill": "orders_shipping",
        "order_id": "4711",
        "order_value": Decimal("59.90"),
        "currency": "EUR",
    }
    fields.update(overrides)
    return TicketOpened.model_validate(fields)


def offered(
    ticket_id: str = "t-1",
    *,
    team_id: str = PARTNER,
    attempt: int = 1,
    at: datetime = NOW,
    expires_in: timedelta = timedelta(minutes=3),
    kind: TeamKind = TeamKind.PARTNER,
) -> TicketAssigned:
    partner = kind is TeamKind.PARTNER
    return TicketAssigned(
        event_id=derive_id("test.assigned", ticket_id, str(attempt)),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        assignment_id=derive_id("assignment", ticket_id, str(attempt)),
        attempt=attempt,
        team_id=team_id,
        team_kind=kind,
        mode="offer" if partner else "queue",
        offer_expires_at=at + expires_in if partner else None,
        reason="test",
        sla_budget_seconds=3600.0,
    )


def partner_actor(team_id: str = PARTNER, key_id: str = "key-1") -> Actor:
    return Actor(kind="partner", id=team_id, key_id=key_id)


def action(
    kind: type[Any],
    assigned: TicketAssigned,
    at: datetime | None = None,
    event_id: uuid.UUID | None = None,
    actor: Actor | None = None,
    **fields: Any,
) -> Any:
    if kind in (OfferRejected, TicketReleased):
        fields.setdefault("reason", "no capacity")
    return kind(
        event_id=event_id or uuid.uuid4(),
        occurred_at=at or assigned.occurred_at + timedelta(seconds=30),
        correlation_id=assigned.correlation_id,
        ticket_id=assigned.ticket_id,
        assignment_id=assigned.assignment_id,
        team_id=assigned.team_id,
        actor=actor or partner_actor(assigned.team_id),
        **fields,
    )


def expired(assigned: TicketAssigned, at: datetime | None = None) -> OfferExpired:
    assert assigned.offer_expires_at is not None
    return OfferExpired(
        event_id=derive_id("ticket.offer_expired", str(assigned.assignment_id)),
        occurred_at=at or assigned.offer_expires_at,
        correlation_id=assigned.correlation_id,
        ticket_id=assigned.ticket_id,
        assignment_id=assigned.assignment_id,
        team_id=assigned.team_id,
    )


def message(ticket_id: str, text: str, at: datetime) -> MessageAdded:
    return MessageAdded(
        event_id=uuid.uuid4(),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        channel=Channel.EMAIL,
        source_message_id=f"m-{uuid.uuid4().hex[:6]}",
        text=text,
        received_at=at,
    )


def breached(
    ticket_id: str,
    metric: SlaMetric,
    at: datetime,
    team_id: str | None = PARTNER,
    kind: TeamKind | None = TeamKind.PARTNER,
) -> SlaBreached:
    return SlaBreached(
        event_id=derive_id("test.breach", ticket_id, metric.value, str(at)),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        metric=metric,
        deadline=at,
        budget_seconds=3600,
        policy_id="default",
        channel=Channel.EMAIL,
        priority="normal",
        team_id=team_id,
        team_kind=kind,
    )


__all__ = [
    "FirstResponse",
    "OfferAccepted",
    "OfferRejected",
    "TicketReleased",
    "TicketResolved",
]


def derive_assignment() -> uuid.UUID:
    """The assignment id the OpenAPI document uses as its example."""
    from services.router.partner_api.routes import EXAMPLE_ASSIGNMENT_ID  # noqa: PLC0415

    return uuid.UUID(EXAMPLE_ASSIGNMENT_ID)
