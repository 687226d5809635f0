"""``/v1/capacity``, ``/v1/stats`` and ``/v1/partner``: the caller's own team."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from schemas.partner_api import Capacity, CapacityRequest, PartnerInfo, Stats
from services.router.partner_api.context import PartnerApi
from services.router.partner_api.domain.stats import partner_stats
from services.router.partner_api.errors import ApiError
from services.router.partner_api.routes import (
    READ_ERRORS,
    IdempotencyKey,
    caller_of,
    documented_errors,
)
from services.router.partner_api.writes import announce, capacity_answer

#: The longest period one statistics request covers.
MAX_STATS_DAYS = 62
DAY = r"^\d{4}-\d{2}-\d{2}$"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_period", f"{text!r} is not a day (YYYY-MM-DD)") from None


def account_routes(api: PartnerApi) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["your team"])

    @router.get(
        "/capacity",
        name="get_capacity",
        summary="Your team's capacity as the router sees it",
        response_model=Capacity,
        responses=READ_ERRORS,
    )
    async def get_capacity(request: Request) -> JSONResponse:
        caller = caller_of(request)
        await api.current()
        return JSONResponse(capacity_answer(api, caller.team_id))

    @router.post(
        "/capacity",
        name="announce_capacity",
        summary="Announce agents on shift now and planned for the coming days",
        response_model=Capacity,
        responses=documented_errors(400, 413, 415, 422, 503),
    )
    async def announce_capacity(
        request: Request, body: CapacityRequest, idempotency_key: IdempotencyKey
    ) -> JSONResponse:
        caller = caller_of(request)
        return JSONResponse(await announce(api, caller, body, idempotency_key))

    @router.get(
        "/stats",
        name="get_stats",
        summary="Your figures per day for the contract review",
        response_model=Stats,
        responses=READ_ERRORS,
    )
    async def get_stats(
        request: Request,
        first_day: Annotated[
            str | None,
            Query(alias="from", pattern=DAY, description="First day (default: 6 days ago)."),
        ] = None,
        last_day: Annotated[
            str | None, Query(alias="to", pattern=DAY, description="Last day (default: today).")
        ] = None,
    ) -> JSONResponse:
        caller = caller_of(request, "from", "to")
        zone = api.zone(caller.team_id)
        today = api.clock.now().astimezone(zone).date()
        last = _day(last_day) if last_day else today
        first = _day(first_day) if first_day else last - timedelta(days=6)
        if first > last or (last - first).days >= MAX_STATS_DAYS:
            raise ApiError(
                400,
                "invalid_period",
                f"'from' must not be after 'to', and a period spans at most {MAX_STATS_DAYS} days",
            )
        await api.current()
        total, days = partner_stats(
            api.index.team_rows(caller.team_id),
            api.index.breaches(),
            team_id=caller.team_id,
            first=first,
            last=last,
            zone=zone,
        )
        stats = Stats(team_id=caller.team_id, time_zone=zone.key, total=total, days=days)
        return JSONResponse(stats.model_dump(mode="json"))

    @router.get(
        "/partner",
        name="get_partner",
        summary="Who you are to Switchboard: team, key, data you receive, limits",
        response_model=PartnerInfo,
        responses=READ_ERRORS,
    )
    async def get_partner(request: Request) -> JSONResponse:
        caller = caller_of(request)
        team = api.team(caller.team_id)
        access = api.config.partner_api.partners[caller.team_id]
        assert team.contract is not None
        info = PartnerInfo(
            team_id=team.id,
            name=team.name,
            key_id=caller.key_id,
            fields=[f.value for f in access.fields],
            rate_limit=access.rate_limit,
            offer_accept_timeout_seconds=team.contract.offer_accept_timeout.total_seconds(),
            webhook_url=str(access.webhook.url) if access.webhook else None,
        )
        return JSONResponse(info.model_dump(mode="json"))

    return router
