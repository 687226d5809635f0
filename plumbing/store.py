"""Per-partition key-value state whose writes are staged until their transaction commits.

Reads see staged writes. ``commit()`` makes them permanent once Kafka has committed
the transaction carrying them to the changelog; ``rollback()`` forgets them. A
record that fails half-way is undone with ``record_rollback()`` so one poison
record cannot leave half its effects behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

V = TypeVar("V")

_DELETED = object()


class StateStore(Generic[V]):
    def __init__(self) -> None:
        self._committed: dict[str, V] = {}
        self._batch: dict[str, object] = {}
        self._record: dict[str, object] = {}

    def get(self, key: str) -> V | None:
        for layer in (self._record, self._batch):
            if key in layer:
                value = layer[key]
                return None if value is _DELETED else value  # type: ignore[return-value]
        return self._committed.get(key)

    def put(self, key: str, value: V) -> None:
        self._record[key] = value

    def delete(self, key: str) -> None:
        self._record[key] = _DELETED

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def keys(self) -> Iterator[str]:
        """Every live key, staged writes included."""
        staged = {**self._batch, **self._record}
        for key in self._committed:
            if key not in staged:
                yield key
        for key, value in staged.items():
            if value is not _DELETED:
                yield key

    def __len__(self) -> int:
        if not self._batch and not self._record:
            return len(self._committed)  # the usual case between transactions: O(1)
        return sum(1 for _ in self.keys())

    # -- staging -----------------------------------------------------------------
    def record_done(self) -> None:
        """The current record was processed: its writes join the batch."""
        self._batch.update(self._record)
        self._record.clear()

    def record_rollback(self) -> None:
        self._record.clear()

    def record_writes(self) -> int:
        """How many keys the current record (or timer work) wrote so far."""
        return len(self._record)

    def staged(self, encode: Callable[[V], bytes]) -> list[tuple[str, bytes | None]]:
        """Changelog records for the batch: ``None`` is a tombstone."""
        self.record_done()
        return [
            (key, None if value is _DELETED else encode(value))  # type: ignore[arg-type]
            for key, value in self._batch.items()
        ]

    def commit(self) -> None:
        self.record_done()
        for key, value in self._batch.items():
            if value is _DELETED:
                self._committed.pop(key, None)
            else:
                self._committed[key] = value  # type: ignore[assignment]
        self._batch.clear()

    def rollback(self) -> None:
        self._batch.clear()
        self._record.clear()

    def restore(self, key: str, value: V | None) -> None:
        """Apply a changelog record during restore (no staging)."""
        if value is None:
            self._committed.pop(key, None)
        else:
            self._committed[key] = value
