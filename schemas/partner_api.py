"""The partner assignment API's bodies (``/v1``): what outsourced partners send and get.

Responses carry personal data only as the partner's allow-list says (``partner_api:``
in the config): the models here document every field that may appear; the service
builds a narrower model per partner and never sends a field outside it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from schemas.base import Channel, Priority, SlaMetric, TicketId, UtcDatetime


class AssignmentStatus(StrEnum):
    OFFERED = "offered"  # waiting for the partner to accept or reject, until offer_expires_at
    ACCEPTED = "accepted"
    RESPONDED = "responded"  # the first response was sent
    RESOLVED = "resolved"
    REJECTED = "rejected"
    EXPIRED = "expired"  # not accepted in time; the ticket moved on
    RELEASED = "released"  # given back after accepting; the ticket moved on
    WITHDRAWN = "withdrawn"  # taken away by Switchboard (e.g. resolved by someone else)


#: Statuses in which the partner works on the ticket and sees its data.
LIVE_STATUSES = frozenset(
    {AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED, AssignmentStatus.RESPONDED}
)


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    RESPOND = "first_response"
    RESOLVE = "resolve"
    RELEASE = "release"


class _Request(BaseModel):
    """Request bodies refuse unknown fields (a typo is an error, not a silent default) and
    values of another type (``false`` is not 0, ``1`` is not ``true``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AcceptRequest(_Request):
    pass


class RejectRequest(_Request):
    reason: StrictStr = Field(
        min_length=1, max_length=1_000, description="Why, for the contract review."
    )


class FirstResponseRequest(_Request):
    awaiting_customer: StrictBool = Field(
        default=False, description="The reply asks the customer something: SLA clocks pause."
    )


class ResolveRequest(_Request):
    resolution: StrictStr = Field(default="", max_length=1_000, description="A short note.")


class ReleaseRequest(_Request):
    reason: StrictStr = Field(min_length=1, max_length=1_000, description="Why it is given back.")


class RatingRequest(_Request):
    score: StrictInt = Field(ge=1, le=5, description="The customer's CSAT: 5 very satisfied.")
    comment: StrictStr = Field(default="", max_length=2_000)


class PlannedShiftRequest(_Request):
    day: date = Field(description="A day in the partner's own time zone, today or later.")
    agents: StrictInt = Field(ge=0, le=100_000)


class CapacityRequest(_Request):
    agents_on_shift: StrictInt = Field(ge=0, le=100_000, description="Agents working right now.")
    planned: list[PlannedShiftRequest] = Field(
        default_factory=list, max_length=62, description="Headcount planned for coming days."
    )


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Customer(_Response):
    """Only the fields the partner's allow-list names are present."""

    id: str | None = Field(default=None, description="Pseudonym, stable for this partner only.")
    name: str | None = None
    email: str | None = None
    email_masked: str | None = None
    phone: str | None = None
    phone_masked: str | None = None
    handle: str | None = None


class Order(_Response):
    id: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    marketplace: str | None = None


class Message(_Response):
    author: Literal["customer"] = "customer"
    channel: Channel
    received_at: UtcDatetime
    text: str


class Breach(_Response):
    metric: SlaMetric
    deadline: UtcDatetime
    announced_at: UtcDatetime


class AssignmentBase(_Response):
    """What every assignment answer carries, whatever the partner's allow-list."""

    object: Literal["assignment"] = "assignment"
    id: uuid.UUID = Field(description="The assignment id; a ticket offered again gets a new one.")
    ticket_id: TicketId
    status: AssignmentStatus
    attempt: int = Field(ge=1)
    channel: Channel | None
    language: str | None
    needs_translation: bool = Field(
        default=False,
        description="Offered to you although you do not speak `language` (a relaxation "
        "ring): work it in `work_language` with a translation.",
    )
    work_language: str | None = Field(default=None, description="With needs_translation.")
    skill: str | None
    priority: Priority | None
    offered_at: UtcDatetime
    offer_expires_at: UtcDatetime | None
    respond_by: UtcDatetime | None = Field(description="First-response deadline of the ticket.")
    accepted_at: UtcDatetime | None
    first_response_at: UtcDatetime | None
    resolved_at: UtcDatetime | None
    ended_at: UtcDatetime | None = Field(description="When it was rejected, expired, released.")
    end_reason: str | None
    allowed_actions: list[Action] = Field(description="What may be done now.")


class AssignmentSummary(AssignmentBase):
    """An assignment in a list; the subject only if allowed and while it is live."""

    subject: str | None = None


class AssignmentDetail(AssignmentBase):
    """One assignment. Customer, order, subject and conversation only while it is live
    (offered, accepted, responded) and only the fields the partner's allow-list names."""

    awaiting_customer: bool
    breaches: list[Breach] = Field(description="SLA breaches while it was assigned to you.")
    subject: str | None = None
    customer: Customer | None = None
    order: Order | None = None
    conversation: list[Message] | None = None


class AssignmentList(_Response):
    object: Literal["list"] = "list"
    data: list[AssignmentSummary]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PlannedShift(_Response):
    day: date
    agents: int


class Rating(_Response):
    """A CSAT rating you relayed for one of your assignments."""

    object: Literal["rating"] = "rating"
    assignment_id: uuid.UUID
    ticket_id: TicketId
    score: int
    comment: str
    submitted_at: UtcDatetime


class Capacity(_Response):
    object: Literal["capacity"] = "capacity"
    team_id: str
    online: bool = Field(description="False while Switchboard has taken the team offline.")
    agents_on_shift: int
    planned: list[PlannedShift]
    announced_at: UtcDatetime | None
    announced_by: str | None


class StatsPeriod(_Response):
    start: date
    end: date
    offered: int
    accepted: int
    rejected: int
    expired: int
    released: int
    resolved: int = Field(description="Handled: resolved by you.")
    first_responses: int
    first_response_met: int
    first_response_breached: int
    resolution_met: int
    resolution_breached: int
    average_handle_seconds: float | None = Field(description="Accepted to resolved.")
    average_accept_seconds: float | None = Field(description="Offered to accepted.")


class Stats(_Response):
    object: Literal["stats"] = "stats"
    team_id: str
    time_zone: str = Field(description="Days are counted in this (your contract's) time zone.")
    total: StatsPeriod
    days: list[StatsPeriod]


class PartnerInfo(_Response):
    object: Literal["partner"] = "partner"
    team_id: str
    name: str
    key_id: str
    fields: list[str] = Field(description="Personal and order data you receive.")
    rate_limit: str
    offer_accept_timeout_seconds: float
    webhook_url: str | None


class ErrorDetail(_Response):
    type: Literal[
        "invalid_request_error",
        "authentication_error",
        "not_found",
        "conflict",
        "idempotency_error",
        "rate_limit_error",
        "api_error",
    ]
    code: str = Field(description="Stable, machine-readable reason.")
    message: str
    request_id: str
    status: AssignmentStatus | None = Field(default=None, description="409: the current status.")
    assignment: AssignmentDetail | None = Field(default=None, description="409: as it is now.")
    errors: list[dict[str, str]] | None = Field(default=None, description="422: each problem.")


class ErrorBody(_Response):
    error: ErrorDetail


class WebhookEvent(_Response):
    """POSTed to the partner's webhook URL, signed (see the README, "Webhooks")."""

    id: uuid.UUID = Field(description="Delivery id: the same on every retry; dedupe on it.")
    object: Literal["event"] = "event"
    type: Literal["assignment.offered"] = "assignment.offered"
    created_at: UtcDatetime
    data: AssignmentDetail
