"""Every refusal answers the same way: ``{"error": {type, code, message, request_id, ...}}``.

``type`` is the family (what to do about it), ``code`` the stable reason (what
happened), ``message`` a sentence for the person reading the logs. 409s add the
assignment as it is now.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from plumbing.logging import get_logger

log = get_logger(__name__)

TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found",
    405: "invalid_request_error",
    409: "conflict",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
}


class ApiError(Exception):
    def __init__(
        self,
        http_status: int,
        code: str,
        message: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = http_status
        self.code = code
        self.message = message
        self.kind = kind or TYPES.get(http_status, "invalid_request_error")
        self.headers = headers or {}
        self.extra = extra


class BodyTooLargeError(Exception):
    """The body grew past the limit while it was read (no or a false Content-Length); the
    gate turns the answer into a 413."""


def not_found(what: str, identifier: str) -> ApiError:
    """The one answer for unknown ids and other partners' ids alike."""
    return ApiError(404, "resource_missing", f"No such {what}: {identifier!r}")


def error_response(
    request_id: str,
    http_status: int,
    code: str,
    message: str,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": kind or TYPES.get(http_status, "invalid_request_error"),
        "code": code,
        "message": message,
        "request_id": request_id,
        **{key: value for key, value in extra.items() if value is not None},
    }
    return JSONResponse({"error": body}, status_code=http_status, headers=headers)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", "-"))


def _outcome(request: Request, code: str) -> None:
    request.scope.setdefault("state", {})["outcome"] = code


def _allowed_methods(app: FastAPI) -> Callable[[str], str | None]:
    """``Allow`` for a path: every method its routes take (Starlette names only the
    first route it matched when a path has several, e.g. GET and POST /v1/capacity)."""
    table: list[tuple[re.Pattern[str], set[str]]] = []

    def allowed(path: str) -> str | None:
        if not table:
            for template, item in app.openapi()["paths"].items():
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                table.append((re.compile(f"^{pattern}$"), {m.upper() for m in item}))
        methods = set().union(*(methods for pattern, methods in table if pattern.match(path)))
        return ", ".join(sorted(methods)) if methods else None

    return allowed


def install(app: FastAPI) -> None:
    allowed = _allowed_methods(app)

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: ApiError) -> JSONResponse:
        _outcome(request, exc.code)
        return error_response(
            _request_id(request),
            exc.status,
            exc.code,
            exc.message,
            kind=exc.kind,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            _outcome(request, "invalid_json")
            return error_response(_request_id(request), 400, "invalid_json", "the body is not JSON")
        if any(_is_idempotency_key(p) for p in problems):
            _outcome(request, "idempotency_key_invalid")
            return error_response(
                _request_id(request),
                400,
                "idempotency_key_invalid",
                "send an Idempotency-Key header (1-255 visible ASCII characters) with every "
                "POST; reuse it when you retry the same request",
            )
        errors = [
            {"field": ".".join(str(part) for part in p.get("loc", ())), "problem": str(p["msg"])}
            for p in problems
        ]
        _outcome(request, "validation_failed")
        return error_response(
            _request_id(request),
            422,
            "validation_failed",
            "; ".join(f"{e['field']}: {e['problem']}" for e in errors[:5]),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "route_missing", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        _outcome(request, code)
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (methods := allowed(request.url.path)):
            headers["Allow"] = methods
        return error_response(
            _request_id(request), exc.status_code, code, str(exc.detail), headers=headers
        )


def _is_idempotency_key(problem: Any) -> bool:
    loc = [str(part).lower() for part in problem.get("loc", ())]
    return loc[:2] == ["header", "idempotency-key"]
