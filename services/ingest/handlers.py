"""Thin handlers: record bytes in, domain call, events out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from plumbing.logging import get_logger
from plumbing.processor import DeadLetterError, Record, Step
from schemas.base import Channel, CustomerTier
from schemas.config import SwitchboardConfig
from schemas.customers import CustomerProfile
from schemas.ingest import INGEST_RECORD, TicketStatusChanged
from schemas.tickets import TICKET_EVENT, TicketOpened, TicketReopened, TicketResolved
from services.ingest.csat import CsatHandler
from services.ingest.domain.encoding import decode_link, decode_memory, encode_link, encode_memory
from services.ingest.domain.enrich import CustomerClassifier, Enricher
from services.ingest.domain.links import link_for, status_change
from services.ingest.domain.priority import resolve_tier
from services.ingest.domain.skew import not_after
from services.ingest.domain.threads import Outcome, apply_status, take_message
from services.ingest.metrics import IngestMetrics
from services.ingest.validation import InvalidPayloadError, admit

log = get_logger(__name__)

ProfileLookup = Callable[[str], CustomerProfile | None]


@dataclass
class NormaliseHandler:
    """``inbound.<channel>`` -> ``ingest.messages``, re-keyed by customer; survey answers
    (``inbound.csat``) -> ``ticket.rated`` (``csat``)."""

    channel_by_topic: dict[str, Channel]
    messages_topic: str
    max_bytes: int
    languages: Sequence[str]
    metrics: IngestMetrics
    surveys: dict[str, CsatHandler] = field(default_factory=dict)  # by topic

    def __call__(self, record: Record, step: Step[None]) -> None:
        survey = self.surveys.get(record.topic)
        if survey is not None:
            survey(record, step)
            return
        channel = self.channel_by_topic[record.topic]
        try:
            message, removed = admit(
                channel, record.value, self.max_bytes, record.topic, self.languages
            )
        except InvalidPayloadError as exc:
            self.metrics.reject(channel.value, exc.kind)
            raise DeadLetterError(exc.kind, str(exc)) from None
        if removed:
            self.metrics.control_characters.labels(channel.value).inc(removed)
        step.emit(
            self.messages_topic,
            message.to_json_bytes(),
            key=message.customer.customer_key.encode(),
        )


@dataclass
class ThreadHandler:
    """``ingest.messages`` -> ticket events, with the customer's memory as state (kept
    as ``encoding`` bytes, decoded for the customer's record)."""

    config: SwitchboardConfig
    enricher: Enricher
    tickets_topic: str
    metrics: IngestMetrics
    configured_tiers: Mapping[str, CustomerTier]
    profile: ProfileLookup
    max_clock_skew: timedelta = timedelta(days=1)

    def __call__(self, record: Record, step: Step[bytes]) -> None:
        try:
            item = INGEST_RECORD.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        key = (
            item.customer_key
            if isinstance(item, TicketStatusChanged)
            else (item.customer.customer_key)
        )
        stored = step.store.get(key)
        memory = None if stored is None else decode_memory(stored)
        with structlog.contextvars.bound_contextvars(correlation_id=item.correlation_id):
            if isinstance(item, TicketStatusChanged):
                outcome = apply_status(memory, item, step.now)
            else:
                message = not_after(item, step.now, self.max_clock_skew)
                if message is not item:
                    self.metrics.clock_skew.labels(item.channel.value).inc()
                    log.warning(
                        "message time ahead of the clock; replaced by the clock's time",
                        received_at=item.received_at.isoformat(),
                    )
                item = message
                outcome = take_message(
                    memory, item, step.now, self._classifier(key), self.config.ingest
                )
                self.metrics.count(item.channel.value, _metric_outcome(outcome))
            if outcome.memory is not memory and outcome.kind != "ignored":
                step.store.put(key, encode_memory(outcome.memory))
            for event in outcome.events:
                step.emit(self.tickets_topic, event.to_json_bytes(), key=event.ticket_id.encode())

    def _classifier(self, customer_key: str) -> CustomerClassifier:
        tier = resolve_tier(
            customer_key,
            self.configured_tiers,
            self.profile(customer_key),
            self.config.ingest.priority.loyal_after_orders,
        )
        return CustomerClassifier(self.enricher, tier)


def _metric_outcome(outcome: Outcome) -> str:
    return "threaded" if outcome.kind == "reopened" else outcome.kind


class _Head(BaseModel):
    """Just enough of a ticket event to know whether it concerns us."""

    model_config = ConfigDict(extra="ignore")

    type: str = ""


_LINKED_TYPES = frozenset({"ticket.opened", "ticket.resolved", "ticket.reopened"})


@dataclass
class TicketStatusHandler:
    """``tickets`` -> ``TicketStatusChanged`` on ``ingest.messages``, keyed by customer.

    Other event types are skipped after reading their type only (cheap, and their
    validation is the business of the services that consume them).
    """

    messages_topic: str

    def __call__(self, record: Record, step: Step[bytes]) -> None:
        try:
            head = _Head.model_validate_json(record.value or b"")
        except ValidationError:
            return  # not ours to judge: the router and SLA dead-letter bad ticket events
        if head.type not in _LINKED_TYPES:
            return
        try:
            event = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        if isinstance(event, TicketOpened):
            if event.ticket_id not in step.store:
                step.store.put(event.ticket_id, encode_link(link_for(event, step.now)))
            return
        if not isinstance(event, TicketResolved | TicketReopened):
            return
        stored = step.store.get(event.ticket_id)
        if stored is None:
            return  # not a ticket ingest opened, or one long forgotten
        updated, change = status_change(decode_link(stored), event, step.now)
        step.store.put(event.ticket_id, encode_link(updated))
        step.emit(self.messages_topic, change.to_json_bytes(), key=change.customer_key.encode())
