"""The life of the partitions an instance owns: open, restore, revoke, recover.

A task is one input partition (or, for co-partitioned inputs, partition *n* of each
of them) with its own transactional producer (``transactional.id =
<group>.<topic>.<partition>``) and its own state store, restored from a changelog
partitioned like the input. Opening a task fences the previous owner:
``init_transactions`` bumps the producer epoch, aborting whatever it left open and
making any later commit of it fail, and only then is the changelog read.

On any failure the task is reset to what Kafka committed: the partition is paused,
the producer recreated, the store restored and the consumer sent back to the
committed offsets. That is correct whatever the outcome of the failed commit was.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from plumbing.logging import get_logger
from plumbing.memory import release_free_memory
from plumbing.metrics import ProcessorMetrics
from plumbing.step import Changelog, ProcessorHooks
from plumbing.store import StateStore
from plumbing.transaction import OpenTransaction, quietly

V = TypeVar("V")

log = get_logger(__name__)

#: aiokafka retries AddPartitionsToTxn after this long when the coordinator answers
#: CONCURRENT_TRANSACTIONS, which it does right after every commit while it writes the
#: markers; its default (100 ms) would add a tenth of a second to every transaction.
#: The Java client uses 20 ms for exactly this case (KAFKA-5477).
RETRY_BACKOFF_MS = 20


@dataclass
class Task(Generic[V]):
    tp: TopicPartition  # names the task: its partition of the (first) input topic
    inputs: set[TopicPartition] = field(default_factory=set)  # assigned partitions feeding it
    producer: AIOKafkaProducer | None = None
    store: StateStore[V] = field(default_factory=StateStore)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready: bool = False
    revoked: bool = False
    recovery: asyncio.Task[None] | None = None
    transaction: OpenTransaction | None = None
    committer: asyncio.Task[None] | None = None
    catch_up_to: dict[TopicPartition, int] | None = None  # input ends to reach after opening
    catch_up_seen: int = 0  # consecutive looks that found the position there
    caught_up: bool = False
    pending: int = 0  # batches handed to process() and not finished (lock waits included)
    applied: dict[TopicPartition, int] = field(default_factory=dict)  # after the last applied


class Tasks(Generic[V]):
    """The tasks of one processor, keyed by their first input partition."""

    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        client_options: dict[str, Any],
        changelog: Changelog[V] | None,
        hooks: ProcessorHooks | None,
        metrics: ProcessorMetrics,
        transaction_timeout_ms: int,
        timeout: float,
        settle: Callable[[Task[V]], Awaitable[None]],
        forget_lag: Callable[[TopicPartition], None],
    ) -> None:
        self.service = service
        self.group_id = group_id
        self._client_options = client_options
        self._changelog = changelog
        self._hooks = hooks
        self._metrics = metrics
        self._transaction_timeout_ms = transaction_timeout_ms
        self._timeout = timeout
        self._settle = settle
        self._forget_lag = forget_lag
        self.by_key: dict[TopicPartition, Task[V]] = {}
        self.consumer: AIOKafkaConsumer | None = None

    async def assign(self, key: TopicPartition, tp: TopicPartition) -> None:
        existing = self.by_key.get(key)
        if existing is not None:  # a co-partitioned input of a task already opened
            existing.inputs.add(tp)
            return
        task = Task[V](tp=key, inputs={tp})
        self.by_key[key] = task
        async with task.lock:
            try:
                await self._open(task)
            except Exception as exc:
                log.warning(
                    "partition not ready yet; will retry",
                    topic=tp.topic,
                    partition=tp.partition,
                    error=repr(exc),
                )
                self.start_recovery(task)

    async def revoke(self, key: TopicPartition, tp: TopicPartition) -> None:
        task = self.by_key.get(key)
        if task is None:
            return
        task.inputs.discard(tp)
        self._forget_lag(tp)
        if task.inputs:
            # The open transaction holds the revoked input's offsets: commit it now, so
            # the new owner starts where this one stopped.
            async with task.lock:
                await self._settle(task)
            return
        await self.drop(key)

    async def drop(self, key: TopicPartition) -> None:
        """Close the task: after its last input was revoked, or when the service stops.
        Its open transaction commits first."""
        task = self.by_key.pop(key, None)
        if task is None:
            return
        tp = task.tp
        task.revoked = True
        for member in task.inputs:
            self._forget_lag(member)
        if task.recovery is not None and not task.recovery.done():
            task.recovery.cancel()
            await asyncio.wait([task.recovery])
        async with task.lock:  # waits for records in flight
            if task.ready:
                await self._settle(task)
            task.ready = False
            if task.producer is not None:
                await quietly(task.producer.stop())
                task.producer = None
        if self._hooks is not None:
            self._hooks.on_revoked(tp.partition)
        self._count_owned(tp.topic)

    async def _open(self, task: Task[V]) -> None:
        """Fence the previous owner, then restore this partition's state."""
        tp = task.tp
        producer = AIOKafkaProducer(
            **self._client_options,
            transactional_id=f"{self.group_id}.{tp.topic}.{tp.partition}",
            transaction_timeout_ms=self._transaction_timeout_ms,
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            retry_backoff_ms=RETRY_BACKOFF_MS,
        )
        try:
            # start() runs InitProducerId: bumps the epoch, aborting the old owner's
            # open transaction before we read the changelog.
            await asyncio.wait_for(producer.start(), self._timeout)
            store = await asyncio.wait_for(self._restore(tp.partition), self._timeout * 4)
        except BaseException:
            await quietly(producer.stop())
            raise
        task.producer = producer
        task.store = store
        task.catch_up_to = None
        task.catch_up_seen = 0
        task.caught_up = False
        task.applied.clear()  # the consumer goes back to the committed offsets
        task.ready = True
        if self._hooks is not None:
            self._hooks.on_ready(tp.partition, store)
        self._count_owned(tp.topic)
        log.info("partition ready", topic=tp.topic, partition=tp.partition, state_keys=len(store))

    def _count_owned(self, topic: str) -> None:
        self._metrics.partitions_owned.labels(self.service, topic).set(
            sum(1 for other, t in self.by_key.items() if other.topic == topic and t.ready)
        )

    async def _restore(self, partition: int) -> StateStore[V]:
        store = StateStore[V]()
        if self._changelog is None:
            return store
        started = time.perf_counter()
        changelog = self._changelog
        tp = TopicPartition(changelog.topic, partition)
        consumer = AIOKafkaConsumer(
            **self._client_options,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        restored = 0
        try:
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            while await consumer.position(tp) < end:
                fetched = await consumer.getmany(tp, timeout_ms=500, max_records=50_000)
                for record in fetched.get(tp, ()):
                    if record.key is None:
                        continue
                    value = None if record.value is None else changelog.decode(record.value)
                    store.restore(record.key.decode(), value)
                    restored += 1
        finally:
            await quietly(consumer.stop())
        release_free_memory()  # the fetch buffers and per-record garbage of the restore
        self._metrics.restore_seconds.labels(self.service).observe(time.perf_counter() - started)
        self._metrics.restored_records.labels(self.service).inc(restored)
        return store

    def start_recovery(self, task: Task[V]) -> None:
        task.ready = False
        if task.recovery is None or task.recovery.done():
            task.recovery = asyncio.create_task(self._recover(task))

    async def _recover(self, task: Task[V]) -> None:
        tp = task.tp
        self._metrics.recoveries.labels(self.service, tp.topic).inc()
        if self.consumer is not None:
            paused = task.inputs & self.consumer.assignment()
            if paused:
                self.consumer.pause(*paused)
        delay = 0.5
        while not task.revoked:
            async with task.lock:
                if task.producer is not None:
                    await quietly(task.producer.stop())
                    task.producer = None
                try:
                    await self._open(task)
                    await self._rewind(task)
                except Exception as exc:
                    task.ready = False
                    log.warning(
                        "partition recovery failed; retrying",
                        topic=tp.topic,
                        partition=tp.partition,
                        error=repr(exc),
                        retry_in=delay,
                    )
                else:
                    log.info("partition recovered", topic=tp.topic, partition=tp.partition)
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _rewind(self, task: Task[V]) -> None:
        """Send the consumer back to the committed offsets and let it fetch again."""
        consumer = self.consumer
        if consumer is None:
            return
        for tp in sorted(task.inputs & consumer.assignment()):
            committed = await asyncio.wait_for(consumer.committed(tp), self._timeout)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
            consumer.resume(tp)
