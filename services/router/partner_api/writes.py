"""Partner actions: check, write one event, wait for the view's verdict, answer.

The event id is derived from the partner and the request's idempotency key, so a
retry (on any instance, after any restart) names the same event: the view has
recorded its outcome under that id and the retry gets that outcome, or, if the first
attempt is still in flight, writes the same event again, which the view and the
router take once. The answer comes from the view after it judged the event, by the
router's rules, so two instances racing on one assignment give one 200 and one 409.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from schemas.base import derive_id
from schemas.partner_api import Action, CapacityRequest
from schemas.teams import TeamCapacity
from schemas.tickets import (
    Actor,
    FirstResponse,
    OfferAccepted,
    OfferRejected,
    TicketEvent,
    TicketReleased,
    TicketResolved,
)
from services.router.partner_api.context import PartnerApi
from services.router.partner_api.domain import capacity as capacity_rules
from services.router.partner_api.domain.assignments import refusal
from services.router.partner_api.domain.keys import Caller
from services.router.partner_api.domain.view import AssignmentRecord, PartnerTicket, fingerprint
from services.router.partner_api.errors import ApiError, not_found

RETRY_AFTER = {"Retry-After": "1"}


def parse_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def event_id(caller: Caller, *scope: str) -> uuid.UUID:
    return derive_id("partner-api", caller.team_id, *scope)


async def act(
    api: PartnerApi,
    caller: Caller,
    *,
    assignment_ref: str,
    action: Action,
    fields: dict[str, Any],
    idempotency_key: str,
    state: dict[str, Any],
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of a partner action on one of its assignments."""
    assignment_id = parse_id(assignment_ref)
    if assignment_id is None:
        raise not_found("assignment", assignment_ref)
    presenter = api.presenter(caller)
    await api.current()
    the_event = event_id(caller, "action", idempotency_key)
    asked = fingerprint(action, assignment_id, fields)
    earlier = api.index.action(the_event)
    if earlier is not None:
        ticket, record, done = earlier
        if done.fingerprint != asked or record.team_id != caller.team_id:
            raise _key_reused()
        state["ticket_id"] = ticket.ticket_id
        api.metrics.idempotent_replays.labels(caller.team_id).inc()
        return _verdict(api, caller, ticket, record, done.applied, replayed=True)
    located = api.index.assignment(caller.team_id, assignment_id)
    if located is None:
        raise not_found("assignment", assignment_ref)
    ticket, record = located
    state["ticket_id"] = ticket.ticket_id
    now = api.clock.now()
    refused = refusal(
        record.status,
        action,
        offer_expires_at=record.offer_expires_at,
        now=now,
        accept_margin=api.options.accept_margin,
    )
    if refused is not None:
        raise ApiError(
            409,
            refused.code,
            refused.message,
            status=record.status.value,
            assignment=presenter.detail(ticket, record, now),
        )
    event = _partner_event(
        action,
        ticket=ticket,
        record=record,
        fields=fields,
        the_event=the_event,
        caller=caller,
        now=now,
    )
    await publish(api, event)
    sent = time.perf_counter()
    if not await api.index.wait_for(the_event, api.options.confirm_timeout):
        raise ApiError(
            503,
            "confirmation_pending",
            "the action was written but its outcome is not confirmed yet; retry with the "
            "same Idempotency-Key to learn it",
            headers=RETRY_AFTER,
        )
    api.metrics.view_lag.observe(time.perf_counter() - sent)
    judged = api.index.action(the_event)
    if judged is None:  # the ticket left the view in between (retention): rare
        raise not_found("assignment", assignment_ref)
    ticket, record, done = judged
    return _verdict(api, caller, ticket, record, done.applied, replayed=False)


def _verdict(
    api: PartnerApi,
    caller: Caller,
    ticket: PartnerTicket,
    record: AssignmentRecord,
    applied: bool,
    *,
    replayed: bool,
) -> tuple[int, dict[str, Any]]:
    detail = api.presenter(caller).detail(ticket, record, api.clock.now())
    if applied:
        return 200, detail
    raise ApiError(
        409,
        "lost_race",
        "another request on this assignment got there first"
        + (" (this is the answer the first attempt got)" if replayed else ""),
        status=record.status.value,
        assignment=detail,
    )


def _key_reused() -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request; use a new key for a new "
        "request and the same key only to retry the same one",
        kind="idempotency_error",
    )


