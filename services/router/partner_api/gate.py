"""What every ``/v1`` request passes through before and after its route.

In order: a request id; the API key (401 before anything else is looked at, so an
unauthenticated caller learns nothing about ids or bodies); the key's rate limit
(429 with ``Retry-After``); the body's size and type (413, 415); the route; then the
audit event (``partner.audit``), written before the answer leaves. An answer that
would show data is not sent when its audit event cannot be written (503): what a
partner saw is always on record. Writes are on record in ``tickets`` anyway.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing.clock import Clock
from plumbing.logging import get_logger
from schemas.audit import PartnerAction
from schemas.base import derive_id
from services.router.partner_api.domain.keys import Caller, KeyRing
from services.router.partner_api.errors import BodyTooLargeError, error_response
from services.router.partner_api.metrics import PartnerApiMetrics

log = get_logger(__name__)

AUDIT_TIMEOUT_SECONDS = 5.0
_MESSAGES = {
    "missing_api_key": "send your API key: 'Authorization: Bearer sbp_...'",
    "invalid_api_key": "this API key is not valid",
    "api_key_revoked": "this API key was revoked; use another of your keys",
    "api_key_expired": "this API key expired; use another of your keys",
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # seconds until the tightest window has room again


class RateLimits:
    """Per API key (moving windows, per instance), and per client address for failed
    authentications. The windows live in this process's memory (see docs)."""

    def __init__(self, per_partner: dict[str, str], auth_failures: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._partners = {team: parse_many(spec) for team, spec in per_partner.items()}
        self._failures = parse_many(auth_failures)

    def hit(self, caller: Caller) -> Verdict:
        items = self._partners.get(caller.team_id, [])
        ids = ("key", caller.key_id)
        if all(self._limiter.test(item, *ids) for item in items):
            for item in items:
                self._limiter.hit(item, *ids)
            return self._verdict(items, ids, allowed=True)
        return self._verdict(items, ids, allowed=False)

    def failures_exhausted(self, client: str) -> Verdict | None:
        ids = ("auth-failure", client)
        if all(self._limiter.test(item, *ids) for item in self._failures):
            for item in self._failures:
                self._limiter.hit(item, *ids)
            return None
        return self._verdict(self._failures, ids, allowed=False)

    def _verdict(self, items: list[RateLimitItem], ids: tuple[str, str], allowed: bool) -> Verdict:
        if not items:
            return Verdict(allowed, 0, 0, 0)
        now = time.time()
        stats = [(item, self._limiter.get_window_stats(item, *ids)) for item in items]
        item, window = min(stats, key=lambda pair: pair[1].remaining / pair[0].amount)
        return Verdict(
            allowed=allowed,
            limit=item.amount,
            remaining=max(window.remaining, 0),
            reset_after=max(1, math.ceil(window.reset_time - now)),
        )


Audit = Callable[[PartnerAction], Awaitable[None]]


class Gate:
    """A pure ASGI middleware around the FastAPI app (it must see the raw stream to stop
    an oversized body, and hold the answer until the audit event is written)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        keyring: KeyRing,
        limits: RateLimits,
        audit: Audit,
        metrics: PartnerApiMetrics,
        clock: Clock,
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self.keyring = keyring
        self.limits = limits
        self.audit = audit
        self.metrics = metrics
        self.clock = clock
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = "req_" + uuid.uuid4().hex[:24]
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        headers = Headers(scope=scope)
        extra_headers: dict[str, str] = {"X-Request-Id": request_id}
        found = self.keyring.identify(_bearer(headers), self.clock.now())
        caller = found if isinstance(found, Caller) else None
        if caller is not None:
            state["caller"] = caller
        refused = self._check(scope, headers, found, request_id, extra_headers)
        if refused is not None and refused.status_code == 429 and caller is None:
            # Too many failed keys from this address: answered, counted, not audited.
            await self._send(refused, extra_headers, scope, receive, send)
            self._count(scope, caller, refused.status_code, started)
            return
        if refused is None:
            status, messages = await self._call_app(scope, receive, request_id)
        else:
            status, messages = refused.status_code, None
        response: Response | None = refused
        audited = await self._audited(scope, headers, caller, status, request_id)
        if not audited and scope["method"] == "GET" and status < 400:
            response, messages = (
                error_response(
                    request_id,
                    503,
                    "audit_unavailable",
                    "the answer could not be put on record; retry in a moment",
                    headers={"Retry-After": "2"},
                ),
                None,
            )
            status = 503
        if messages is not None:
            await _replay(messages, extra_headers, send)
        else:
            assert response is not None
            await self._send(response, extra_headers, scope, receive, send)
        self._count(scope, caller, status, started)

    # -- before the route --------------------------------------------------------------
    def _check(
        self,
        scope: Scope,
        headers: Headers,
        found: Caller | str,
        request_id: str,
        extra_headers: dict[str, str],
    ) -> Response | None:
        if not isinstance(found, Caller):
            client = scope.get("client") or ("unknown", 0)
            exhausted = self.limits.failures_exhausted(str(client[0]))
            if exhausted is not None:
                self.metrics.rate_limited.labels("unknown").inc()
                return error_response(
                    request_id,
                    429,
                    "too_many_failed_authentications",
                    "too many requests with invalid API keys from your address",
                    headers={"Retry-After": str(exhausted.reset_after)},
                )
            self.metrics.auth_failures.labels(found).inc()
            scope["state"]["outcome"] = found
            return error_response(
                request_id,
                401,
                found,
                _MESSAGES[found],
                headers={"WWW-Authenticate": 'Bearer realm="switchboard"'},
            )
        verdict = self.limits.hit(found)
        if verdict.limit:
            extra_headers["RateLimit-Limit"] = str(verdict.limit)
            extra_headers["RateLimit-Remaining"] = str(verdict.remaining)
            extra_headers["RateLimit-Reset"] = str(verdict.reset_after)
        if not verdict.allowed:
            self.metrics.rate_limited.labels(found.team_id).inc()
            scope["state"]["outcome"] = "rate_limited"
            return error_response(
                request_id,
                429,
                "rate_limited",
                f"more than {verdict.limit} requests in the window for this key; "
                f"retry after {verdict.reset_after} s",
                headers={"Retry-After": str(verdict.reset_after)},
            )
        return self._check_body(scope, headers, request_id)

    def _check_body(self, scope: Scope, headers: Headers, request_id: str) -> Response | None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            scope["state"]["outcome"] = "body_too_large"
            return error_response(
                request_id,
                413,
                "body_too_large",
                f"the body is {declared} bytes; the limit is {self.max_body_bytes}",
            )
        has_body = (declared.isdigit() and int(declared) > 0) or "transfer-encoding" in headers
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if scope["method"] == "POST" and has_body and media_type != "application/json":
            scope["state"]["outcome"] = "unsupported_media_type"
            return error_response(
                request_id,
                415,
                "unsupported_media_type",
                "send the body as JSON: 'Content-Type: application/json'",
            )
        return None

    # -- the route, held until the audit is written ------------------------------------
    async def _call_app(
        self, scope: Scope, receive: Receive, request_id: str
    ) -> tuple[int, list[Message]]:
        messages: list[Message] = []
        received = 0
        limit = self.max_body_bytes
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLargeError(f"the body exceeds the limit of {limit} bytes")
            return message

        async def hold(message: Message) -> None:
            messages.append(message)

        async def replace(response: Response) -> None:
            messages.clear()
            await response(scope, receive, hold)

        try:
            await self.app(scope, limited_receive, hold)
        except Exception:
            log.exception("partner API request failed", request_id=request_id)
            scope["state"]["outcome"] = "internal_error"
            await replace(error_response(request_id, 500, "internal_error", "something went wrong"))
        if too_large:  # FastAPI reports a body it could not read as a 400 of its own
            scope["state"]["outcome"] = "body_too_large"
            message = f"the body exceeds the limit of {limit} bytes"
            await replace(error_response(request_id, 413, "body_too_large", message))
        status = next(m["status"] for m in messages if m["type"] == "http.response.start")
        return int(status), messages

    async def _audited(
        self,
        scope: Scope,
        headers: Headers,
        caller: Caller | None,
        status: int,
        request_id: str,
    ) -> bool:
        state = scope["state"]
        route = scope.get("route")
        outcome = state.get("outcome") or ("ok" if status < 400 else f"http_{status}")
        event = PartnerAction(
            event_id=derive_id("partner.audit", request_id),
            occurred_at=self.clock.now(),
            correlation_id=request_id,
            partner_id=caller.team_id if caller else "unknown",
            key_id=caller.key_id if caller else "-",
            action=getattr(route, "name", None) or "unmatched",
            method=scope["method"],
            path=scope["path"][:512],
            ticket_id=state.get("ticket_id"),
            status_code=status,
            outcome=str(outcome)[:200],
            request_id=request_id,
            idempotency_key=(headers.get("idempotency-key") or "")[:255] or None,
        )
        try:
            await asyncio.wait_for(self.audit(event), AUDIT_TIMEOUT_SECONDS)
        except Exception as exc:
            self.metrics.audit_failures.inc()
            log.error("audit event not written", request_id=request_id, error=repr(exc))
            return False
        return True

    # -- after -------------------------------------------------------------------------
    async def _send(
        self,
        response: Response,
        extra_headers: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        for name, value in extra_headers.items():
            response.headers[name] = value
        await response(scope, receive, send)

    def _count(self, scope: Scope, caller: Caller | None, status: int, started: float) -> None:
        route = scope.get("route")
        endpoint = getattr(route, "name", None) or "unmatched"
        self.metrics.requests.labels(
            caller.team_id if caller else "unknown", endpoint, str(status)
        ).inc()
        self.metrics.request_seconds.labels(endpoint).observe(time.perf_counter() - started)


def _bearer(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _replay(messages: list[Message], extra_headers: dict[str, str], send: Send) -> None:
    for message in messages:
        if message["type"] != "http.response.start":
            await send(message)
            continue
        present = {name.lower() for name, _ in message.get("headers", [])}
        added = [
            (name.lower().encode(), value.encode())
            for name, value in extra_headers.items()
            if name.lower().encode() not in present
        ]
        await send({**message, "headers": [*message.get("headers", []), *added]})
