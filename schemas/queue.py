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


class QueuedTicketClaimed(TicketEventBase):
    """An agent of the team holds the ticket now: it is on that agent's screen only."""

    type: Literal["queue.ticket_claimed"] = "queue.ticket_claimed"
    assignment_id: uuid.UUID
    team_id: TeamId
    agent_id: str = Field(min_length=1, max_length=128)
    how: str = Field(description="'requested', 'least_loaded' or 'round_robin'.")
    answered: bool = Field(
        default=False, description="The customer already had a first response (by anyone)."
    )


class QueuedTicketUnclaimed(TicketEventBase):
    """The agent let go of the ticket (or lost it): it waits for the next agent."""

    type: Literal["queue.ticket_unclaimed"] = "queue.ticket_unclaimed"
    assignment_id: uuid.UUID
    team_id: TeamId
    agent_id: str = Field(min_length=1, max_length=128)
    reason: str


class QueuedClaimRefused(TicketEventBase):
    """An agent's claim lost (someone holds it) or was not allowed (limit, presence)."""

    type: Literal["queue.claim_refused"] = "queue.claim_refused"
    assignment_id: uuid.UUID
    team_id: TeamId
    agent_id: str = Field(min_length=1, max_length=128)
    request_id: uuid.UUID
    reason: str
    holder: str | None = None


QueueEvent = Annotated[
    QueuedTicket
    | QueuedTicketWithdrawn
    | QueuedTicketClosed
    | QueuedTicketClaimed
    | QueuedTicketUnclaimed
    | QueuedClaimRefused,
    Field(discriminator="type"),
]
QUEUE_EVENT = TypeAdapter[QueueEvent](QueueEvent)