def _partner_event(
    action: Action,
    *,
    ticket: PartnerTicket,
    record: AssignmentRecord,
    fields: dict[str, Any],
    the_event: uuid.UUID,
    caller: Caller,
    now: Any,
) -> TicketEvent:
    common: dict[str, Any] = {
        "event_id": the_event,
        "occurred_at": now,
        "correlation_id": ticket.correlation_id or f"partner-{ticket.ticket_id}",
        "ticket_id": ticket.ticket_id,
        "assignment_id": record.assignment_id,
        "team_id": record.team_id,
        "actor": Actor(kind="partner", id=caller.team_id, key_id=caller.key_id),
    }
    match action:
        case Action.ACCEPT:
            return OfferAccepted(**common)
        case Action.REJECT:
            return OfferRejected(**common, reason=fields["reason"])
        case Action.RESPOND:
            return FirstResponse(**common, awaiting_customer=fields["awaiting_customer"])
        case Action.RESOLVE:
            return TicketResolved(**common, resolution=fields["resolution"])
        case Action.RELEASE:
            return TicketReleased(**common, reason=fields["reason"])


async def publish(api: PartnerApi, event: Any) -> None:
    if not api.kafka_reachable():
        raise ApiError(
            503, "unavailable", "Switchboard cannot write right now", headers=RETRY_AFTER
        )
    try:
        if isinstance(event, TeamCapacity):
            await api.publisher.capacity(event)
        else:
            await api.publisher.ticket_event(event)
    except Exception as exc:
        raise ApiError(
            503,
            "unavailable",
            "the action could not be written; retry with the same Idempotency-Key",
            headers=RETRY_AFTER,
        ) from exc


async def announce(
    api: PartnerApi, caller: Caller, request: CapacityRequest, idempotency_key: str
) -> dict[str, Any]:
    """A capacity announcement on ``teams``, answered once the view holds it."""
    await api.current()
    the_event = event_id(caller, "capacity", idempotency_key)
    earlier = api.index.announcement(the_event)
    if earlier is not None:
        _, done = earlier
        if done.fingerprint != capacity_rules.request_fingerprint(request):
            raise _key_reused()
        api.metrics.idempotent_replays.labels(caller.team_id).inc()
        return capacity_answer(api, caller.team_id)
    today = api.clock.now().astimezone(api.zone(caller.team_id)).date()
    access = api.config.partner_api.partners[caller.team_id]
    problems = capacity_rules.problems(request, today, access.max_agents)
    if problems:
        raise ApiError(
            422,
            "invalid_capacity",
            "; ".join(problems),
            errors=[{"field": p.split(":")[0], "problem": p.split(": ", 1)[1]} for p in problems],
        )
    current = api.index.capacities.get(caller.team_id)
    event = TeamCapacity(
        event_id=the_event,
        occurred_at=api.clock.now(),
        correlation_id=f"partner-api-{the_event}",
        team_id=caller.team_id,
        # Partners announce headcount; taking a team offline stays the house's call.
        online=current.latest.online if current is not None else True,
        agents_on_shift=request.agents_on_shift,
        planned=capacity_rules.planned_shifts(request),
        announced_by=f"partner-api/{caller.key_id}",
    )
    await publish(api, event)
    sent = time.perf_counter()
    if not await api.index.wait_for(the_event, api.options.confirm_timeout):
        raise ApiError(
            503,
            "confirmation_pending",
            "the announcement was written but is not confirmed yet; retry with the same "
            "Idempotency-Key",
            headers=RETRY_AFTER,
        )
    api.metrics.view_lag.observe(time.perf_counter() - sent)
    return capacity_answer(api, caller.team_id)


def capacity_answer(api: PartnerApi, team_id: str) -> dict[str, Any]:
    record = api.index.capacities.get(team_id)
    if record is None:
        team = api.team(team_id)
        return {
            "object": "capacity",
            "team_id": team_id,
            "online": True,
            "agents_on_shift": team.agents,
            "planned": [],
            "announced_at": None,
            "announced_by": None,
        }
    latest = record.latest
    return {
        "object": "capacity",
        "team_id": team_id,
        "online": latest.online,
        "agents_on_shift": latest.agents_on_shift,
        "planned": [{"day": s.day.isoformat(), "agents": s.agents} for s in latest.planned],
        "announced_at": latest.occurred_at.isoformat(),
        "announced_by": latest.announced_by,
    }
