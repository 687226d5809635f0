"""In-memory indexes of each owned partition: the pending backlog, live offers, resolved
tickets. Rebuilt from the state store whenever a partition becomes ready (after an
assignment or a failed transaction), so they never hold more than the store does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.router.domain.lifecycle import backlog_order
from services.router.domain.state import RouterRecord, TicketRoute


@dataclass
class _Partition:
    pending: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    offers: dict[str, datetime] = field(default_factory=dict)
    resolved: dict[str, datetime] = field(default_factory=dict)


class Backlog:
    def __init__(self) -> None:
        self._partitions: dict[int, _Partition] = {}

    def rebuild(self, partition: int, entries: Iterable[tuple[str, RouterRecord]]) -> None:
        self._partitions[partition] = _Partition()
        for key, record in entries:
            if isinstance(record, TicketRoute):
                self.track(partition, key, record)

    def drop(self, partition: int) -> None:
        self._partitions.pop(partition, None)

    def track(self, partition: int, key: str, state: TicketRoute | None) -> None:
        index = self._partitions.get(partition)
        if index is None:
            return
        index.pending.pop(key, None)
        index.offers.pop(key, None)
        index.resolved.pop(key, None)
        if state is None:
            return
        if state.status == "pending":
            index.pending[key] = backlog_order(state)
        elif state.status == "offered" and state.offer_expires_at is not None:
            index.offers[key] = state.offer_expires_at
        elif state.status == "resolved" and state.resolved_at is not None:
            index.resolved[key] = state.resolved_at

    def merged(self, partitions: list[int]) -> list[tuple[int, list[str]]]:
        """The pending tickets of several partitions in one priority-then-age order, as
        runs of consecutive tickets of the same partition (one transaction each)."""
        entries = sorted(
            (order, key, partition)
            for partition in partitions
            if (index := self._partitions.get(partition)) is not None
            for key, order in index.pending.items()
        )
        runs: list[tuple[int, list[str]]] = []
        for _, key, partition in entries:
            if runs and runs[-1][0] == partition:
                runs[-1][1].append(key)
            else:
                runs.append((partition, [key]))
        return runs

    def has_pending(self, partition: int) -> bool:
        index = self._partitions.get(partition)
        return bool(index and index.pending)

    def due_offers(self, partition: int, now: datetime) -> list[str]:
        index = self._partitions.get(partition)
        if index is None:
            return []
        return sorted(key for key, expires in index.offers.items() if expires <= now)

    def resolved_before(self, partition: int, moment: datetime) -> list[str]:
        index = self._partitions.get(partition)
        if index is None:
            return []
        return [key for key, at in index.resolved.items() if at < moment]

    def pending_count(self) -> int:
        return sum(len(index.pending) for index in self._partitions.values())
