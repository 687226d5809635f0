"""Thin handler: ticket events move the clocks in the store, and the queue tallies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from plumbing.logging import get_logger
from plumbing.processor import DeadLetterError, Record, Step
from schemas.tickets import TICKET_EVENT, TicketOpened, TicketReopened
from services.sla.domain import durations, encoding
from services.sla.domain.announcements import Announcement, overdue, to_event
from services.sla.domain.clocks import SlaRules, TicketClocks, to_ms
from services.sla.domain.history import QueueTally
from services.sla.domain.lifecycle import (
    Transition,
    answered,
    apply,
    event_time_ms,
    open_ticket,
    reopen_ticket,
)
from services.sla.metrics import SlaMetrics, count_announced
from services.sla.partitions import PartitionState, SlaState, tally_key

log = get_logger(__name__)


#: The input watermark of a partition, in clock milliseconds (None: not known yet).
KnownUntil = Callable[[int], int | None]


@dataclass
class ClockHandler:
    rules: SlaRules
    state: SlaState
    sla_topic: str
    metrics: SlaMetrics
    #: How far the partition's input is known to be complete (``plumbing/watermark.py``):
    #: an event that is not itself the answer reveals a breach only up to there.
    known_until: KnownUntil

    def __call__(self, record: Record, step: Step[bytes]) -> None:
        try:
            event = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        ticket_id = event.ticket_id
        with structlog.contextvars.bound_contextvars(
            ticket_id=ticket_id, correlation_id=event.correlation_id
        ):
            raw = step.store.get(ticket_id)
            old = self._decode(ticket_id, raw)
            late: list[Announcement] = []
            match event:
                case TicketOpened() if old is None:
                    transition = Transition(open_ticket(self.rules, event))
                case TicketReopened() if old is None:
                    transition = Transition(reopen_ticket(self.rules, event))
                case _ if old is None:
                    # A ticket this service never saw opened, or already resolved.
                    self.metrics.events_without_clocks.labels(event.type).inc()
                    return
                case _:
                    current, late = overdue(
                        self.rules,
                        old,
                        min(event_time_ms(event), to_ms(step.now)),
                        known_ms=self.known_until(step.partition),
                        answered=answered(old, event),
                    )
                    transition = apply(self.rules, current, event)
            new = transition.clocks
            if old is not None:
                self.metrics.took(durations.stopped(self.rules, old, new, event_time_ms(event)))
            elif isinstance(event, TicketOpened) and new is not None:
                self.metrics.arrived(event.channel, event.received_at)
            if new == old and not transition.served:
                return
            self._announce(step, old, late)
            new_raw = None if new is None else encoding.encode(new)
            if new_raw is None:
                step.store.delete(ticket_id)
            else:
                step.store.put(ticket_id, new_raw)
            partition = self.state.partition(step.partition)
            self._count_queues(step, partition, old, new, served=transition.served)
            partition.track(ticket_id, raw if old is not None else None, new_raw)

    def _announce(
        self, step: Step[bytes], clocks: TicketClocks | None, late: list[Announcement]
    ) -> None:
        """Breaches the event revealed (its time is past a deadline no timer saw)."""
        if clocks is None:
            return
        for announcement in late:
            event = to_event(clocks, announcement, step.now)
            step.emit(self.sla_topic, event.to_json_bytes(), key=clocks.ticket_id.encode())
            count_announced(self.metrics, event, step.now)

    @staticmethod
    def _decode(ticket_id: str, raw: bytes | None) -> TicketClocks | None:
        if raw is None:
            return None
        try:
            return encoding.decode(ticket_id, raw)
        except encoding.ClockRecordError as exc:
            log.error("unreadable clock record replaced", error=str(exc))
            return None

    @staticmethod
    def _count_queues(
        step: Step[bytes],
        partition: PartitionState,
        old: TicketClocks | None,
        new: TicketClocks | None,
        *,
        served: bool,
    ) -> None:
        """Arrivals, services and waiting tickets per queue, for the forecasts."""
        left = old.queue_id if old is not None and old.in_queue else None
        joined = new.queue_id if new is not None and new.in_queue else None
        if left == joined and not served:
            return
        if left is not None:
            tally = _tally(step, left)
            tally.leave(served=served)
            _save(step, partition, tally)
        if joined is not None and new is not None:
            tally = _tally(step, joined)
            tally.arrive(new.first_response.budget_ms // 1000)
            _save(step, partition, tally)


def _tally(step: Step[bytes], queue_id: str) -> QueueTally:
    raw = step.store.get(tally_key(queue_id))
    if raw is None:
        return QueueTally(queue_id=queue_id, partition=step.partition)
    return QueueTally.model_validate_json(raw)


def _save(step: Step[bytes], partition: PartitionState, tally: QueueTally) -> None:
    step.store.put(tally_key(tally.queue_id), tally.model_dump_json().encode())
    partition.dirty_queues.add(tally.queue_id)
