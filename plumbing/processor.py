"""Exactly-once consume-process-produce on Kafka transactions.

Each input partition is a task with its own transactional producer
(``transactional.id = <group>.<topic>.<partition>``) and its own state store,
restored from a changelog topic partitioned like the input. One batch of one
partition is one transaction holding everything the batch caused: output
events, changelog updates and the consumer offsets. Either all of it becomes
visible to ``read_committed`` readers or none of it does.

Why this shape (see docs/architecture.md, "Delivery semantics"):

* FastStream has no transaction support, so the FastStream subscriber only
  fetches (``AckPolicy.MANUAL``: it never commits) and this module commits
  offsets inside the transaction.
* A transactional id per input partition fences zombies: when a partition moves
  to another instance, the new owner's ``init_transactions`` aborts whatever the
  old owner left open and makes any later commit by it fail.
* On any failure the partition is reset to what Kafka committed: staged state is
  dropped, the producer is recreated, the store is restored from the changelog
  and the consumer seeks back to the committed offset. That is correct even when
  the outcome of the failed commit is unknown.
* Co-partitioned inputs (``co_partitioned``: topics keyed alike with the same
  partition count, e.g. ``tickets`` and ``sla``) form one task per partition
  number, as in Kafka Streams: partition *n* of each of them feeds one store and
  one changelog partition, and a transaction commits the offsets of all of them.
  The consumer must assign them together (the range assignor does).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition

from plumbing.clock import Clock
from plumbing.deadletter import dead_letter
from plumbing.logging import get_logger
from plumbing.memory import release_free_memory
from plumbing.metrics import ProcessorMetrics
from plumbing.store import StateStore

V = TypeVar("V")

log = get_logger(__name__)


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


class DeadLetterError(Exception):
    """Raised by a handler for input it refuses: the record goes to the DLQ with this reason.

    ``kind`` is a stable machine-readable reason; the message is for humans.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Step(Generic[V]):
    """The handler's view of one record (or one timer tick) of one partition."""

    partition: int
    store: StateStore[V]
    now: datetime
    outputs: list[Output] = field(default_factory=list)

    def emit(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        headers: tuple[tuple[str, bytes], ...] = (),
    ) -> None:
        self.outputs.append(Output(topic=topic, value=value, key=key, headers=headers))


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

#: How old the broker's last report on an input may be for timers to trust it (ms):
#: fetches are answered every fetch_max_wait_ms (25 ms) while the broker is there.
_FRESH_MS = 1000.0

#: Largest output record (key + value + headers) a handler may emit: below the 1 MiB
#: that aiokafka's producer (max_request_size) and the broker (message.max.bytes) take,
#: with room for the record batch's own overhead.
MAX_OUTPUT_BYTES = 1_000_000


@dataclass
class _Task(Generic[V]):
    tp: TopicPartition  # names the task: its partition of the (first) input topic
    inputs: set[TopicPartition] = field(default_factory=set)  # assigned partitions feeding it
    producer: AIOKafkaProducer | None = None
    store: StateStore[V] = field(default_factory=StateStore)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready: bool = False
    revoked: bool = False
    recovery: asyncio.Task[None] | None = None
    catch_up_to: dict[TopicPartition, int] | None = None  # input ends to reach after opening
    catch_up_seen: int = 0  # consecutive looks that found the position there
    caught_up: bool = False
    pending: int = 0  # batches handed to process() and not finished (lock waits included)
    applied: dict[TopicPartition, int] = field(default_factory=dict)  # after the last applied


