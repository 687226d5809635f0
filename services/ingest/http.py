"""HTTP intake: ``POST /v1/inbound/{channel}``, the same validation as the Kafka path.

A message is answered 202 only once Kafka has acknowledged it (``acks=all``) on
``inbound.<channel>``; from there it takes the same road as connector input. It
is keyed by the customer key, not by its message id, so that one customer's
messages stay in one partition and reach the threader in the order they came.
Anything that was not stored is answered 503 with ``Retry-After``, and a client
that retries after a timeout cannot cause a second ticket: ingest de-duplicates
on the channel's message id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from plumbing.logging import get_logger
from schemas.base import Channel
from schemas.ingest import NormalisedMessage
from services.ingest.csat import CSAT, parse_csat
from services.ingest.metrics import IngestMetrics
from services.ingest.validation import InvalidPayloadError, accept

log = get_logger(__name__)

#: HTTP status for each reason a message is refused.
STATUS_BY_KIND = {
    "empty": 400,
    "undecodable_bytes": 400,
    "invalid_json": 400,
    "oversize": 413,
    "schema_violation": 422,
    "missing_customer_identity": 422,
}
RETRY_AFTER_SECONDS = 5

Publish = Callable[[str, bytes, bytes], Awaitable[Any]]


@dataclass(frozen=True)
class Intake:
    """What the route needs from the service: where and how to publish, and the limits."""

    publish: Publish
    kafka_reachable: Callable[[], bool]
    topic_for: Callable[[Channel], str]
    max_bytes: int
    languages: Sequence[str]
    metrics: IngestMetrics
    publish_timeout_seconds: float = 5.0
    csat_topic: str = "inbound.csat"

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(channel.value for channel in Channel)


class _Refusal(Exception):
    """A request refused with ``status``; ``kind`` is the stable reason."""

    def __init__(self, status: int, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.extra = extra

    def response(self) -> JSONResponse:
        response = JSONResponse(
            {"error": self.kind, "detail": str(self), **self.extra}, status_code=self.status
        )
        if self.status == 503:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _is_json(content_type: str) -> bool:
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        return False
    charset = params.strip().lower().removeprefix("charset=").strip('"')
    return charset in ("", "utf-8", "utf8")


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it exceeds ``limit`` (the rest is never read)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _validated(
    intake: Intake, channel: str, request: Request
) -> tuple[Channel, bytes, NormalisedMessage]:
    try:
        known = Channel(channel)
    except ValueError:
        raise _Refusal(
            404,
            "unknown_channel",
            f"no channel {channel!r}",
            channels=[c.value for c in Channel],
        ) from None
    body = await _body(intake, request)
    try:
        message = accept(known, body, intake.max_bytes, intake.topic_for(known), intake.languages)
    except InvalidPayloadError as exc:
        raise _Refusal(STATUS_BY_KIND.get(exc.kind, 400), exc.kind, str(exc)) from None
    return known, body, message


async def _body(intake: Intake, request: Request) -> bytes:
    """The JSON body within the size limit, or a refusal."""
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise _Refusal(
            415,
            "unsupported_media_type",
            f"send Content-Type: application/json (UTF-8), not {content_type or 'nothing'!r}",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > intake.max_bytes:
        raise _Refusal(
            413, "oversize", f"the body is {declared} bytes; the limit is {intake.max_bytes}"
        )
    body = await _read_limited(request, intake.max_bytes)
    if body is None:
        raise _Refusal(413, "oversize", f"the body exceeds the limit of {intake.max_bytes} bytes")
    return body


async def _store(intake: Intake, topic: str, body: bytes, key: bytes, what: str) -> None:
    if not intake.kafka_reachable():
        raise _Refusal(503, "kafka_unavailable", "Kafka is unreachable; not stored")
    try:
        await asyncio.wait_for(intake.publish(topic, body, key), intake.publish_timeout_seconds)
    except Exception as exc:
        log.warning("inbound message not stored", channel=what, error=repr(exc))
        raise _Refusal(
            503, "kafka_unavailable", "Kafka did not acknowledge the message; not stored"
        ) from None


def intake_router(intake: Intake) -> APIRouter:
    router = APIRouter()

    @router.post(
        "/v1/inbound/csat",
        status_code=202,
        summary="Accept one satisfaction survey answer (the JSON payload of inbound.csat)",
        responses={
            400: {"description": "empty body, not UTF-8, or not JSON"},
            413: {"description": "body larger than MAX_MESSAGE_BYTES"},
            415: {"description": "Content-Type is not application/json (UTF-8)"},
            422: {"description": "not a valid survey answer"},
            503: {"description": "Kafka did not store the answer; retry after Retry-After"},
        },
    )
    async def receive_rating(request: Request) -> JSONResponse:
        try:
            body = await _body(intake, request)
            try:
                answer = parse_csat(body, intake.max_bytes)
            except InvalidPayloadError as exc:
                raise _Refusal(STATUS_BY_KIND.get(exc.kind, 400), exc.kind, str(exc)) from None
        except _Refusal as refusal:
            intake.metrics.reject(CSAT, refusal.kind)
            return refusal.response()
        try:
            await _store(intake, intake.csat_topic, body, answer.ticket_id.encode(), CSAT)
        except _Refusal as refusal:
            return refusal.response()
        return JSONResponse(
            {"status": "accepted", "source": CSAT, "survey_id": answer.survey_id},
            status_code=202,
        )

    @router.post(
        "/v1/inbound/{channel}",
        status_code=202,
        summary="Accept one channel message (the JSON payload of inbound.<channel>)",
        responses={
            400: {"description": "empty body, not UTF-8, or not JSON"},
            404: {"description": "unknown channel (the answer lists the channels)"},
            413: {"description": "body larger than MAX_MESSAGE_BYTES"},
            415: {"description": "Content-Type is not application/json (UTF-8)"},
            422: {"description": "not a valid payload of the channel, or no customer identity"},
            503: {"description": "Kafka did not store the message; retry after Retry-After"},
        },
    )
    async def receive(channel: str, request: Request) -> JSONResponse:
        try:
            known, body, message = await _validated(intake, channel, request)
        except _Refusal as refusal:
            label = channel if channel in intake.channels else "unknown"
            intake.metrics.reject(label, refusal.kind)
            return refusal.response()
        try:
            key = message.customer.customer_key.encode()
            await _store(intake, intake.topic_for(known), body, key, known.value)
        except _Refusal as refusal:
            return refusal.response()
        return JSONResponse(
            {"status": "accepted", "channel": known.value, "message_id": message.source_message_id},
            status_code=202,
        )

    return router
