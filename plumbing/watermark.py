"""Event-time watermarks of input partitions: up to what time the input is complete.

A timer that judges time (an SLA deadline passing) must not act on a partition
before it has applied everything that could still change the judgement: a reply
written before the deadline that the consumer has not read yet. "The consumer looks
current" is not enough. A reply may sit behind another producer's open transaction
(``read_committed`` readers stop at the first open transaction's first record, the
last stable offset), in a broker that went away, or in its writer while that writer
retries. So the watermark of a partition is built from the broker's own answers:

1. Every tick the partition's high watermark is asked for (``read_uncommitted`` end
   offset, on a connection of its own), with the clock read just before: a *mark*
   ``(t, H)``. Every record the partition held before ``t`` is below ``H``, whether
   its transaction is open or not.
2. A mark *settles* once the task has applied its input up to ``H``
   (``applied_position``, on two looks in a row: records the consumer handed out a
   moment ago may still be on their way to the handler). A ``read_committed``
   consumer only gets there once every transaction open at ``t`` ended, so a reply
   behind an open transaction holds the watermark back until that transaction
   commits or aborts; under steady load transactions end in a fraction of a second
   and the watermark keeps up.
3. A record may reach the log some time after its writer stamped it (the writer
   retries through a leader change, an ``acks=all`` write waits for a follower that
   died until the cluster fences it). ``grace_seconds`` bounds that, counted while
   the partition's leader answers: the watermark is the time of the mark taken
   ``grace_seconds`` (real time) before the newest settled mark, and only when every
   look in between got an answer. When a look fails (the broker is away, the
   leader moves) or the looks stop for a while, that bound starts again from the
   next answer, so writes held up by an outage are waited for once it is over.

The pure part (``PartitionWatermark``) is tested exhaustively; ``HighWatermarks`` is
the I/O.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from plumbing.logging import get_logger

log = get_logger(__name__)

#: Looks further apart than this (real seconds) count as a gap: nobody looked, so
#: nobody knows whether the leader answered meanwhile.
MAX_LOOK_GAP_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Mark:
    at_ms: int  # the service's clock just before the high watermark was asked for
    real: float  # time.monotonic() at the same moment
    high: int  # the partition's high watermark then


@dataclass
class PartitionWatermark:
    """What one input partition proves: every record it held ``grace_seconds`` before
    a settled mark, or earlier, is applied. ``value_ms`` only grows."""

    grace_seconds: float
    max_gap_seconds: float = MAX_LOOK_GAP_SECONDS
    value_ms: int | None = None
    _marks: deque[Mark] = field(default_factory=deque)
    _last_position: int | None = None

    def mark(self, mark: Mark) -> None:
        """The broker answered: a new mark."""
        if self._marks and mark.real - self._marks[-1].real > self.max_gap_seconds:
            self._marks.clear()
        self._marks.append(mark)

    def lost(self) -> None:
        """The broker did not answer: what writers hold back may land later."""
        self._marks.clear()

    def applied(self, position: int | None) -> int | None:
        """Take the task's applied position (None: not known now) and return the
        watermark in clock milliseconds (None until one is known)."""
        previous, self._last_position = self._last_position, position
        if previous is None or position is None:
            return self.value_ms
        settled_position = min(previous, position)  # seen on two looks in a row
        settled = None
        for index, mark in enumerate(self._marks):
            if mark.high <= settled_position:
                settled = index
        if settled is None:
            return self.value_ms
        newest = self._marks[settled]
        base = None
        for index in range(settled + 1):
            if newest.real - self._marks[index].real >= self.grace_seconds:
                base = index
        if base is None:
            return self.value_ms
        at_ms = self._marks[base].at_ms
        self.value_ms = at_ms if self.value_ms is None else max(self.value_ms, at_ms)
        for _ in range(base):  # older marks can never be the base again
            self._marks.popleft()
        return self.value_ms


#: Unanswered looks for this long (real seconds) replace the asking consumer: every
#: watermark waits while none is answered, and a client left behind by a broker that
#: went away must not hold them back once the cluster answers again.
REPLACE_AFTER_SECONDS = 10.0


class HighWatermarks:
    """Asks the partitions' leaders for their high watermarks, on a consumer of its
    own (``read_uncommitted``: its end offsets are high watermarks, not last stable
    offsets; and a processor's consumer holds long fetches open)."""

    def __init__(
        self,
        client_options: dict[str, Any],
        timeout_seconds: float = 2.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._options = client_options
        self._timeout = timeout_seconds
        self._monotonic = monotonic
        self._consumer: AIOKafkaConsumer | None = None
        #: Since when no look was answered, and how many were not (None: answered).
        self._failing_since: float | None = None
        self._failed_looks = 0

    async def ask(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int] | None:
        """The high watermark of every partition, or None when the brokers did not
        answer in time (for any of them: the caller treats all as not answered)."""
        if not partitions:
            return {}
        try:
            if self._consumer is None:
                self._consumer = await self._start()
            ends: dict[TopicPartition, int] = await asyncio.wait_for(
                self._consumer.end_offsets(partitions), self._timeout
            )
        except Exception as exc:  # the broker is away or the leader moves: a gap
            await self._not_answered(exc)
            return None
        if self._failing_since is not None:
            log.warning(
                "high watermarks known again",
                failed_looks=self._failed_looks,
                seconds=round(self._monotonic() - self._failing_since, 1),
            )
            self._failing_since, self._failed_looks = None, 0
        return ends

    async def _not_answered(self, exc: Exception) -> None:
        now = self._monotonic()
        self._failed_looks += 1
        if self._failing_since is None:
            self._failing_since = now
            log.warning("high watermarks not known; input watermarks wait", error=repr(exc))
        elif now - self._failing_since >= REPLACE_AFTER_SECONDS and self._consumer is not None:
            log.warning(
                "high watermarks unanswered; replacing their consumer",
                failed_looks=self._failed_looks,
                error=repr(exc),
            )
            await self.close()
            self._failing_since = now  # the new consumer gets the same time

    async def _start(self) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            **self._options,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_uncommitted",
        )
        try:
            await asyncio.wait_for(consumer.start(), self._timeout)
        except BaseException:
            await _stop(consumer, self._timeout)
            raise
        return consumer

    async def close(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await _stop(consumer, self._timeout)


async def _stop(consumer: AIOKafkaConsumer, timeout: float) -> None:
    try:
        await asyncio.wait_for(consumer.stop(), timeout)
    except Exception as exc:
        log.debug("high watermark consumer did not stop cleanly", error=repr(exc))


#: The applied position of an input partition (``TransactionalProcessor.applied_position``).
AppliedPosition = Callable[[TopicPartition], Awaitable[int | None]]


class InputWatermarks:
    """The watermark of every input partition a service owns, one look per tick."""

    def __init__(
        self,
        *,
        now_ms: Callable[[], int],
        highs: HighWatermarks,
        grace_seconds: float,
    ) -> None:
        self._now_ms = now_ms
        self._highs = highs
        self._grace = grace_seconds
        self._books: dict[TopicPartition, PartitionWatermark] = {}

    async def look(
        self, partitions: list[TopicPartition], applied_position: AppliedPosition
    ) -> None:
        """Mark every partition, then take the applied positions (in that order: a
        position read after the mark can settle it on the next look)."""
        at_ms, real = self._now_ms(), time.monotonic()
        highs = await self._highs.ask(partitions)
        for tp in partitions:
            book = self._book(tp)
            if highs is None or tp not in highs:
                book.lost()
            else:
                book.mark(Mark(at_ms, real, highs[tp]))
        # All at once: each waits for its task's lock, which a commit in progress holds;
        # one after another, a look could outlast MAX_LOOK_GAP_SECONDS on a busy machine
        # and the marks would never live long enough to settle.
        positions = await asyncio.gather(*(applied_position(tp) for tp in partitions))
        for tp, position in zip(partitions, positions, strict=True):
            self._book(tp).applied(position)

    def value_ms(self, tp: TopicPartition) -> int | None:
        """Every record of ``tp`` up to this clock time is applied; None: not known yet."""
        book = self._books.get(tp)
        return None if book is None else book.value_ms

    def reset(self, tp: TopicPartition) -> None:
        """The partition was (re)opened or left: its state starts again from the
        changelog and its consumer from the committed offset, so nothing is known."""
        self._books.pop(tp, None)

    def _book(self, tp: TopicPartition) -> PartitionWatermark:
        book = self._books.get(tp)
        if book is None:
            book = self._books[tp] = PartitionWatermark(self._grace)
        return book
