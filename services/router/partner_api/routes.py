"""``/v1/assignments``: list, read and act on the caller's own assignments.

Which tickets a partner receives is the router's decision alone: nothing here takes
a team, a skill to subscribe to or a ticket to claim. An id that is not the caller's
answers 404 exactly like an id that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from schemas.partner_api import (
    LIVE_STATUSES,
    AcceptRequest,
    Action,
    AssignmentDetail,
    AssignmentList,
    AssignmentStatus,
    ErrorBody,
    FirstResponseRequest,
    RejectRequest,
    ReleaseRequest,
    ResolveRequest,
)
from services.router.partner_api.context import PartnerApi
from services.router.partner_api.domain.keys import Caller
from services.router.partner_api.domain.stats import WorkRow, from_micros, micros
from services.router.partner_api.errors import ApiError, not_found
from services.router.partner_api.writes import act, parse_id

#: An assignment id the OpenAPI document shows as an example (and the fuzz test uses).
EXAMPLE_ASSIGNMENT_ID = "2f0c0f6e-52a4-5b0e-9d8e-3c1d6a3f5b10"

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Unique per request; send the same key again only to retry it.",
    ),
]
AssignmentRef = Annotated[
    str,
    Path(
        description="The assignment id (not the ticket id); anything else answers 404.",
        examples=[EXAMPLE_ASSIGNMENT_ID],
    ),
]


def documented_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "malformed JSON, a missing Idempotency-Key, or a bad cursor",
        401: "no API key, or an invalid, revoked or expired one",
        404: "no such assignment (or not yours: the same answer)",
        409: "not possible in the assignment's current status; the answer shows it",
        413: "body larger than the limit",
        415: "body not sent as application/json",
        422: "a field is missing or wrong, or an Idempotency-Key reused for another request",
        429: "rate limit reached; retry after Retry-After seconds",
        503: "Switchboard could not write or confirm now; retry with the same Idempotency-Key",
    }
    return {
        code: {"model": ErrorBody, "description": described[code]} for code in (401, 429, *codes)
    }


READ_ERRORS = documented_errors(400, 422, 503)
WRITE_ERRORS = documented_errors(400, 404, 409, 413, 415, 422, 503)


def caller_of(request: Request, *query: str) -> Caller:
    """The authenticated caller (the gate let no one else through); refuses query
    parameters the endpoint does not take, so a misspelt filter is not silently ignored."""
    unknown = sorted(set(request.query_params) - set(query))
    if unknown:
        takes = f"it takes {', '.join(query)}" if query else "it takes none"
        raise ApiError(
            400,
            "unknown_parameter",
            f"unknown query parameter(s) {', '.join(map(repr, unknown))}; {takes}",
        )
    caller: Caller = request.state.caller
    return caller


def assignment_routes(api: PartnerApi) -> APIRouter:
    router = APIRouter(prefix="/v1/assignments", tags=["assignments"])

    @router.get(
        "",
        name="list_assignments",
        summary="List your assignments (default: the live ones), oldest offer first",
        response_model=AssignmentList,
        responses=READ_ERRORS,
    )
    async def list_assignments(
        request: Request,
        *,
        status: Annotated[
            list[AssignmentStatus] | None,
            Query(description="Repeat to ask for several; default offered, accepted, responded."),
        ] = None,
        skill: Annotated[str | None, Query(max_length=64)] = None,
        language: Annotated[str | None, Query(max_length=8)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query(max_length=512)] = None,
    ) -> JSONResponse:
        caller = caller_of(request, "status", "skill", "language", "limit", "cursor")
        await api.current()
        wanted = frozenset(status) if status else LIVE_STATUSES
        filters = _filters_key(wanted, skill, language)
        after = _decode_cursor(cursor, filters) if cursor else None

        def fits(row: WorkRow) -> bool:
            return (
                row.status in wanted
                and (skill is None or row.skill == skill)
                and (language is None or row.language == language)
                and (after is None or _is_after(row, after))
            )

        rows = api.index.team_rows(caller.team_id, live_only=wanted <= LIVE_STATUSES)
        page = heapq.nsmallest(limit + 1, filter(fits, rows), key=_order)
        more = len(page) > limit
        page = page[:limit]
        presenter = api.presenter(caller)
        now = api.clock.now()
        located = [found for row in page if (found := api.index.locate(row)) is not None]
        return JSONResponse(
            {
                "object": "list",
                "data": [presenter.summary(ticket, record, now) for ticket, record in located],
                "has_more": more,
                "next_cursor": _encode_cursor(page[-1], filters) if more else None,
            }
        )

    @router.get(
        "/{assignment_id}",
        name="get_assignment",
        summary="One assignment with the ticket's conversation (while it is yours)",
        response_model=AssignmentDetail,
        responses=documented_errors(400, 404, 422, 503),
    )
    async def get_assignment(request: Request, assignment_id: AssignmentRef) -> JSONResponse:
        caller = caller_of(request)
        await api.current()
        parsed = parse_id(assignment_id)
        located = api.index.assignment(caller.team_id, parsed) if parsed is not None else None
        if located is None:
            raise not_found("assignment", assignment_id)
        ticket, record = located
        request.state.ticket_id = ticket.ticket_id
        return JSONResponse(api.presenter(caller).detail(ticket, record, api.clock.now()))

    async def run(
        request: Request,
        assignment_id: str,
        action: Action,
        fields: dict[str, Any],
        key: str,
    ) -> JSONResponse:
        state = request.scope.setdefault("state", {})
        status, body = await act(
            api,
            caller_of(request),
            assignment_ref=assignment_id,
            action=action,
            fields=fields,
            idempotency_key=key,
            state=state,
        )
        return JSONResponse(body, status_code=status)

    @router.post(
        "/{assignment_id}/accept",
        name="accept_assignment",
        summary="Accept an offer (before offer_expires_at)",
        response_model=AssignmentDetail,
        responses=WRITE_ERRORS,
    )
    async def accept(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: Annotated[AcceptRequest | None, Body()] = None,
    ) -> JSONResponse:
        return await run(request, assignment_id, Action.ACCEPT, {}, idempotency_key)

    @router.post(
        "/{assignment_id}/reject",
        name="reject_assignment",
        summary="Reject an offer, with the reason; the ticket goes to another team",
        response_model=AssignmentDetail,
        responses=WRITE_ERRORS,
    )
    async def reject(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: RejectRequest,
    ) -> JSONResponse:
        fields = {"reason": body.reason}
        return await run(request, assignment_id, Action.REJECT, fields, idempotency_key)

    @router.post(
        "/{assignment_id}/first-response",
        name="record_first_response",
        summary="Record that the first response went to the customer (stops its SLA clock)",
        response_model=AssignmentDetail,
        responses=WRITE_ERRORS,
    )
    async def first_response(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: Annotated[FirstResponseRequest | None, Body()] = None,
    ) -> JSONResponse:
        fields = {"awaiting_customer": (body or FirstResponseRequest()).awaiting_customer}
        return await run(request, assignment_id, Action.RESPOND, fields, idempotency_key)

    @router.post(
        "/{assignment_id}/resolve",
        name="resolve_assignment",
        summary="Resolve the ticket",
        response_model=AssignmentDetail,
        responses=WRITE_ERRORS,
    )
    async def resolve(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: Annotated[ResolveRequest | None, Body()] = None,
    ) -> JSONResponse:
        fields = {"resolution": (body or ResolveRequest()).resolution}
        return await run(request, assignment_id, Action.RESOLVE, fields, idempotency_key)

    @router.post(
        "/{assignment_id}/release",
        name="release_assignment",
        summary="Give an accepted ticket back, with the reason; it goes to another team",
        response_model=AssignmentDetail,
        responses=WRITE_ERRORS,
    )
    async def release(
        request: Request,
        assignment_id: AssignmentRef,
        idempotency_key: IdempotencyKey,
        body: ReleaseRequest,
    ) -> JSONResponse:
        fields = {"reason": body.reason}
        return await run(request, assignment_id, Action.RELEASE, fields, idempotency_key)

    return router


# -- cursors: opaque to the partner, stable under new offers (they sort last) ----------
def _order(row: WorkRow) -> tuple[int, int]:
    """By offer time, then assignment id: a UUID's string sorts as its integer does."""
    return row.offered_us, row.assignment_id


def _is_after(row: WorkRow, after: tuple[int, str]) -> bool:
    offered, assignment = after
    if row.offered_us != offered:
        return row.offered_us > offered
    return str(uuid.UUID(int=row.assignment_id)) > assignment


def _filters_key(wanted: frozenset[AssignmentStatus], skill: str | None, lang: str | None) -> str:
    canonical = json.dumps([sorted(s.value for s in wanted), skill, lang])
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _encode_cursor(last: WorkRow, filters: str) -> str:
    offered, assignment = from_micros(last.offered_us), uuid.UUID(int=last.assignment_id)
    raw = json.dumps({"o": offered.isoformat(), "i": str(assignment), "f": filters})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, filters: str) -> tuple[int, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offered, assignment = datetime.fromisoformat(raw["o"]), str(raw["i"])
        same_filters = raw["f"] == filters
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ApiError(400, "invalid_cursor", "this cursor is not one we gave out") from None
    if not same_filters or offered.tzinfo is None:
        raise ApiError(
            400, "invalid_cursor", "use a cursor only with the filters of the page it came from"
        )
    return micros(offered), assignment
