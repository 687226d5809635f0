"""Thin handlers: records in, the pure view functions, the partition's store out.

The view's store keeps each ticket as its changelog record (``codec``: a marker byte
and JSON), decoded for the event that concerns it: a decoded ``PartnerTicket`` is ~4 KB
of Python objects, its record ~0.8 KB (``bench/partner_api.py``), and the store holds
the minimised facts of every ticket of its partitions, not only the partner ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from plumbing.logging import get_logger
from plumbing.processor import DeadLetterError, Record, Step
from schemas.sla import SLA_EVENT
from schemas.teams import TEAM_EVENT
from schemas.tickets import TICKET_EVENT
from services.router.partner_api.codec import decode_ticket, encode_ticket
from services.router.partner_api.domain.capacity import CapacityRecord, apply_capacity
from services.router.partner_api.domain.minimise import Keep
from services.router.partner_api.domain.view import (
    PartnerTicket,
    apply_sla_event,
    apply_ticket_event,
    personal,
    without_personal_data,
)
from services.router.partner_api.metrics import PartnerApiMetrics

log = get_logger(__name__)

E = TypeVar("E")

#: Records a purge transaction deletes at most; the next one follows at once.
PURGE_BATCH = 5_000


@dataclass
class ViewHandler:
    """``tickets`` and ``sla`` (co-partitioned by ticket id) -> the partner view."""

    tickets_topic: str
    keep: Keep

    def __call__(self, record: Record, step: Step[bytes]) -> None:
        if record.topic == self.tickets_topic:
            event = _parsed(TICKET_EVENT, record)
            current = _stored(step, event.ticket_id)
            updated = apply_ticket_event(current, event, step.now, self.keep)
            _save(step, event.ticket_id, current, updated)
        else:
            sla_event = _parsed(SLA_EVENT, record)
            current = _stored(step, sla_event.ticket_id)
            _save(step, sla_event.ticket_id, current, apply_sla_event(current, sla_event, step.now))


def _parsed(adapter: TypeAdapter[E], record: Record) -> E:
    """Bad input is dead-lettered (a stored record that cannot be read, on the other hand,
    is ours, never outside input: it fails the record)."""
    try:
        return adapter.validate_json(record.value or b"")
    except ValidationError as exc:
        raise DeadLetterError("schema_violation", str(exc)) from None


def _save(
    step: Step[bytes], key: str, current: PartnerTicket | None, updated: PartnerTicket | None
) -> None:
    if updated is current:
        return
    if updated is None:
        step.store.delete(key)
    else:
        step.store.put(key, encode_ticket(updated))


def _stored(step: Step[bytes], key: str) -> PartnerTicket | None:
    data = step.store.get(key)
    return None if data is None else decode_ticket(data)


@dataclass
class CapacityHandler:
    """``teams`` -> each partner's latest announcement and its recent announcement ids.

    Bad ``teams`` records are the router's to dead-letter (once, from one instance);
    here they are logged and counted, and the stream goes on.
    """

    partner_ids: frozenset[str]
    metrics: PartnerApiMetrics

    def __call__(self, record: Record, step: Step[CapacityRecord]) -> None:
        try:
            event = TEAM_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            self.metrics.invalid_records.labels(record.topic).inc()
            log.warning(
                "invalid teams record skipped (the router dead-letters it)",
                offset=record.offset,
                error=str(exc)[:300],
            )
            return
        if event.team_id not in self.partner_ids:
            return
        current = step.store.get(event.team_id)
        updated = apply_capacity(current, event, step.now)
        if updated is not current:
            step.store.put(event.team_id, updated)


def expired(
    record: PartnerTicket, now: datetime, retention: timedelta, facts_retention: timedelta
) -> bool:
    """Retention in processing time: a partner ticket ``retention`` after its last change
    (statistics need it that long), a never-offered one once resolved ``facts_retention``
    ago (a reopened ticket may still be offered), any record idle for ``retention``."""
    idle = now - record.touched_at
    if idle >= retention:
        return True
    return not record.partnered and record.resolved_at is not None and idle >= facts_retention


def settled(record: PartnerTicket, now: datetime, facts_retention: timedelta) -> bool:
    """A partner ticket nobody works on any more, quiet for ``facts_retention`` (the
    reopen window): the customer's data goes, the figures stay."""
    return (
        record.partnered
        and not any(assignment.live for assignment in record.assignments)
        and now - record.touched_at >= facts_retention
        and personal(record)
    )


@dataclass
class Purge:
    """Timer work: tombstone expired records of one partition and strip the customer's
    data from settled ones, a batch at a time."""

    retention: timedelta
    facts_retention: timedelta
    more: bool = False

    def __call__(self, step: Step[bytes]) -> None:
        changed = 0
        self.more = False
        for key in list(step.store.keys()):
            record = _stored(step, key)
            if record is None:
                continue
            if expired(record, step.now, self.retention, self.facts_retention):
                step.store.delete(key)
            elif settled(record, step.now, self.facts_retention):
                step.store.put(key, encode_ticket(without_personal_data(record)))
            else:
                continue
            changed += 1
            if changed >= PURGE_BATCH:
                self.more = True
                return
