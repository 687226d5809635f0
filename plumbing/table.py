"""A whole topic (every partition) mirrored in memory: team capacity, customer tiers,
or a changelog other instances write. Reads ``read_committed`` and follows the tail."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from plumbing.logging import get_logger

V = TypeVar("V")

log = get_logger(__name__)


class GlobalTable(Generic[V]):
    def __init__(
        self,
        *,
        topic: str,
        decode: Callable[[bytes], V],
        client_options: dict[str, Any],
        on_change: Callable[[str, V | None], None] | None = None,
        on_invalid: Callable[[Any, Exception], None] | None = None,
        poll_ms: int = 500,
        retain: bool = True,
    ) -> None:
        """``retain=False``: keep no values (``get`` and ``items`` find nothing), only call
        ``on_change``; for a topic of millions of keys whose reader keeps its own summary."""
        self.topic = topic
        self._decode = decode
        self._client_options = client_options
        self._on_change = on_change
        self._on_invalid = on_invalid
        # How long one fetch waits for records. With read_committed, the position moves
        # past a transaction's commit marker only when a fetch returns, so a table used
        # as a read barrier (``sync``) polls more often.
        self._poll_ms = poll_ms
        self._retain = retain
        self._values: dict[str, V] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._offsets: AIOKafkaConsumer | None = None  # for sync(), started on first use
        self._task: asyncio.Task[None] | None = None
        self._end_at_start: dict[TopicPartition, int] = {}
        self._advanced = asyncio.Condition()
        self.caught_up = asyncio.Event()

    def get(self, key: str) -> V | None:
        return self._values.get(key)

    def items(self) -> list[tuple[str, V]]:
        return list(self._values.items())

    def __len__(self) -> int:
        return len(self._values)

    @property
    def partition_count(self) -> int:
        """The topic's partitions (0 until ``start`` found them)."""
        return len(self._end_at_start)

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            **self._client_options,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumer = consumer
        partitions = await self._partitions(consumer)
        if not partitions:
            await consumer.stop()
            raise RuntimeError(f"topic {self.topic} does not exist")
        assignment = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(assignment)
        await consumer.seek_to_beginning(*assignment)
        self._end_at_start = await consumer.end_offsets(assignment)
        self._task = asyncio.create_task(self._follow(consumer))

    async def sync(self, timeout: float) -> bool:
        """Wait until the table holds everything committed to its topic before this call.

        A read barrier: an instance that answers after ``sync()`` has seen every change
        another instance saw before it answered (read-your-writes across instances).
        Returns False (and the table as it is) when that takes longer than ``timeout``.
        """
        consumer = self._consumer
        if consumer is None:
            return False
        try:
            async with asyncio.timeout(timeout):
                # read_committed: the end offsets are the last stable offsets. Asked on a
                # connection of their own: on the table's, the broker answers only after
                # the fetch it holds open (up to fetch.max.wait) has returned.
                ends = await (await self._offsets_client()).end_offsets(list(self._end_at_start))
                while True:
                    async with self._advanced:
                        behind = False
                        for tp, end in ends.items():
                            behind = behind or await consumer.position(tp) < end
                        if not behind:
                            return True
                        await self._advanced.wait()
        except TimeoutError:
            return False
        except Exception as exc:
            log.warning("table read barrier failed", topic=self.topic, error=repr(exc))
            return False

    async def positions(self) -> dict[TopicPartition, int]:
        """The offset up to which each partition is read and applied (empty before
        ``start``): a record fetched is applied before anyone can ask again."""
        consumer = self._consumer
        if consumer is None:
            return {}
        return {tp: await consumer.position(tp) for tp in self._end_at_start}

    async def _offsets_client(self) -> AIOKafkaConsumer:
        if self._offsets is None:
            offsets = AIOKafkaConsumer(
                **self._client_options,
                group_id=None,
                enable_auto_commit=False,
                isolation_level="read_committed",
            )
            await offsets.start()
            self._offsets = offsets
        return self._offsets

    async def _partitions(self, consumer: AIOKafkaConsumer, timeout: float = 15.0) -> set[int]:
        """The topic's partitions. The client's first metadata names no topics; assigning
        partition 0 (every topic has one) makes it fetch this topic's metadata."""
        consumer.assign([TopicPartition(self.topic, 0)])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            partitions: set[int] = consumer.partitions_for_topic(self.topic) or set()
            if partitions or loop.time() >= deadline:
                return partitions
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])
        if self._consumer is not None:
            await self._consumer.stop()
        if self._offsets is not None:
            await self._offsets.stop()

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            # A table that stopped following would go stale without a sound: retry.
            try:
                if not self.caught_up.is_set():
                    await self._check_caught_up(consumer)
                fetched = await consumer.getmany(timeout_ms=self._poll_ms, max_records=10_000)
            except Exception as exc:
                log.warning("table fetch failed; retrying", topic=self.topic, error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            for records in fetched.values():
                for record in records:
                    self._apply(record)
            # Even an empty fetch may have moved the position past transaction markers.
            async with self._advanced:
                self._advanced.notify_all()

    async def _check_caught_up(self, consumer: AIOKafkaConsumer) -> None:
        for tp, end in self._end_at_start.items():
            if await consumer.position(tp) < end:
                return
        self.caught_up.set()

    def _apply(self, record: Any) -> None:
        if record.key is None:
            return
        key = record.key.decode()
        if record.value is None:
            self._values.pop(key, None)
            value: V | None = None
        else:
            try:
                value = self._decode(record.value)
            except Exception as exc:
                log.error(
                    "invalid record in table topic; ignored",
                    topic=self.topic,
                    partition=record.partition,
                    offset=record.offset,
                    error=repr(exc),
                )
                if self._on_invalid is not None:
                    self._on_invalid(record, exc)
                return
            if self._retain:
                self._values[key] = value
        if self._on_change is not None:
            self._on_change(key, value)
