"""``queue.<team_id>``: what the in-house agents of one team consume."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from schemas.base import Channel, Priority, TeamId, TicketEventBase, UtcDatetime


class QueuedTicket(TicketEventBase):
    """A ticket assigned to the team, with what an agent needs to pick it up."""

    type: Literal["queue.ticket_assigned"] = "queue.ticket_assigned"
    assignment_id: uuid.UUID
    team_id: TeamId
    channel: Channel
    subject: str | None = None
    text: str
    language: str
    skill: str
    priority: Priority
    customer_name: str | None = None
    first_response_due: UtcDatetime | None = None
    needs_translation: bool = Field(
        default=False,
        description="Nobody on the team speaks `language`: work it in `work_language` "
        "with a translation.",
    )
    work_language: str | None = None


class QueuedTicketWithdrawn(TicketEventBase):
    """The ticket left the team's queue (re-routed elsewhere)."""

    type: Literal["queue.ticket_withdrawn"] = "queue.ticket_withdrawn"
    assignment_id: uuid.UUID
    team_id: TeamId
    reason: str


class QueuedTicketClosed(TicketEventBase):
    """The ticket was resolved: agents' views drop it, also after a restart of their tool."""

    type: Literal["queue.ticket_closed"] = "queue.ticket_closed"
    assignment_id: uuid.UUID
    team_id: TeamId
    resolved_by_team: TeamId | None = Field(
        default=None, description="Who resolved it, when not the team whose queue this is."
    )


QueueEvent = Annotated[
    QueuedTicket | QueuedTicketWithdrawn | QueuedTicketClosed, Field(discriminator="type")
]
QUEUE_EVENT = TypeAdapter[QueueEvent](QueueEvent)
