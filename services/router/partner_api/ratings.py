"""``POST /v1/assignments/{id}/rating``: a partner relays its customer's CSAT rating.

The rating becomes a ``ticket.rated`` event (source ``partner_api``) about the
partner's own assignment, once the partner has answered or resolved it. Unlike the
actions on an assignment it changes no state the view keeps, so the answer is 202 once
Kafka has the event; its id is derived from the partner and the Idempotency-Key, and
the router counts one rating per ticket (the first), so a retry cannot count twice.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from schemas.partner_api import AssignmentStatus, Rating, RatingRequest
from schemas.tickets import Actor, TicketRated
from services.router.partner_api.context import PartnerApi
from services.router.partner_api.errors import ApiError, not_found
from services.router.partner_api.routes import (
    WRITE_ERRORS,
    AssignmentRef,
    IdempotencyKey,
    caller_of,
)
from services.router.partner_api.writes import event_id, parse_id, publish

#: A rating is about work done: the partner answered the customer, or resolved it.
RATED_AFTER = frozenset({AssignmentStatus.RESPONDED, AssignmentStatus.RESOLVED})


def rating_routes(api: PartnerApi) -> APIRouter:
    router = APIRouter(prefix="/v1/assignments", tags=["assignments"])

    @router.post(
        "/{assignment_id}/rating",
        name="rate_assignment",
        summary="Relay the customer's satisfaction rating (CSAT 1-5) for your work",
        status_code=202,
        response_model=Rating,
        responses=WRITE_ERRORS,
    )
    async def rate(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: Annotated[RatingRequest, Body()],
    ) -> JSONResponse:
        caller = caller_of(request)
        await api.current()
        parsed = parse_id(assignment_id)
        located = api.index.assignment(caller.team_id, parsed) if parsed is not None else None
        if located is None:
            raise not_found("assignment", assignment_id)
        ticket, record = located
        request.scope.setdefault("state", {})["ticket_id"] = ticket.ticket_id
        if record.status not in RATED_AFTER:
            raise ApiError(
                409,
                f"not_allowed_while_{record.status.value}",
                "a rating is about your answer: possible once you responded or resolved "
                f"(the assignment is {record.status.value})",
                status=record.status.value,
            )
        now = api.clock.now()
        event = TicketRated(
            event_id=event_id(caller, "rating", idempotency_key),
            occurred_at=now,
            correlation_id=ticket.correlation_id or f"partner-{ticket.ticket_id}",
            ticket_id=ticket.ticket_id,
            score=body.score,
            comment=body.comment,
            source="partner_api",
            team_id=caller.team_id,
            actor=Actor(kind="partner", id=caller.team_id, key_id=caller.key_id),
        )
        await publish(api, event)
        answer = Rating(
            assignment_id=record.assignment_id,
            ticket_id=ticket.ticket_id,
            score=body.score,
            comment=body.comment,
            submitted_at=now,
        )
        return JSONResponse(answer.model_dump(mode="json"), status_code=202)

    return router
