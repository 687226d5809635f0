"""Satisfaction surveys: ``inbound.csat`` (and ``POST /v1/inbound/csat``) -> ``ticket.rated``.

A survey tool sends each answer with the ticket id its link carried. The answer is
checked like a channel message (size, UTF-8, JSON, schema) and becomes one
``ticket.rated`` on ``tickets``, keyed by the ticket id, whose event id is derived from
the survey's own id, so a redelivered answer is the same event (and the router counts
one rating per ticket anyway). Bad answers go to ``inbound.csat.dlq``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from plumbing.processor import DeadLetterError, Record, Step
from schemas.base import derive_id
from schemas.inbound import CsatPayload
from schemas.tickets import Actor, TicketRated
from services.ingest.metrics import IngestMetrics
from services.ingest.validation import InvalidPayloadError, describe

#: The label ingest's counters use for survey answers.
CSAT = "csat"


def parse_csat(raw: bytes | None, max_bytes: int) -> CsatPayload:
    if not raw:
        raise InvalidPayloadError("empty", "the survey answer is empty")
    if len(raw) > max_bytes:
        raise InvalidPayloadError("oversize", f"{len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidPayloadError("undecodable_bytes", f"not UTF-8: {exc}") from None
    try:
        return CsatPayload.model_validate_json(text)
    except ValidationError as exc:
        if any(item["type"] == "json_invalid" for item in exc.errors()):
            raise InvalidPayloadError("invalid_json", f"not valid JSON: {describe(exc)}") from None
        raise InvalidPayloadError(
            "schema_violation", f"not a valid survey answer: {describe(exc)}"
        ) from None


def rated(answer: CsatPayload) -> TicketRated:
    return TicketRated(
        event_id=derive_id("ticket.rated", CSAT, answer.survey_id),
        occurred_at=answer.submitted_at,
        correlation_id=f"csat-{answer.survey_id}",
        ticket_id=answer.ticket_id,
        score=answer.score,
        comment=answer.comment,
        source="survey",
        actor=Actor(kind="customer", id=f"survey:{answer.survey_id}"[:128]),
    )


@dataclass
class CsatHandler:
    """``inbound.csat`` -> ``ticket.rated`` on ``tickets``."""

    tickets_topic: str
    max_bytes: int
    metrics: IngestMetrics

    def __call__(self, record: Record, step: Step[None]) -> None:
        try:
            answer = parse_csat(record.value, self.max_bytes)
        except InvalidPayloadError as exc:
            self.metrics.reject(CSAT, exc.kind)
            raise DeadLetterError(exc.kind, str(exc)) from None
        event = rated(answer)
        step.emit(self.tickets_topic, event.to_json_bytes(), key=event.ticket_id.encode())
        self.metrics.messages.labels(CSAT, "accepted").inc()
