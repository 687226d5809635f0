"""The partner view of one ticket, rebuilt from ``tickets`` and ``sla``: pure functions,
record in, record out.

A ticket is kept from ``ticket.opened`` (minimised, and only if the house lets it
out at all) so that whichever partner is offered it later finds the conversation;
such a record is *facts only* and never served. Once a partner is offered the
ticket, the record carries the partner's assignments (each with its status, times
and the partner actions that reached it) and the SLA breaches announced while a
partner held it. Partner actions are recorded by event id, which the API derives
from the partner and the request's idempotency key: that is how a retried request
finds its first outcome.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from schemas.base import Channel, Priority, SlaMetric, TeamKind
from schemas.partner_api import LIVE_STATUSES, Action, AssignmentStatus
from schemas.sla import SlaBreached, SlaEvent
from schemas.tickets import (
    FirstResponse,
    MessageAdded,
    OfferAccepted,
    OfferExpired,
    OfferRejected,
    PriorityChanged,
    TicketAssigned,
    TicketEvent,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
)
from services.router.partner_api.domain import assignments
from services.router.partner_api.domain.minimise import F, Keep, mask_email, mask_phone

#: Conversation bounds: the newest messages, each cut to this many characters.
MAX_MESSAGES = 50
MAX_MESSAGE_CHARS = 8_000
#: Partner actions remembered per assignment (retries with fresh keys are refused ones).
MAX_ACTIONS = 50


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Message(_Frozen):
    channel: Channel
    received_at: datetime
    text: str


class CustomerFacts(_Frozen):
    key: str | None = None  # our pseudonymous key, only to derive each partner's pseudonym
    name: str | None = None
    email: str | None = None
    email_masked: str | None = None
    phone: str | None = None
    phone_masked: str | None = None
    handle: str | None = None


class TicketFacts(_Frozen):
    channel: Channel
    language: str
    skill: str
    priority: Priority
    received_at: datetime
    subject: str | None = None
    order_id: str | None = None
    order_value: Decimal | None = None
    currency: str | None = None
    marketplace: str | None = None
    customer: CustomerFacts = CustomerFacts()
    messages: tuple[Message, ...] = ()


class ActionRecord(_Frozen):
    event_id: uuid.UUID
    action: Action
    fingerprint: str
    applied: bool
    at: datetime
    key_id: str | None = None


class AssignmentRecord(_Frozen):
    assignment_id: uuid.UUID
    team_id: str
    attempt: int
    status: AssignmentStatus
    offered_at: datetime
    offer_expires_at: datetime | None = None
    respond_by: datetime | None = None
    accepted_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    awaiting_customer: bool = False
    actions: tuple[ActionRecord, ...] = ()
    work_language: str | None = None  # set when offered through a translation ring

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


class BreachRecord(_Frozen):
    event_id: uuid.UUID
    team_id: str
    metric: SlaMetric
    deadline: datetime
    at: datetime


class PartnerTicket(_Frozen):
    ticket_id: str
    correlation_id: str | None = None  # the ticket's, so partner actions join its story
    facts: TicketFacts | None = None
    assignments: tuple[AssignmentRecord, ...] = ()
    breaches: tuple[BreachRecord, ...] = ()
    resolved_at: datetime | None = None
    touched_at: datetime  # processing time of the last change, for retention

    @property
    def partnered(self) -> bool:
        """Offered to a partner at some point (else a facts-only record, never served)."""
        return bool(self.assignments or self.breaches)


# -- minimisation over time --------------------------------------------------------
def personal(record: PartnerTicket) -> bool:
    """The record still holds data about the customer (or the order)."""
    facts = record.facts
    return facts is not None and (
        bool(facts.messages)
        or facts.subject is not None
        or facts.order_id is not None
        or facts.order_value is not None
        or facts.marketplace is not None
        or facts.customer != CustomerFacts()
    )


def without_personal_data(record: PartnerTicket) -> PartnerTicket:
    """Only the routing facts and the work done: what statistics need, nothing about
    the customer. Partners see personal data only while an assignment is live."""
    facts = record.facts
    if facts is None or not personal(record):
        return record
    kept = TicketFacts(
        channel=facts.channel,
        language=facts.language,
        skill=facts.skill,
        priority=facts.priority,
        received_at=facts.received_at,
    )
    return record.model_copy(update={"facts": kept})


# -- idempotency ------------------------------------------------------------------------
def fingerprint(action: Action, assignment_id: uuid.UUID, fields: dict[str, Any]) -> str:
    """What a request asked for, so a reused idempotency key with another body is caught."""
    canonical = json.dumps([action.value, str(assignment_id), fields], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


PartnerEvent = OfferAccepted | OfferRejected | FirstResponse | TicketResolved | TicketReleased


def action_of(event: PartnerEvent) -> tuple[Action, dict[str, Any]]:
    """The partner action an event records, and the request fields that shaped it."""
    match event:
        case OfferAccepted():
            return Action.ACCEPT, {}
        case OfferRejected():
            return Action.REJECT, {"reason": event.reason}
        case FirstResponse():
            return Action.RESPOND, {"awaiting_customer": event.awaiting_customer}
        case TicketResolved():
            return Action.RESOLVE, {"resolution": event.resolution}
        case TicketReleased():
            return Action.RELEASE, {"reason": event.reason}


# -- applying events ------------------------------------------------------------------
def apply_sla_event(
    current: PartnerTicket | None, event: SlaEvent, now: datetime
) -> PartnerTicket | None:
    """Breaches announced while a partner held the ticket (the SLA service names the team)."""
    if not isinstance(event, SlaBreached) or event.team_kind is not TeamKind.PARTNER:
        return current
    if event.team_id is None:
        return current
    if current is not None and any(b.event_id == event.event_id for b in current.breaches):
        return current
    breach = BreachRecord(
        event_id=event.event_id,
        team_id=event.team_id,
        metric=event.metric,
        deadline=event.deadline,
        at=event.occurred_at,
    )
    base = current or PartnerTicket(ticket_id=event.ticket_id, touched_at=now)
    return base.model_copy(update={"breaches": (*base.breaches, breach), "touched_at": now})


def apply_ticket_event(
    current: PartnerTicket | None, event: TicketEvent, now: datetime, keep: Keep
) -> PartnerTicket | None:
    """The record after ``event``; the same object when nothing changed."""
    updated = current
    match event:
        case TicketOpened():
            updated = _opened(current, event, now, keep)
        case TicketAssigned():
            updated = _assigned(current, event, now)
        case MessageAdded() | TicketReopened() if current is not None:
            updated = _customer_wrote(current, event, now, keep)
        case PriorityChanged() if current is not None and current.facts is not None:
            facts = current.facts.model_copy(update={"priority": event.priority})
            updated = current.model_copy(update={"facts": facts, "touched_at": now})
        case OfferExpired() if current is not None:
            updated = _update(current, event.assignment_id, now, _expire(event.occurred_at))
        case TicketResolved() if current is not None:
            updated = _resolved(current, event, now)
        case OfferAccepted() | OfferRejected() | FirstResponse() | TicketReleased() if (
            current is not None
        ):
            updated = _partner_action(current, event, now)
    return updated


def _opened(
    current: PartnerTicket | None, opened: TicketOpened, now: datetime, keep: Keep
) -> PartnerTicket | None:
    if keep.never_leaves(opened) or (current is not None and current.facts is not None):
        return current
    facts = TicketFacts(
        channel=opened.channel,
        language=opened.language,
        skill=opened.skill,
        priority=opened.priority,
        received_at=opened.received_at,
        subject=opened.subject if keep.wants(F.SUBJECT) else None,
        order_id=opened.order_id if keep.wants(F.ORDER_ID) else None,
        order_value=opened.order_value if keep.wants(F.ORDER_VALUE) else None,
        currency=opened.currency if keep.wants(F.ORDER_VALUE) else None,
        marketplace=opened.marketplace if keep.wants(F.ORDER_MARKETPLACE) else None,
        customer=_customer(opened, keep),
        messages=(_message(opened.channel, opened.received_at, opened.text),)
        if keep.wants(F.CONVERSATION)
        else (),
    )
    base = current or PartnerTicket(ticket_id=opened.ticket_id, touched_at=now)
    return base.model_copy(
        update={"facts": facts, "touched_at": now, "correlation_id": opened.correlation_id}
    )


def _customer(opened: TicketOpened, keep: Keep) -> CustomerFacts:
    customer = opened.customer
    email, phone = customer.email, customer.phone
    return CustomerFacts(
        key=customer.customer_key if keep.wants(F.CUSTOMER_ID) else None,
        name=customer.name if keep.wants(F.CUSTOMER_NAME) else None,
        email=email if keep.wants(F.CUSTOMER_EMAIL) else None,
        email_masked=mask_email(email) if email and keep.wants(F.CUSTOMER_EMAIL_MASKED) else None,
        phone=phone if keep.wants(F.CUSTOMER_PHONE) else None,
        phone_masked=mask_phone(phone) if phone and keep.wants(F.CUSTOMER_PHONE_MASKED) else None,
        handle=customer.handle if keep.wants(F.CUSTOMER_HANDLE) else None,
    )


def _message(channel: Channel, received_at: datetime, text: str) -> Message:
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return Message(channel=channel, received_at=received_at, text=text)


def _customer_wrote(
    current: PartnerTicket, event: MessageAdded | TicketReopened, now: datetime, keep: Keep
) -> PartnerTicket:
    update: dict[str, Any] = {"touched_at": now}
    if isinstance(event, TicketReopened):
        update["resolved_at"] = None
    facts = current.facts
    if facts is not None and keep.wants(F.CONVERSATION):
        message = _message(event.channel, event.received_at, event.text)
        update["facts"] = facts.model_copy(
            update={"messages": (*facts.messages, message)[-MAX_MESSAGES:]}
        )
    return current.model_copy(update=update)


def _assigned(
    current: PartnerTicket | None, event: TicketAssigned, now: datetime
) -> PartnerTicket | None:
    if current is not None and any(
        a.assignment_id == event.assignment_id for a in current.assignments
    ):
        return current  # the same decision read again
    offered = event.mode == "offer" and event.team_kind is TeamKind.PARTNER
    if not offered:
        if current is None or not any(a.live for a in current.assignments):
            return current
        return _withdraw_all(current, now, event.occurred_at, "assigned to another team")
    base = current or PartnerTicket(
        ticket_id=event.ticket_id, touched_at=now, correlation_id=event.correlation_id
    )
    if any(a.live for a in base.assignments):
        base = _withdraw_all(base, now, event.occurred_at, "offered to another team")
    respond_by = (
        event.occurred_at + timedelta(seconds=event.sla_budget_seconds)
        if event.sla_budget_seconds is not None
        else None
    )
    record = AssignmentRecord(
        assignment_id=event.assignment_id,
        team_id=event.team_id,
        attempt=event.attempt,
        status=AssignmentStatus.OFFERED,
        offered_at=event.occurred_at,
        offer_expires_at=event.offer_expires_at,
        respond_by=respond_by,
        work_language=event.work_language if event.needs_translation else None,
    )
    return base.model_copy(update={"assignments": (*base.assignments, record), "touched_at": now})


def _withdraw_all(current: PartnerTicket, now: datetime, at: datetime, why: str) -> PartnerTicket:
    changed = tuple(
        _ended(a, AssignmentStatus.WITHDRAWN, at, why) if a.live else a for a in current.assignments
    )
    return current.model_copy(update={"assignments": changed, "touched_at": now})


def _ended(
    record: AssignmentRecord, status: AssignmentStatus, at: datetime, why: str | None
) -> AssignmentRecord:
    return record.model_copy(update={"status": status, "ended_at": at, "end_reason": why})


Change = Callable[[AssignmentRecord], AssignmentRecord]


def _expire(at: datetime) -> Change:
    def change(record: AssignmentRecord) -> AssignmentRecord:
        status = assignments.expire(record.status)
        if status is None:
            return record
        return _ended(record, status, at, "the offer was not accepted in time")

    return change


def _update(
    current: PartnerTicket, assignment_id: uuid.UUID, now: datetime, change: Change
) -> PartnerTicket:
    records = list(current.assignments)
    for index, record in enumerate(records):
        if record.assignment_id == assignment_id:
            updated = change(record)
            if updated is record:
                return current
            records[index] = updated
            return current.model_copy(update={"assignments": tuple(records), "touched_at": now})
    return current


def _resolved(current: PartnerTicket, event: TicketResolved, now: datetime) -> PartnerTicket:
    if event.actor.kind == "partner":
        # The router honours a partner's resolution only of the assignment it holds.
        updated = _partner_action(current, event, now)
        record = _find(updated, event.assignment_id)
        if (
            updated is not current
            and record is not None
            and record.status is AssignmentStatus.RESOLVED
        ):
            return updated.model_copy(update={"resolved_at": event.occurred_at})
        return updated
    if current.resolved_at is not None and not any(a.live for a in current.assignments):
        return current
    # Resolved by someone else (an agent, a supervisor): the router frees the slot.
    records = tuple(
        _resolved_for(a, event.occurred_at) if a.assignment_id == event.assignment_id else a
        for a in current.assignments
    )
    records = tuple(
        _ended(a, AssignmentStatus.WITHDRAWN, event.occurred_at, "resolved by another team")
        if a.live
        else a
        for a in records
    )
    return current.model_copy(
        update={"assignments": records, "resolved_at": event.occurred_at, "touched_at": now}
    )


def _resolved_for(record: AssignmentRecord, at: datetime) -> AssignmentRecord:
    if not record.live:
        return record
    return record.model_copy(update={"status": AssignmentStatus.RESOLVED, "resolved_at": at})


def _find(current: PartnerTicket, assignment_id: uuid.UUID) -> AssignmentRecord | None:
    return next((a for a in current.assignments if a.assignment_id == assignment_id), None)


def _partner_action(current: PartnerTicket, event: PartnerEvent, now: datetime) -> PartnerTicket:
    action, fields = action_of(event)

    def change(record: AssignmentRecord) -> AssignmentRecord:
        if any(done.event_id == event.event_id for done in record.actions):
            return record  # the same event read again (a retry written twice)
        if record.team_id != event.team_id:
            return record
        status = assignments.follow(record.status, action)
        updated = record if status is None else _advance(record, event, status)
        if event.actor.kind != "partner":
            return updated
        done = ActionRecord(
            event_id=event.event_id,
            action=action,
            fingerprint=fingerprint(action, record.assignment_id, fields),
            applied=status is not None,
            at=event.occurred_at,
            key_id=event.actor.key_id,
        )
        return updated.model_copy(update={"actions": (*record.actions, done)[-MAX_ACTIONS:]})

    return _update(current, event.assignment_id, now, change)


def _advance(
    record: AssignmentRecord, event: PartnerEvent, status: AssignmentStatus
) -> AssignmentRecord:
    at = event.occurred_at
    match event:
        case OfferAccepted():
            return record.model_copy(update={"status": status, "accepted_at": at})
        case FirstResponse():
            return record.model_copy(
                update={
                    "status": status,
                    "first_response_at": at,
                    "awaiting_customer": event.awaiting_customer,
                }
            )
        case TicketResolved():
            return record.model_copy(update={"status": status, "resolved_at": at})
        case OfferRejected() | TicketReleased():
            return _ended(record, status, at, event.reason)
