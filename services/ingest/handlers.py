"""Thin handlers: record bytes in, domain call, events out."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from plumbing.processor import DeadLetterError, Record, Step
from schemas.base import Channel, Priority
from schemas.config import SwitchboardConfig
from schemas.ingest import NormalisedMessage
from services.ingest.domain.normalise import MissingCustomerIdentityError, normalise
from services.ingest.domain.threads import CustomerMemory, Enrichment, take_message
from services.ingest.metrics import IngestMetrics
from services.ingest.validation import InvalidPayloadError, parse_payload


@dataclass
class NormaliseHandler:
    """``inbound.<channel>`` -> ``ingest.messages``, re-keyed by customer."""

    channel_by_topic: dict[str, Channel]
    messages_topic: str
    max_bytes: int
    metrics: IngestMetrics

    def __call__(self, record: Record, step: Step[None]) -> None:
        channel = self.channel_by_topic[record.topic]
        try:
            payload = parse_payload(channel, record.value, self.max_bytes)
            message = normalise(payload, record.topic)
        except InvalidPayloadError as exc:
            self._reject(channel, exc.kind)
            raise DeadLetterError(exc.kind, str(exc)) from None
        except MissingCustomerIdentityError as exc:
            self._reject(channel, "missing_customer_identity")
            raise DeadLetterError("missing_customer_identity", str(exc)) from None
        step.emit(
            self.messages_topic,
            message.to_json_bytes(),
            key=message.customer.customer_key.encode(),
        )

    def _reject(self, channel: Channel, reason: str) -> None:
        self.metrics.messages.labels(channel.value, "rejected").inc()
        self.metrics.rejected.labels(channel.value, reason).inc()


@dataclass
class ThreadHandler:
    """``ingest.messages`` -> ticket events, with the customer's memory as state."""

    config: SwitchboardConfig
    tickets_topic: str
    metrics: IngestMetrics

    def __call__(self, record: Record, step: Step[CustomerMemory]) -> None:
        try:
            message = NormalisedMessage.model_validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        key = message.customer.customer_key
        with structlog.contextvars.bound_contextvars(correlation_id=message.correlation_id):
            outcome = take_message(step.store.get(key), message, self._enrich(message))
            step.store.put(key, outcome.memory)
            for event in outcome.events:
                step.emit(self.tickets_topic, event.to_json_bytes(), key=event.ticket_id.encode())
        outcome_label = (
            "deduplicated" if outcome.duplicate else "threaded" if outcome.threaded else "accepted"
        )
        self.metrics.messages.labels(message.channel.value, outcome_label).inc()

    def _enrich(self, message: NormalisedMessage) -> Enrichment:
        return Enrichment(
            language="und",
            language_confidence=0.0,
            skill=self.config.ingest.default_skill,
            priority=Priority.NORMAL,
        )
