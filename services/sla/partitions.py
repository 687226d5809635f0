"""What the SLA service keeps in memory beside each partition's store: the deadline
index and a few counts. All of it is derived from the store, rebuilt when the partition
is restored (``on_ready``) and dropped when it leaves (``on_revoked``), so a failed
transaction, which always ends in a restore, can never leave it wrong for long."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from plumbing.logging import get_logger
from plumbing.store import StateStore
from schemas.base import SlaMetric
from services.sla.domain import encoding
from services.sla.domain.deadlines import DeadlineIndex

log = get_logger(__name__)

#: Store keys that are not ticket ids (ticket ids cannot contain '/').
TALLY_PREFIX = "queue/"
HISTORY_PREFIX = "history/"
#: Deadline index buckets: coarse, because each partition's index spans days of
#: deadlines and every bucket costs a list; exact order comes from the near heap.
INDEX_BUCKET_MS = 10_000


def tally_key(queue_id: str) -> str:
    return f"{TALLY_PREFIX}{queue_id}"


def history_key(team_id: str) -> str:
    return f"{HISTORY_PREFIX}{team_id}"


def is_ticket_key(key: str) -> bool:
    return "/" not in key


def due_of(store: StateStore[bytes], key: str) -> int | None:
    raw = store.get(key)
    if raw is None or not encoding.is_clock_record(raw):
        return None
    return encoding.next_due_ms(raw)


@dataclass
class PartitionState:
    index: DeadlineIndex = field(default_factory=lambda: DeadlineIndex(INDEX_BUCKET_MS))
    tickets: int = 0
    at_risk: Counter[SlaMetric] = field(default_factory=Counter)
    dirty_queues: set[str] = field(default_factory=set)

    def track(self, key: str, old: bytes | None, new: bytes | None) -> None:
        """Keep counts and the index in step with a ticket record that changed."""
        self.tickets += (new is not None) - (old is not None)
        if old is not None:
            _, at_risk = encoding.scan(old)
            if at_risk:
                self.at_risk.subtract(at_risk)
        if new is not None:
            due, at_risk = encoding.scan(new)
            if at_risk:
                self.at_risk.update(at_risk)
            if due is not None:
                self.index.push(due, key)


class SlaState:
    """Per-partition memory of this instance; the processor's ``ProcessorHooks``."""

    def __init__(self, bucket_ms: int = INDEX_BUCKET_MS) -> None:
        self._bucket_ms = bucket_ms
        self.partitions: dict[int, PartitionState] = {}

    def partition(self, number: int) -> PartitionState:
        state = self.partitions.get(number)
        if state is None:
            state = self.partitions[number] = PartitionState(DeadlineIndex(self._bucket_ms))
        return state

    def on_ready(self, partition: int, store: StateStore[Any]) -> None:
        state = PartitionState(DeadlineIndex(self._bucket_ms))
        unreadable = 0
        keys = store.keys()
        for key in keys:
            raw = store.get(key)
            if raw is None:
                continue
            if key.startswith(TALLY_PREFIX):
                state.dirty_queues.add(key.removeprefix(TALLY_PREFIX))
            elif is_ticket_key(key):
                if not encoding.is_clock_record(raw):
                    unreadable += 1
                    continue
                state.track(key, None, raw)
        if unreadable:
            log.error(
                "clock records this version cannot read", partition=partition, count=unreadable
            )
        self.partitions[partition] = state

    def on_revoked(self, partition: int) -> None:
        self.partitions.pop(partition, None)

    # -- figures for the gauges --------------------------------------------------------
    def open_tickets(self) -> int:
        return sum(state.tickets for state in self.partitions.values())

    def at_risk_open(self, metric: SlaMetric) -> int:
        return sum(state.at_risk[metric] for state in self.partitions.values())
