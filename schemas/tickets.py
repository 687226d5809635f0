"""``tickets``: the ticket lifecycle, event-sourced, keyed by ticket id.

Reading this topic from the beginning tells the whole story of every ticket:
who opened it, each follow-up, every routing decision with its reasons, who
accepted or gave it back, when it was first answered and when it was resolved.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from schemas.base import (
    Channel,
    Contract,
    Priority,
    TeamId,
    TeamKind,
    TicketEventBase,
    UtcDatetime,
)
from schemas.customers import Customer


class Actor(Contract):
    """Who caused an event: an in-house agent, a partner (through the API), or Switchboard."""

    kind: Literal["agent", "partner", "system", "customer"]
    id: str = Field(min_length=1, max_length=128)
    key_id: str | None = Field(default=None, description="Partner API key used, if any.")


SYSTEM = Actor(kind="system", id="switchboard")


class SkillScore(Contract):
    skill: str
    score: float = Field(ge=0)
    evidence: list[str] = Field(default_factory=list)


class RepeatOf(Contract):
    """The resolved ticket a new conversation is about again (a repeat contact)."""

    ticket_id: str = Field(min_length=1, max_length=64)
    resolved_at: UtcDatetime
    resolved_by_team: TeamId | None = Field(
        default=None, description="The team that resolved it, when ingest heard of it."
    )


class TicketOpened(TicketEventBase):
    type: Literal["ticket.opened"] = "ticket.opened"
    channel: Channel
    source_message_id: str = Field(min_length=1, max_length=512)
    customer: Customer
    subject: str | None = None
    text: str
    received_at: UtcDatetime
    language: str = Field(description="ISO 639-1 code, or 'und' when not sure.")
    language_confidence: float = Field(default=0.0, ge=0, le=1)
    skill: str
    skill_evidence: list[str] = Field(default_factory=list)
    skill_alternatives: list[SkillScore] = Field(default_factory=list)
    needs: list[str] = Field(
        default_factory=list,
        description="Capabilities the handling team must have beyond the skill, e.g. "
        "'voice' for phone, 'marketplace' for marketplace messages.",
    )
    priority: Priority = Priority.NORMAL
    priority_reasons: list[str] = Field(default_factory=list)
    marketplace: str | None = None
    order_id: str | None = None
    order_value: Decimal | None = None
    currency: str | None = None
    reply_deadline: UtcDatetime | None = Field(
        default=None, description="The marketplace's own reply deadline, if it sent one."
    )
    repeat_of: RepeatOf | None = Field(
        default=None,
        description="Set when the customer contacted us again about a problem of a resolved "
        "ticket: that resolution was not a first-contact resolution.",
    )


class MessageAdded(TicketEventBase):
    """A customer's follow-up threaded onto an open ticket."""

    type: Literal["ticket.message_added"] = "ticket.message_added"
    channel: Channel
    source_message_id: str = Field(min_length=1, max_length=512)
    text: str
    received_at: UtcDatetime
    repeat_contact: bool = False


class TicketReopened(TicketEventBase):
    """A customer replied to a ticket resolved within the reopen window."""

    type: Literal["ticket.reopened"] = "ticket.reopened"
    channel: Channel
    source_message_id: str = Field(min_length=1, max_length=512)
    text: str
    received_at: UtcDatetime


class PriorityChanged(TicketEventBase):
    type: Literal["ticket.priority_changed"] = "ticket.priority_changed"
    priority: Priority
    reasons: list[str] = Field(default_factory=list)


class RoutingAlternative(Contract):
    """One team the router considered, and what it predicted for it."""

    team_id: TeamId
    team_kind: TeamKind
    eligible: bool
    predicted_wait_seconds: float | None = Field(default=None, ge=0)
    fits_budget: bool = False
    cost_per_ticket: Decimal | None = None
    effective_cost_per_ticket: Decimal | None = Field(
        default=None,
        description="Partners, when quality weighs in: the price plus what its measured "
        "first-contact resolution and CSAT are worth (outsourcing.quality).",
    )
    ring: int = Field(
        default=0, ge=0, description="0: an exact match; n: the ticket's n-th wider ring."
    )
    note: str = ""


class RoutingRing(Contract):
    """The relaxation ring a ticket was assigned in: nobody nearer had room."""

    level: int = Field(ge=1, description="1: the ticket's nearest wider ring.")
    opened_after_seconds: float = Field(
        ge=0, description="The wait (since the customer wrote) after which the ring opens."
    )
    waited_seconds: float = Field(ge=0, description="How long the ticket had waited.")
    widened: list[str] = Field(
        default_factory=list, description="What the chosen team's ring widened, in words."
    )


class TicketAssigned(TicketEventBase):
    """The router's decision. For partners it is an offer until accepted."""

    type: Literal["ticket.assigned"] = "ticket.assigned"
    assignment_id: uuid.UUID
    attempt: int = Field(ge=1, description="1 for the first routing, +1 for each re-route.")
    team_id: TeamId
    team_kind: TeamKind
    mode: Literal["queue", "offer"]
    offer_expires_at: UtcDatetime | None = None
    reason: str
    predicted_wait_seconds: float | None = Field(default=None, ge=0)
    sla_budget_seconds: float | None = Field(default=None, ge=0)
    alternatives: list[RoutingAlternative] = Field(default_factory=list)
    ring: RoutingRing | None = Field(
        default=None, description="Set when a wider relaxation ring made the assignment."
    )
    needs_translation: bool = Field(
        default=False,
        description="The team does not speak the ticket's language: it works it in "
        "`work_language` through a translation.",
    )
    work_language: str | None = Field(
        default=None, description="With needs_translation: the language the team works in."
    )


