"""What a handler sees and returns: the record, its partition's state and the outputs.

These are the processor's vocabulary, shared by the processor itself, the services'
handlers and their tests; they hold no Kafka client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from plumbing.store import StateStore

V = TypeVar("V")

#: Largest output record (key + value + headers) a handler may emit: below the 1 MiB
#: that aiokafka's producer (max_request_size) and the broker (message.max.bytes) take,
#: with room for the record batch's own overhead.
MAX_OUTPUT_BYTES = 1_000_000


class Record(Protocol):
    """What the processor needs of a Kafka record (aiokafka's ConsumerRecord has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Output:
    topic: str
    value: bytes | None
    key: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def size(self) -> int:
        return (
            len(self.value or b"")
            + len(self.key or b"")
            + sum(len(k) + len(v) for k, v in self.headers)
        )


class DeadLetterError(Exception):
    """Raised by a handler for input it refuses: the record goes to the DLQ with this reason.

    ``kind`` is a stable machine-readable reason; the message is for humans.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Step(Generic[V]):
    """The handler's view of the records (or the timer work) of one partition.

    Everything a step emits, writes to its store or registers with ``after_commit``
    joins the partition's open transaction, which commits on the processor's interval.
    """

    partition: int
    store: StateStore[V]
    now: datetime
    outputs: list[Output] = field(default_factory=list)
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    commit_requested: bool = False

    def emit(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: tuple[tuple[str, bytes], ...] = (),
    ) -> None:
        self.outputs.append(Output(topic=topic, value=value, key=key, headers=headers))

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction holding this step's effects committed.

        It is dropped when that transaction fails: the partition is then reset to its
        committed state and its ``on_ready`` hook runs again.
        """
        self.callbacks.append(callback)

    def commit_soon(self) -> None:
        """Commit the open transaction now rather than at the end of the interval."""
        self.commit_requested = True

    def mark(self) -> tuple[int, int]:
        return len(self.outputs), len(self.callbacks)

    def undo_to(self, mark: tuple[int, int]) -> None:
        """Forget what the current record did (its store writes included)."""
        self.store.record_rollback()
        del self.outputs[mark[0] :]
        del self.callbacks[mark[1] :]


@dataclass(frozen=True)
class Changelog(Generic[V]):
    topic: str
    encode: Callable[[V], bytes]
    decode: Callable[[bytes], V]


class ProcessorHooks(Protocol):
    """Optional callbacks for services that keep indexes beside the store."""

    def on_ready(self, partition: int, store: StateStore[Any]) -> None: ...
    def on_revoked(self, partition: int) -> None: ...


Handler = Callable[[Record, "Step[V]"], None]