class TransactionalProcessor(Generic[V]):
    def __init__(
        self,
        *,
        service: str,
        group_id: str,
        handler: Handler[V],
        dlq_topic: Callable[[str], str],
        client_options: dict[str, Any],
        clock: Clock,
        metrics: ProcessorMetrics,
        changelog: Changelog[V] | None = None,
        hooks: ProcessorHooks | None = None,
        transaction_timeout_ms: int = 60_000,
        operation_timeout_s: float = 30.0,
        co_partitioned: Sequence[str] = (),
    ) -> None:
        self.service = service
        self.group_id = group_id
        self._handler = handler
        self._dlq_topic = dlq_topic
        self._client_options = client_options
        self._clock = clock
        self._metrics = metrics
        self._changelog = changelog
        self._hooks = hooks
        self._transaction_timeout_ms = transaction_timeout_ms
        self._timeout = operation_timeout_s
        self._co_partitioned = tuple(co_partitioned)
        self._tasks: dict[TopicPartition, _Task[V]] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self.listener = _Listener(self)

    # -- wiring ------------------------------------------------------------------------
    @property
    def co_partitioned(self) -> bool:
        """True when several input topics share tasks (their consumer needs the range
        assignor, which gives partition *n* of every topic to the same member)."""
        return len(self._co_partitioned) > 1

    def _task_key(self, tp: TopicPartition) -> TopicPartition:
        if tp.topic in self._co_partitioned:
            return TopicPartition(self._co_partitioned[0], tp.partition)
        return tp

    def attach(self, consumer: AIOKafkaConsumer | None) -> None:
        """Give the processor the subscriber's consumer (for seeks after a failure)."""
        self._consumer = consumer

    def owned_partitions(self) -> list[TopicPartition]:
        return [tp for tp, task in self._tasks.items() if task.ready]

    def store(self, tp: TopicPartition) -> StateStore[V] | None:
        task = self._tasks.get(self._task_key(tp))
        return task.store if task and task.ready else None

    async def caught_up(self, tp: TopicPartition) -> bool:
        """True once partition ``tp`` was read up to where its input ended when it became
        ready (after its state was restored).

        Work driven by time, such as a timer announcing deadlines, waits for this: input
        still waiting in the partition (a reply sent while this instance was down) may
        change the state the timer would act on.
        """
        task = self._tasks.get(self._task_key(tp))
        consumer = self._consumer
        if task is None or not task.ready or consumer is None:
            return False
        if task.caught_up:
            return await self._current(task, consumer)
        if task.lock.locked() or not task.inputs <= consumer.assignment():
            return False
        try:
            if task.catch_up_to is None:
                task.catch_up_to = await asyncio.wait_for(
                    consumer.end_offsets(sorted(task.inputs)), self._timeout
                )
            ends: dict[TopicPartition, int] = task.catch_up_to or {}
            behind = False
            for member, end in ends.items():
                position = await asyncio.wait_for(consumer.position(member), self._timeout)
                behind = behind or position < end
        except Exception as exc:
            log.debug(
                "catch-up check failed", topic=tp.topic, partition=tp.partition, error=repr(exc)
            )
            return False
        if behind or task.lock.locked():
            task.catch_up_seen = 0
            return False
        # Records fetched a moment ago may still be on their way to process(): the
        # partition counts as caught up on the second look in a row.
        task.catch_up_seen += 1
        task.caught_up = task.catch_up_seen >= 2
        if task.caught_up:
            log.info("partition caught up", topic=tp.topic, partition=tp.partition)
        return task.caught_up

    async def _current(self, task: _Task[V], consumer: AIOKafkaConsumer) -> bool:
        """True while every input was read up to what the broker last reported (its
        last stable offset), and the broker reported within the last second.

        After a broker outage or a stall the consumer lags behind input committed
        before a deadline passed (a reply sent just before the broker went away): a
        timer acting then would act on stale state.
        """
        now_ms = time.time() * 1000
        try:
            for member in task.inputs:
                polled = consumer.last_poll_timestamp(member)
                stable = consumer.last_stable_offset(member)
                if polled is None or stable is None or now_ms - polled > _FRESH_MS:
                    return False
                if await asyncio.wait_for(consumer.position(member), self._timeout) < stable:
                    return False
        except Exception as exc:  # unassigned meanwhile, or the position is resetting
            log.debug("freshness check failed", error=repr(exc))
            return False
        return True

    async def applied_position(self, tp: TopicPartition) -> int | None:
        """The offset up to which input partition ``tp`` is applied to its task's state:
        every record before it that ``read_committed`` lets through has been handled.

        The consumer's position when no record it handed out waits to be processed,
        else the offset after the last record applied; None while the task is not ready
        (opening, recovering). Read under the task's lock, so never between a restore
        and the seek back to the committed offset. For event-time watermarks
        (``plumbing/watermark.py``): a caller that needs records handed out a moment
        ago by the consumer's fetch loop, but not yet given to ``process``, looks twice.
        """
        task = self._tasks.get(self._task_key(tp))
        consumer = self._consumer
        if task is None or consumer is None or tp not in task.inputs:
            return None
        async with task.lock:
            if not task.ready or tp not in consumer.assignment():
                return None
            if task.pending:  # a batch waits for the lock: only what came before counts
                return task.applied.get(tp)
            try:
                position: int = await asyncio.wait_for(consumer.position(tp), self._timeout)
            except Exception as exc:  # unassigned meanwhile, or its position is resetting
                log.debug("applied position unknown", topic=tp.topic, error=repr(exc))
                return None
            return position

    @property
    def healthy(self) -> bool:
        """False while any owned partition is being recovered."""
        return all(task.ready for task in self._tasks.values())

    async def close(self) -> None:
        for key in list(self._tasks):
            await self._drop(key)

    # -- processing --------------------------------------------------------------------
    async def process(self, records: Sequence[Record]) -> None:
        """Process a fetched batch: one transaction per task, tasks concurrently."""
        by_task: dict[TopicPartition, list[Record]] = defaultdict(list)
        for record in records:
            by_task[self._task_key(TopicPartition(record.topic, record.partition))].append(record)
        work = [(task, tp, batch) for tp, batch in by_task.items() if (task := self._tasks.get(tp))]
        for task, _, _ in work:  # before any await: applied_position must see it at once
            task.pending += 1
        await asyncio.gather(*(self._process_partition(*item) for item in work))

    async def transact(self, tp: TopicPartition, work: Callable[[Step[V]], None]) -> bool:
        """Run ``work`` (e.g. a timer tick) in a transaction of partition ``tp``.

        Returns False when the partition is not owned or not ready; nothing is done then.
        """
        task = self._tasks.get(self._task_key(tp))
        if task is None:
            return False
        async with task.lock:
            if not task.ready:
                return False
            step = Step[V](partition=tp.partition, store=task.store, now=self._clock.now())
            work(step)
            task.store.record_done()
            if not step.outputs and not task.store.staged(self._encode):
                return True
            return await self._commit(task, step.outputs, offsets={})

    async def _process_partition(
        self, task: _Task[V], tp: TopicPartition, records: list[Record]
    ) -> None:
        """A task dropped meanwhile (revoked) is not ready: its new owner reprocesses."""
        try:
            await self._process_task(task, tp, records)
        finally:
            task.pending -= 1

    async def _process_task(
        self, task: _Task[V], tp: TopicPartition, records: list[Record]
    ) -> None:
        started = time.perf_counter()
        offsets: dict[TopicPartition, int] = {}
        async with task.lock:
            if not task.ready:
                return
            step = Step[V](partition=tp.partition, store=task.store, now=self._clock.now())
            for record in records:
                source = TopicPartition(record.topic, record.partition)
                if source not in task.inputs:
                    continue  # that input was revoked; its new owner reads it again
                self._handle_one(record, step)
                offsets[source] = record.offset + 1
            if not offsets:
                return
            committed = await self._commit(task, step.outputs, offsets)
            if committed:
                task.applied.update(offsets)
        self._metrics.transaction_seconds.labels(self.service).observe(
            time.perf_counter() - started
        )
        if committed:
            for source, next_offset in offsets.items():
                self._observe_lag(source, next_offset)

    def _handle_one(self, record: Record, step: Step[V]) -> None:
        mark = len(step.outputs)
        step.now = self._clock.now()
        try:
            self._handler(record, step)
        except DeadLetterError as refused:
            self._undo_record(step, mark)
            self._send_to_dlq(record, step, refused.kind, str(refused))
        except Exception as exc:
            self._undo_record(step, mark)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            log.exception(
                "handler failed; record dead-lettered",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            self._send_to_dlq(record, step, "processing_error", detail)
        else:
            oversized = next((o for o in step.outputs[mark:] if _size(o) > MAX_OUTPUT_BYTES), None)
            if oversized is not None:
                # The producer would refuse it, fail the transaction and the partition
                # would retry this record for ever.
                self._undo_record(step, mark)
                reason = (
                    f"an output to {oversized.topic} would be {_size(oversized):,} bytes, "
                    f"over the {MAX_OUTPUT_BYTES:,} a Kafka record may have here"
                )
                self._send_to_dlq(record, step, "output_too_large", reason)
                return
            step.store.record_done()
            self._metrics.records.labels(self.service, record.topic, "ok").inc()

    @staticmethod
    def _undo_record(step: Step[V], mark: int) -> None:
        step.store.record_rollback()
        del step.outputs[mark:]

    def _send_to_dlq(self, record: Record, step: Step[V], kind: str, reason: str) -> None:
        letter = dead_letter(
            service=self.service,
            source_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            error_kind=kind,
            error=reason,
            now=step.now,
        )
        step.emit(self._dlq_topic(record.topic), letter.to_json_bytes(), key=record.key)
        self._metrics.records.labels(self.service, record.topic, "dead_letter").inc()
        self._metrics.dead_letters.labels(self.service, record.topic, kind).inc()
        log.warning(
            "record dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=kind,
            error=reason[:300],
        )

    def _encode(self, value: V) -> bytes:
        assert self._changelog is not None
        return self._changelog.encode(value)

    async def _commit(
        self, task: _Task[V], outputs: list[Output], offsets: dict[TopicPartition, int]
    ) -> bool:
        """Write outputs, staged state and the input offsets in one transaction."""
        producer = task.producer
        assert producer is not None
        changes = task.store.staged(self._encode) if self._changelog else []
        try:
            await asyncio.wait_for(
                self._write_transaction(producer, task.tp, outputs, changes, offsets),
                self._timeout,
            )
        except Exception as exc:
            self._metrics.transactions.labels(self.service, "failed").inc()
            log.warning(
                "transaction failed; resetting partition to its committed state",
                topic=task.tp.topic,
                partition=task.tp.partition,
                error=repr(exc),
            )
            task.store.rollback()
            self._start_recovery(task)
            return False
        task.store.commit()
        self._metrics.transactions.labels(self.service, "committed").inc()
        return True

    async def _write_transaction(
        self,
        producer: AIOKafkaProducer,
        tp: TopicPartition,
        outputs: list[Output],
        changes: list[tuple[str, bytes | None]],
        offsets: dict[TopicPartition, int],
    ) -> None:
        await producer.begin_transaction()
        try:
            deliveries: list[asyncio.Future[Any]] = []
            for output in outputs:
                deliveries.append(
                    await producer.send(
                        output.topic,
                        value=output.value,
                        key=output.key,
                        headers=list(output.headers),
                    )
                )
            if self._changelog is not None:
                for key, value in changes:
                    deliveries.append(
                        await producer.send(
                            self._changelog.topic,
                            value=value,
                            key=key.encode(),
                            partition=tp.partition,
                        )
                    )
            if offsets:
                await producer.send_offsets_to_transaction(offsets, self.group_id)
            await _all_delivered(deliveries)
        except BaseException:
            await _quietly(producer.abort_transaction())
            raise
        await producer.commit_transaction()

    def _observe_lag(self, tp: TopicPartition, next_offset: int, end: int = 0) -> None:
        """Record the position and the lag: what the broker holds past ``next_offset``.

        The end is the larger of the high watermark the last fetch reported (it runs
        ahead of what ``read_committed`` may read while a transaction is open) and
        ``end``, a fresh end offset for partitions not being fetched (paused).
        """
        task = self._tasks.get(self._task_key(tp))
        if self._consumer is None or task is None or tp not in task.inputs:
            return  # revoked meanwhile: its series is gone and must stay gone
        labels = (self.service, self.group_id, tp.topic, str(tp.partition))
        self._metrics.consumer_position.labels(*labels).set(next_offset)
        end = max(end, self._consumer.highwater(tp) or 0)
        self._metrics.consumer_lag.labels(*labels).set(max(0, end - next_offset))

    async def sample_lag(self) -> None:
        """Measure every owned input's lag and position now.

        Measuring only after a committed batch would freeze the figures of a partition
        that stopped moving (a transaction left open on the broker holds
        ``read_committed`` readers back; a recovery that keeps failing pauses it),
        which is exactly the partition an operator must see.
        """
        consumer = self._consumer
        if consumer is None:
            return
        owned = sorted(
            tp for task in list(self._tasks.values()) for tp in task.inputs & consumer.assignment()
        )
        if not owned:
            return
        try:
            ends: dict[TopicPartition, int] = await asyncio.wait_for(
                consumer.end_offsets(owned), self._timeout
            )
        except Exception as exc:  # the broker is away: the watchdog reports that
            log.debug("lag sample failed", error=repr(exc))
            return
        for tp in owned:
            try:
                position = await asyncio.wait_for(consumer.position(tp), self._timeout)
            except Exception as exc:  # revoked meanwhile, or its position is resetting
                log.debug("lag sample failed", topic=tp.topic, error=repr(exc))
                continue
            self._observe_lag(tp, position, ends.get(tp, 0))

    def _forget_lag(self, tp: TopicPartition) -> None:
        """Drop a partition's series once another instance reads it: a stale figure
        here would report lag that is no longer this instance's."""
        labels = (self.service, self.group_id, tp.topic, str(tp.partition))
        for gauge in (self._metrics.consumer_lag, self._metrics.consumer_position):
            with contextlib.suppress(KeyError):
                gauge.remove(*labels)

    # -- partition lifecycle ----------------------------------------------------------
    async def _assign(self, tp: TopicPartition) -> None:
        key = self._task_key(tp)
        existing = self._tasks.get(key)
        if existing is not None:  # a co-partitioned input of a task already opened
            existing.inputs.add(tp)
            return
        task = _Task[V](tp=key, inputs={tp})
        self._tasks[key] = task
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
                self._start_recovery(task)

    async def _revoke(self, tp: TopicPartition) -> None:
        key = self._task_key(tp)
        task = self._tasks.get(key)
        if task is None:
            return
        task.inputs.discard(tp)
        self._forget_lag(tp)
        if task.inputs:
            async with task.lock:  # a batch in flight commits before the rebalance goes on
                return
        await self._drop(key)

    async def _drop(self, key: TopicPartition) -> None:
        """Close the task: after its last input was revoked, or when the service stops."""
        task = self._tasks.pop(key, None)
        if task is None:
            return
        tp = task.tp
        task.revoked = True
        for member in task.inputs:
            self._forget_lag(member)
        if task.recovery is not None and not task.recovery.done():
            task.recovery.cancel()
            await asyncio.wait([task.recovery])
        async with task.lock:  # waits for a batch in flight to finish
            task.ready = False
            if task.producer is not None:
                await _quietly(task.producer.stop())
                task.producer = None
        if self._hooks is not None:
            self._hooks.on_revoked(tp.partition)
        self._metrics.partitions_owned.labels(self.service, tp.topic).set(
            sum(1 for other in self._tasks if other.topic == tp.topic)
        )

    async def _open(self, task: _Task[V]) -> None:
        """Fence the previous owner, then restore this partition's state."""
        tp = task.tp
        producer = AIOKafkaProducer(
            **self._client_options,
            transactional_id=f"{self.group_id}.{tp.topic}.{tp.partition}",
            transaction_timeout_ms=self._transaction_timeout_ms,
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
        )
        try:
            # start() runs InitProducerId: bumps the epoch, aborting the old owner's
            # open transaction before we read the changelog.
            await asyncio.wait_for(producer.start(), self._timeout)
            store = await asyncio.wait_for(self._restore(tp.partition), self._timeout * 4)
        except BaseException:
            await _quietly(producer.stop())
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
        self._metrics.partitions_owned.labels(self.service, tp.topic).set(
            sum(1 for other, t in self._tasks.items() if other.topic == tp.topic and t.ready)
        )
        log.info("partition ready", topic=tp.topic, partition=tp.partition, state_keys=len(store))

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
            await _quietly(consumer.stop())
        release_free_memory()  # the fetch buffers and per-record garbage of the restore
        self._metrics.restore_seconds.labels(self.service).observe(time.perf_counter() - started)
        self._metrics.restored_records.labels(self.service).inc(restored)
        return store

    def _start_recovery(self, task: _Task[V]) -> None:
        task.ready = False
        if task.recovery is None or task.recovery.done():
            task.recovery = asyncio.create_task(self._recover(task))

    async def _recover(self, task: _Task[V]) -> None:
        tp = task.tp
        self._metrics.recoveries.labels(self.service, tp.topic).inc()
        if self._consumer is not None:
            paused = task.inputs & self._consumer.assignment()
            if paused:
                self._consumer.pause(*paused)
        delay = 0.5
        while not task.revoked:
            async with task.lock:
                if task.producer is not None:
                    await _quietly(task.producer.stop())
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

    async def _rewind(self, task: _Task[V]) -> None:
        """Send the consumer back to the committed offsets and let it fetch again."""
        consumer = self._consumer
        if consumer is None:
            return
        for tp in sorted(task.inputs & consumer.assignment()):
            committed = await asyncio.wait_for(consumer.committed(tp), self._timeout)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
            consumer.resume(tp)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, processor: TransactionalProcessor[Any]) -> None:
        self._processor = processor

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await asyncio.gather(*(self._processor._revoke(tp) for tp in revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await asyncio.gather(*(self._processor._assign(tp) for tp in assigned))


def _size(output: Output) -> int:
    return (
        len(output.value or b"")
        + len(output.key or b"")
        + sum(len(k) + len(v) for k, v in output.headers)
    )


async def _all_delivered(deliveries: Sequence[asyncio.Future[Any]]) -> None:
    """Raise the first delivery failure of a transaction's records, if any.

    aiokafka (0.14) commits a transaction even when one of its batches failed: a batch
    that outlived request_timeout_ms while its partition had no leader (a broker
    coming back from an outage) is failed quietly and the commit goes on without it,
    offsets included. The Java client fixed the same hole in KAFKA-5385. Committing
    only once every record is acknowledged keeps the transaction all or nothing.
    """
    outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
    failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
    if failure is not None:
        raise failure


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:
        log.debug("cleanup step failed", exc_info=True)