class RoutingStalled(TicketEventBase):
    """Nobody is eligible right now; the ticket waits in the pending backlog."""

    type: Literal["ticket.routing_stalled"] = "ticket.routing_stalled"
    reason: str
    alternatives: list[RoutingAlternative] = Field(default_factory=list)
    next_ring_at: UtcDatetime | None = Field(
        default=None, description="When the ticket's next wider relaxation ring opens."
    )


class _AssignmentEvent(TicketEventBase):
    assignment_id: uuid.UUID
    team_id: TeamId
    actor: Actor = SYSTEM


class OfferAccepted(_AssignmentEvent):
    type: Literal["ticket.offer_accepted"] = "ticket.offer_accepted"


class OfferRejected(_AssignmentEvent):
    type: Literal["ticket.offer_rejected"] = "ticket.offer_rejected"
    reason: str = Field(min_length=1, max_length=1_000)


class OfferExpired(_AssignmentEvent):
    type: Literal["ticket.offer_expired"] = "ticket.offer_expired"


class TicketReleased(_AssignmentEvent):
    """The team gives the ticket back; the router routes it again."""

    type: Literal["ticket.released"] = "ticket.released"
    reason: str = Field(min_length=1, max_length=1_000)


class FirstResponse(_AssignmentEvent):
    type: Literal["ticket.first_response"] = "ticket.first_response"
    awaiting_customer: bool = Field(
        default=False, description="The reply asks the customer something: SLA clocks pause."
    )


class AgentReplied(_AssignmentEvent):
    """A later reply from the team (the first one is ``ticket.first_response``)."""

    type: Literal["ticket.agent_replied"] = "ticket.agent_replied"
    awaiting_customer: bool = False


class TicketResolved(_AssignmentEvent):
    type: Literal["ticket.resolved"] = "ticket.resolved"
    resolution: str = Field(default="", max_length=1_000)


class TicketRated(TicketEventBase):
    """The customer rated the service on the ticket (CSAT, 1 to 5)."""

    type: Literal["ticket.rated"] = "ticket.rated"
    score: int = Field(ge=1, le=5, description="5: very satisfied.")
    comment: str = Field(default="", max_length=2_000)
    source: Literal["partner_api", "agent", "survey"] = Field(
        description="Who relayed it: a partner through its API, an in-house agent, or a "
        "survey tool through ingest's csat intake."
    )
    team_id: TeamId | None = Field(
        default=None,
        description="The team the rating is about, when the sender knows; else the team "
        "that resolved the ticket.",
    )
    actor: Actor = SYSTEM


# -- in-house agents' claims: agents ask, the router decides (first claim wins) -------------
ClaimHow = Literal["requested", "least_loaded", "round_robin"]
RefusalReason = Literal["held_by_another", "at_limit", "not_queued", "not_online"]
UnclaimReason = Literal["released", "logout", "agent_offline", "no_first_response"]


class ClaimRequested(_AssignmentEvent):
    """An in-house agent asks to work the ticket (``next`` or ``claim`` in the terminal);
    the router answers with ``ticket.claimed`` or ``ticket.claim_refused``."""

    type: Literal["ticket.claim_requested"] = "ticket.claim_requested"


class UnclaimRequested(_AssignmentEvent):
    """The agent who holds the ticket lets go of it: back to the team's queue."""

    type: Literal["ticket.unclaim_requested"] = "ticket.unclaim_requested"
    reason: str = Field(default="released", min_length=1, max_length=1_000)


class TicketClaimed(_AssignmentEvent):
    """The router gave the ticket to one agent of the in-house team that holds it."""

    type: Literal["ticket.claimed"] = "ticket.claimed"
    agent_id: str = Field(min_length=1, max_length=128)
    how: ClaimHow = Field(
        description="'requested': the agent asked for it; otherwise the team's distribution "
        "gave it to the agent."
    )
    request_id: uuid.UUID | None = Field(
        default=None, description="The ticket.claim_requested this answers, if any."
    )
    held: int = Field(ge=1, description="Tickets the agent holds with this one.")
    limit: int = Field(ge=1, description="Tickets the agent may hold at once.")


class ClaimRefused(_AssignmentEvent):
    type: Literal["ticket.claim_refused"] = "ticket.claim_refused"
    agent_id: str = Field(min_length=1, max_length=128)
    request_id: uuid.UUID
    reason: RefusalReason
    holder: str | None = Field(default=None, description="Who holds it, when someone does.")


class TicketUnclaimed(_AssignmentEvent):
    """The agent no longer holds the ticket; it waits in the team's queue again (or, when
    the team cannot make its deadline, the router routes it again: ``ticket.released``)."""

    type: Literal["ticket.unclaimed"] = "ticket.unclaimed"
    agent_id: str = Field(min_length=1, max_length=128)
    reason: UnclaimReason
    held_seconds: float = Field(ge=0, description="How long (clock time) the agent held it.")


TicketEvent = Annotated[
    TicketOpened
    | MessageAdded
    | TicketReopened
    | PriorityChanged
    | TicketAssigned
    | RoutingStalled
    | OfferAccepted
    | OfferRejected
    | OfferExpired
    | TicketReleased
    | FirstResponse
    | AgentReplied
    | TicketResolved
    | TicketRated
    | ClaimRequested
    | UnclaimRequested
    | TicketClaimed
    | ClaimRefused
    | TicketUnclaimed,
    Field(discriminator="type"),
]

TICKET_EVENT = TypeAdapter[TicketEvent](TicketEvent)
