"""Exactly-once consume-process-produce on Kafka transactions.

Each input partition is a task (``plumbing.tasks``: its own transactional producer,
state store and changelog partition). The records of a task, and the timer work run
on it (``transact``), go into the task's open transaction (``plumbing.transaction``),
which holds everything they caused: output events, changelog updates and the input
offsets, and commits on an interval. Either all of it becomes visible to
``read_committed`` readers or none of it does.

Why this shape (see docs/architecture.md, "Delivery semantics"):

* FastStream has no transaction support, so the FastStream subscriber only fetches
  (``AckPolicy.MANUAL``: it never commits) and the processor commits offsets inside
  its transactions.
* A transactional id per input partition fences zombies (KIP-129, as Kafka Streams
  did before KIP-447, which aiokafka's TxnOffsetCommit v0 cannot express).
* A commit failure resets the partition to what Kafka committed (``Tasks``).
* Co-partitioned inputs (``co_partitioned``: topics keyed alike with the same
  partition count, e.g. ``tickets`` and ``sla``) form one task per partition number,
  as in Kafka Streams; the consumer must assign them together (the range assignor
  does).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from plumbing.clock import Clock
from plumbing.deadletter import dead_letter
from plumbing.logging import get_logger
from plumbing.metrics import ProcessorMetrics
from plumbing.progress import LagGauges, caught_up, settled
from plumbing.step import (
    MAX_OUTPUT_BYTES,
    Changelog,
    DeadLetterError,
    Handler,
    Output,
    ProcessorHooks,
    Record,
    Step,
)
from plumbing.store import StateStore
from plumbing.tasks import Task, Tasks
from plumbing.transaction import CommitPolicy, OpenTransaction, finish, quietly

__all__ = [
    "MAX_OUTPUT_BYTES",
    "Changelog",
    "CommitPolicy",
    "DeadLetterError",
    "Output",
    "ProcessorHooks",
    "Record",
    "Step",
    "TransactionalProcessor",
]

V = TypeVar("V")

log = get_logger(__name__)


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
        # A transaction is open for an interval plus its commit; if the process dies
        # holding one, read_committed readers of its outputs wait until the next owner
        # fences it or this timeout aborts it (Kafka Streams uses 10 s under EOS too).
        transaction_timeout_ms: int = 10_000,
        operation_timeout_s: float = 30.0,
        co_partitioned: Sequence[str] = (),
        commit: CommitPolicy | None = None,
    ) -> None:
        self.service = service
        self.group_id = group_id
        self._handler = handler
        self._dlq_topic = dlq_topic
        self._clock = clock
        self._metrics = metrics
        self._changelog = changelog
        self._timeout = operation_timeout_s
        self._co_partitioned = tuple(co_partitioned)
        self.commit_policy = commit or CommitPolicy()
        self._lag = LagGauges(metrics, service, group_id)
        self._tasks = Tasks[V](
            service=service,
            group_id=group_id,
            client_options=client_options,
            changelog=changelog,
            hooks=hooks,
            metrics=metrics,
            transaction_timeout_ms=transaction_timeout_ms,
            timeout=operation_timeout_s,
            settle=self._commit,
            forget_lag=self._lag.forget,
        )
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
        self._tasks.consumer = consumer

    def owned_partitions(self) -> list[TopicPartition]:
        return [tp for tp, task in self._tasks.by_key.items() if task.ready]

    def store(self, tp: TopicPartition) -> StateStore[V] | None:
        task = self._tasks.by_key.get(self._task_key(tp))
        return task.store if task and task.ready else None

    async def caught_up(self, tp: TopicPartition) -> bool:
        """True once partition ``tp`` was read up to where its input ended when it became
        ready (after its state was restored), and while it stays current since.

        Work driven by time, such as a timer announcing deadlines, waits for this: input
        still waiting in the partition (a reply sent while this instance was down) may
        change the state the timer would act on.
        """
        task = self._tasks.by_key.get(self._task_key(tp))
        consumer = self._tasks.consumer
        if task is None or not task.ready or consumer is None:
            return False
        return await caught_up(task, consumer, self._timeout)

    async def settled(self) -> bool:
        """True when every owned partition's input is read to its current end, applied
        and committed (``plumbing.progress.settled``); for the lockstep clock's driver."""
        consumer = self._tasks.consumer
        if consumer is None:
            return False
        return await settled(list(self._tasks.by_key.values()), consumer, self._timeout)

    async def applied_position(self, tp: TopicPartition) -> int | None:
        """The offset up to which input partition ``tp`` is applied to its task's state
        (the open transaction included: timer work staged now joins it): every record
        before it that ``read_committed`` lets through has been handled.

        The consumer's position when no record it handed out waits to be processed,
        else the offset after the last record applied; None while the task is not ready
        (opening, recovering). Read under the task's lock, so never between a restore
        and the seek back to the committed offset. For event-time watermarks
        (``plumbing/watermark.py``): a caller that needs records handed out a moment
        ago by the consumer's fetch loop, but not yet given to ``process``, looks twice.
        """
        task = self._tasks.by_key.get(self._task_key(tp))
        consumer = self._tasks.consumer
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
        return all(task.ready for task in self._tasks.by_key.values())

    async def close(self) -> None:
        """Commit every open transaction and close every task."""
        for key in list(self._tasks.by_key):
            await self._tasks.drop(key)

    # -- processing --------------------------------------------------------------------
    async def process(self, records: Sequence[Record]) -> None:
        """Process a fetched batch into the open transactions of its tasks."""
        by_task: dict[TopicPartition, list[Record]] = defaultdict(list)
        for record in records:
            by_task[self._task_key(TopicPartition(record.topic, record.partition))].append(record)
        work = [
            (task, batch) for key, batch in by_task.items() if (task := self._tasks.by_key.get(key))
        ]
        handled = []
        for task, batch in work:  # before any await: applied_position must see it at once
            task.pending += 1
            handling = asyncio.ensure_future(self._process_records(task, batch))
            # A done callback, not a finally: it runs even when the batch is cancelled
            # before it started (a finally would not, and the count would stay up).
            handling.add_done_callback(partial(_finished, task))
            handled.append(handling)
        await asyncio.gather(*handled)

    async def transact(self, tp: TopicPartition, work: Callable[[Step[V]], None]) -> bool:
        """Run ``work`` (e.g. a timer tick) in the open transaction of partition ``tp`` and
        wait for that transaction: True once it committed.

        False when the partition is not owned or not ready (nothing is done then), or
        when the transaction failed (the partition is then reset). An exception from
        ``work`` undoes what it did and is raised.
        """
        outcome = await self.stage(tp, work)
        return False if outcome is None else await asyncio.shield(outcome)

    async def stage(
        self, tp: TopicPartition, work: Callable[[Step[V]], None]
    ) -> asyncio.Future[bool] | None:
        """Like ``transact`` without the wait: the future tells the transaction's outcome.
        None when the partition is not owned or not ready."""
        task = self._tasks.by_key.get(self._task_key(tp))
        if task is None:
            return None
        async with task.lock:
            if not task.ready:
                return None
            step = Step[V](partition=tp.partition, store=task.store, now=self._clock.now())
            mark = step.mark()
            try:
                work(step)
            except BaseException:
                step.undo_to(mark)
                raise
            wrote = task.store.record_writes()
            task.store.record_done()
            if not (step.outputs or step.callbacks or wrote):
                return _settled(True)
            transaction = await self._join(task, step, records=0)
            return transaction.outcome if transaction is not None else _settled(False)

    async def _process_records(self, task: Task[V], records: list[Record]) -> None:
        """A task dropped meanwhile (revoked) is not ready: its new owner reprocesses."""
        async with task.lock:
            if not task.ready:
                return
            step = Step[V](partition=task.tp.partition, store=task.store, now=self._clock.now())
            offsets: dict[TopicPartition, int] = {}
            for record in records:
                source = TopicPartition(record.topic, record.partition)
                if source not in task.inputs:
                    continue  # that input was revoked; its new owner reads it again
                self._handle_one(record, step)
                offsets[source] = record.offset + 1
            if not offsets:
                return
            transaction = await self._join(task, step, records=len(records))
            if transaction is not None:
                transaction.offsets.update(offsets)
                task.applied.update(offsets)

    async def _join(self, task: Task[V], step: Step[V], *, records: int) -> OpenTransaction | None:
        """Add a step's outputs and callbacks to the task's open transaction (beginning one
        if needed); None if that failed, and the task is then being reset. Called with
        the task's lock held."""
        transaction = task.transaction
        producer = task.producer
        assert producer is not None
        try:
            if transaction is None:
                await producer.begin_transaction()
                transaction = task.transaction = OpenTransaction()
                task.committer = asyncio.create_task(self._commit_when_due(task, transaction))
            await transaction.send(producer, step.outputs)
        except Exception as exc:
            await self._fail(task, exc)
            return None
        transaction.callbacks += step.callbacks
        transaction.records += records
        if step.commit_requested or transaction.records >= self.commit_policy.max_records:
            transaction.due.set()
        return transaction

    def _handle_one(self, record: Record, step: Step[V]) -> None:
        mark = step.mark()
        step.now = self._clock.now()
        try:
            self._handler(record, step)
        except DeadLetterError as refused:
            step.undo_to(mark)
            self._send_to_dlq(record, step, refused.kind, str(refused))
        except Exception as exc:
            step.undo_to(mark)
            detail = "".join(traceback.format_exception_only(exc)).strip()
            log.exception(
                "handler failed; record dead-lettered",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            self._send_to_dlq(record, step, "processing_error", detail)
        else:
            oversized = next(
                (o for o in step.outputs[mark[0] :] if o.size > MAX_OUTPUT_BYTES), None
            )
            if oversized is not None:
                # The producer would refuse it, fail the transaction and the partition
                # would retry this record for ever.
                step.undo_to(mark)
                reason = (
                    f"an output to {oversized.topic} would be {oversized.size:,} bytes, "
                    f"over the {MAX_OUTPUT_BYTES:,} a Kafka record may have here"
                )
                self._send_to_dlq(record, step, "output_too_large", reason)
                return
            step.store.record_done()
            self._metrics.records.labels(self.service, record.topic, "ok").inc()

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

    # -- committing --------------------------------------------------------------------
    async def _commit_when_due(self, task: Task[V], transaction: OpenTransaction) -> None:
        remaining = transaction.started + self.commit_policy.interval_seconds - time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(transaction.due.wait(), max(0.0, remaining))
        async with task.lock:
            if task.transaction is transaction:
                await self._commit(task)

    async def _commit(self, task: Task[V]) -> None:
        """Commit the task's open transaction, if any. Called with the task's lock held."""
        transaction = task.transaction
        if transaction is None:
            return
        task.transaction = None
        producer = task.producer
        assert producer is not None
        changes = task.store.staged(self._changelog.encode) if self._changelog else []
        started = time.perf_counter()
        try:
            await asyncio.wait_for(
                finish(
                    producer,
                    transaction,
                    group_id=self.group_id,
                    changelog_topic=self._changelog.topic if self._changelog else None,
                    changelog_partition=task.tp.partition,
                    changes=changes,
                ),
                self._timeout,
            )
        except Exception as exc:
            self._reset(task, transaction, exc)
            return
        task.store.commit()
        metrics = self._metrics
        metrics.transactions.labels(self.service, "committed").inc()
        metrics.transaction_seconds.labels(self.service).observe(time.perf_counter() - started)
        metrics.transaction_records.labels(self.service).observe(transaction.records)
        for callback in transaction.callbacks:
            try:
                callback()
            except Exception:
                log.exception("after-commit callback failed", partition=task.tp.partition)
        transaction.settle(True)
        consumer = self._tasks.consumer
        if consumer is not None and self._tasks.by_key.get(task.tp) is task:
            for source, next_offset in transaction.offsets.items():
                if source in task.inputs:
                    self._lag.observe(consumer, source, next_offset)

    async def _fail(self, task: Task[V], exc: BaseException) -> None:
        """A send failed while the transaction was open: abort it and reset the task."""
        transaction = task.transaction
        task.transaction = None
        if task.producer is not None:
            await quietly(task.producer.abort_transaction())
        self._reset(task, transaction, exc)

    def _reset(
        self, task: Task[V], transaction: OpenTransaction | None, exc: BaseException
    ) -> None:
        self._metrics.transactions.labels(self.service, "failed").inc()
        log.warning(
            "transaction failed; resetting partition to its committed state",
            topic=task.tp.topic,
            partition=task.tp.partition,
            error=repr(exc),
        )
        task.store.rollback()
        if transaction is not None:
            transaction.settle(False)
        self._tasks.start_recovery(task)

    # -- lag -------------------------------------------------------------------------
    async def sample_lag(self) -> None:
        """Measure every owned input's lag and position now."""
        consumer = self._tasks.consumer
        if consumer is None:
            return
        owned = sorted(
            tp
            for task in list(self._tasks.by_key.values())
            for tp in task.inputs & consumer.assignment()
        )
        for tp, (position, end) in (await self._lag.sample(consumer, owned, self._timeout)).items():
            task = self._tasks.by_key.get(self._task_key(tp))
            if task is not None and tp in task.inputs:  # revoked meanwhile: stays gone
                self._lag.observe(consumer, tp, position, end)

    # -- rebalances ------------------------------------------------------------------
    async def _assign(self, tp: TopicPartition) -> None:
        await self._tasks.assign(self._task_key(tp), tp)

    async def _revoke(self, tp: TopicPartition) -> None:
        await self._tasks.revoke(self._task_key(tp), tp)


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, processor: TransactionalProcessor[Any]) -> None:
        self._processor = processor

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await asyncio.gather(*(self._processor._revoke(tp) for tp in revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await asyncio.gather(*(self._processor._assign(tp) for tp in assigned))


def _finished(task: Task[Any], _: asyncio.Future[None]) -> None:
    task.pending -= 1


def _settled(value: bool) -> asyncio.Future[bool]:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future
