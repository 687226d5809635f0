"""The HTTP face of the partner API: routes, errors and the gate on one FastAPI app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Security
from fastapi.security import HTTPBearer
from prometheus_client import CollectorRegistry

from plumbing.clock import SystemClock
from schemas.audit import PartnerAction
from schemas.config import SwitchboardConfig
from schemas.teams import TeamCapacity
from schemas.tickets import TicketEvent
from services.router.partner_api import errors
from services.router.partner_api.context import Options, PartnerApi
from services.router.partner_api.domain.keys import KeyRing
from services.router.partner_api.domain.present import Presenter
from services.router.partner_api.gate import Gate, RateLimits
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics
from services.router.partner_api.ratings import rating_routes
from services.router.partner_api.routes import assignment_routes
from services.router.partner_api.routes_account import account_routes

TITLE = "Switchboard Partner API"
VERSION = "1.0.0"
DESCRIPTION = """\
Work the tickets Switchboard offers your team: list your assignments, accept or reject
offers, record the first response, resolve or give tickets back, announce your
capacity, and read your figures for the contract review.

Every request needs your API key (`Authorization: Bearer sbp_...`); every POST an
`Idempotency-Key` header. Errors are `{"error": {"type", "code", "message",
"request_id"}}`. See the README's "Partner API" section for a whole shift with curl.
"""

#: Options for the FastAPI app: no public docs routes (every endpoint needs a key; the
#: OpenAPI document is published as docs/partner-api.json).
APP_OPTIONS: dict[str, object] = {
    "title": TITLE,
    "version": VERSION,
    "description": DESCRIPTION,
    "openapi_url": None,
    "docs_url": None,
    "redoc_url": None,
}

_BEARER = HTTPBearer(
    auto_error=False,  # the gate authenticates, before the body is even read
    bearerFormat="sbp_...",
    description="Your partner API key.",
)


def presenters(config: SwitchboardConfig, secret: bytes, margin: timedelta) -> dict[str, Presenter]:
    return {
        team_id: Presenter(team_id, frozenset(access.fields), secret, margin)
        for team_id, access in config.partner_api.partners.items()
    }


def install_api(
    app: FastAPI,
    api: PartnerApi,
    *,
    max_body_bytes: int,
    auth_failure_limit: str,
) -> None:
    """Add the ``/v1`` routes and the gate to ``app``."""
    errors.install(app)
    secured = [Security(_BEARER)]
    app.include_router(assignment_routes(api), dependencies=secured)
    app.include_router(rating_routes(api), dependencies=secured)
    app.include_router(account_routes(api), dependencies=secured)
    limits = RateLimits(
        {team: access.rate_limit for team, access in api.config.partner_api.partners.items()},
        auth_failure_limit,
    )
    app.add_middleware(
        Gate,
        keyring=KeyRing.from_config(api.config.partner_api),
        limits=limits,
        audit=api.publisher.audit,
        metrics=api.metrics,
        clock=api.clock,
        max_body_bytes=max_body_bytes,
    )


class _Nowhere:
    """The OpenAPI document is built from the routes alone; nothing is ever written."""

    async def ticket_event(self, event: TicketEvent) -> None:
        raise NotImplementedError

    async def capacity(self, event: TeamCapacity) -> None:
        raise NotImplementedError

    async def audit(self, event: PartnerAction) -> None:
        raise NotImplementedError


def openapi_document(config: SwitchboardConfig) -> dict[str, Any]:
    """The API's OpenAPI document (``docs/partner-api.json``), built without Kafka."""

    async def no_barrier() -> bool:
        return True

    api = PartnerApi(
        config=config,
        options=Options(),
        clock=SystemClock(),
        index=ViewIndex(),
        publisher=_Nowhere(),
        metrics=PartnerApiMetrics(CollectorRegistry()),
        presenters={},
        barrier=no_barrier,
        kafka_reachable=lambda: False,
    )
    app = FastAPI(**APP_OPTIONS)  # type: ignore[arg-type]
    install_api(app, api, max_body_bytes=1, auth_failure_limit="1/second")
    return app.openapi()
