"""Ticket events for SLA tests, built the way the other services build them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.base import Channel, CustomerTier, Priority, TeamKind
from schemas.config.sla import SlaConfig
from schemas.customers import Customer
from schemas.tickets import (
    AgentReplied,
    FirstResponse,
    MessageAdded,
    OfferRejected,
    PriorityChanged,
    TicketAssigned,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
)
from services.sla.domain.clocks import SlaRules

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CONFIG = SlaConfig.model_validate(
    {
        "at_risk_share": 0.8,
        "calendars": {
            "office": {
                "timezone": "Europe/Tallinn",
                "weekly": {day: ["08:00-12:00", "12:30-17:00"] for day in WEEK[:5]}
                | {"sat": ["10:00-14:00"]},
                "holidays": {"country": "EE"},
            },
            "early": {"timezone": "Europe/Tallinn", "weekly": {d: ["01:00-06:00"] for d in WEEK}},
        },
        "policies": [
            {
                "id": "urgent",
                "match": {"priorities": ["urgent"]},
                "first_response": "PT15M",
                "next_response": "PT30M",
                "resolution": "PT4H",
            },
            {
                "id": "chat",
                "match": {"channels": ["chat"]},
                "first_response": "PT2M",
                "next_response": "PT5M",
                "resolution": "PT1H",
            },
            {
                "id": "night-phone",
                "match": {"channels": ["phone"]},
                "first_response": "PT5H",
                "business_hours": "early",
            },
            {
                "id": "marketplace",
                "match": {"channels": ["marketplace"]},
                "first_response": "PT12H",
                "resolution": "P2D",
            },
            {
                "id": "office-email",
                "match": {"channels": ["email"], "tiers": ["loyal"]},
                "first_response": "PT4H",
                "next_response": "PT8H",
                "resolution": "P2D",
                "business_hours": "office",
            },
            {
                "id": "default",
                "first_response": "PT4H",
                "next_response": "PT8H",
                "resolution": "P2D",
            },
        ],
        "seasons": [
            {
                "id": "black-friday",
                "starts": "2026-11-23",
                "ends": "2026-11-30",
                "timezone": "Europe/Tallinn",
                "policies": [
                    {
                        "id": "bf-email",
                        "match": {"channels": ["email"], "tiers": ["standard"]},
                        "first_response": "PT12H",
                        "next_response": "PT24H",
                        "resolution": "P4D",
                    }
                ],
            }
        ],
    }
)
RULES = SlaRules.from_config(CONFIG)

#: A Tuesday in October, outside any season, 10:00 in Tallinn.
T0 = datetime(2026, 10, 6, 7, 0, tzinfo=UTC)


class Story:
    """The events of one ticket; ``at`` is minutes after ``start`` unless a datetime."""

    def __init__(self, ticket_id: str = "t-1", start: datetime = T0) -> None:
        self.ticket_id = ticket_id
        self.start = start
        self.assignment = uuid.uuid4()
        self.team_id = "tallinn-care"

    def time(self, at: float | datetime) -> datetime:
        return at if isinstance(at, datetime) else self.start + timedelta(minutes=at)

    def _base(self, at: float | datetime) -> dict[str, Any]:
        return {
            "event_id": uuid.uuid4(),
            "occurred_at": self.time(at),
            "correlation_id": f"corr-{self.ticket_id}",
            "ticket_id": self.ticket_id,
        }

    def opened(
        self,
        at: float | datetime = 0,
        *,
        channel: Channel = Channel.EMAIL,
        priority: Priority = Priority.NORMAL,
        tier: CustomerTier = CustomerTier.STANDARD,
        marketplace: str | None = None,
        reply_deadline: datetime | None = None,
        skill: str = "orders_shipping",
    ) -> TicketOpened:
        return TicketOpened(
            **self._base(at),
            channel=channel,
            source_message_id=f"<{self.ticket_id}@example.com>",
            customer=Customer(customer_key="c-1", tier=tier),
            text="Where is my parcel?",
            received_at=self.time(at),
            language="en",
            skill=skill,
            priority=priority,
            marketplace=marketplace,
            reply_deadline=reply_deadline,
        )

    def assigned(
        self,
        at: float | datetime,
        team_id: str = "tallinn-care",
        kind: TeamKind = TeamKind.IN_HOUSE,
    ) -> TicketAssigned:
        self.team_id = team_id
        return TicketAssigned(
            **self._base(at),
            assignment_id=self.assignment,
            attempt=1,
            team_id=team_id,
            team_kind=kind,
            mode="queue" if kind is TeamKind.IN_HOUSE else "offer",
            reason="test",
        )

    def first_response(self, at: float | datetime, *, awaiting: bool = False) -> FirstResponse:
        return FirstResponse(
            **self._base(at),
            assignment_id=self.assignment,
            team_id=self.team_id,
            awaiting_customer=awaiting,
        )

    def replied(self, at: float | datetime, *, awaiting: bool = False) -> AgentReplied:
        return AgentReplied(
            **self._base(at),
            assignment_id=self.assignment,
            team_id=self.team_id,
            awaiting_customer=awaiting,
        )

    def customer_wrote(self, at: float | datetime) -> MessageAdded:
        return MessageAdded(
            **self._base(at),
            channel=Channel.EMAIL,
            source_message_id=f"<{uuid.uuid4()}@example.com>",
            text="Any news?",
            received_at=self.time(at),
        )

    def released(self, at: float | datetime) -> TicketReleased:
        return TicketReleased(
            **self._base(at),
            assignment_id=self.assignment,
            team_id=self.team_id,
            reason="shift end",
        )

    def rejected(self, at: float | datetime) -> OfferRejected:
        return OfferRejected(
            **self._base(at), assignment_id=self.assignment, team_id=self.team_id, reason="full"
        )

    def reprioritised(self, at: float | datetime, priority: Priority) -> PriorityChanged:
        return PriorityChanged(**self._base(at), priority=priority)

    def resolved(self, at: float | datetime) -> TicketResolved:
        return TicketResolved(**self._base(at), assignment_id=self.assignment, team_id=self.team_id)

    def reopened(self, at: float | datetime) -> TicketReopened:
        return TicketReopened(
            **self._base(at),
            channel=Channel.EMAIL,
            source_message_id=f"<{uuid.uuid4()}@example.com>",
            text="It broke again",
            received_at=self.time(at),
        )
