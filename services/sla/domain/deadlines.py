"""An index of keys by the instant they next fall due, so a timer tick touches only what is
due instead of scanning every open ticket.

Two levels keep it small and exact: keys wait in coarse buckets (one list per second by
default: eight bytes a key instead of a ~100-byte heap tuple), and a bucket whose start
has come is moved into a small heap ordered by each key's exact due instant. Entries are
never removed when a ticket changes (lazy invalidation): whoever changes a key's due
instant pushes the new one, and an entry whose key now falls due later (or never) is
dropped when its bucket comes up or when it is popped.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable


class DeadlineIndex:
    def __init__(self, bucket_ms: int = 1000) -> None:
        if bucket_ms <= 0:
            raise ValueError("bucket_ms must be positive")
        self._bucket_ms = bucket_ms
        self._buckets: dict[int, list[str]] = {}
        self._starts: list[int] = []  # heap of bucket numbers
        self._near: list[tuple[int, str]] = []  # heap of (due_ms, key) of drained buckets
        self._drained_to: int | None = None  # highest bucket number moved into _near

    def push(self, due_ms: int, key: str) -> None:
        number = due_ms // self._bucket_ms
        if self._drained_to is not None and number <= self._drained_to:
            heapq.heappush(self._near, (due_ms, key))
            return
        bucket = self._buckets.get(number)
        if bucket is None:
            self._buckets[number] = [key]
            heapq.heappush(self._starts, number)
        else:
            bucket.append(key)

    def next_due_ms(self) -> int | None:
        """A lower bound of the next due instant (stale entries included)."""
        candidates = []
        if self._near:
            candidates.append(self._near[0][0])
        if self._starts:
            candidates.append(self._starts[0] * self._bucket_ms)
        return min(candidates) if candidates else None

    def has_due(self, now_ms: int) -> bool:
        due = self.next_due_ms()
        return due is not None and due <= now_ms

    def pop_due(
        self, now_ms: int, due_of: Callable[[str], int | None], limit: int | None = None
    ) -> list[str]:
        """Keys due by ``now_ms`` (at most ``limit``), each once, earliest first.

        ``due_of(key)`` gives a key's current due instant (None: nothing due).
        """
        while self._starts and self._starts[0] * self._bucket_ms <= now_ms:
            number = heapq.heappop(self._starts)
            for key in self._buckets.pop(number):
                due = due_of(key)
                if due is None or due // self._bucket_ms > number:
                    continue  # stale: a later entry exists, or nothing is due any more
                heapq.heappush(self._near, (due, key))
            if self._drained_to is None or number > self._drained_to:
                self._drained_to = number
        popped: dict[str, None] = {}
        while self._near and self._near[0][0] <= now_ms:
            if limit is not None and len(popped) >= limit:
                break
            _, key = heapq.heappop(self._near)
            due = due_of(key)
            if due is not None and due <= now_ms:
                popped[key] = None
        return list(popped)

    def __len__(self) -> int:
        """Entries held, stale ones included."""
        return len(self._near) + sum(len(bucket) for bucket in self._buckets.values())
