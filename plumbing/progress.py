"""How far a processor has read its inputs: catching up after an open, staying current,
and the lag and position gauges operators watch."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from plumbing.logging import get_logger
from plumbing.metrics import ProcessorMetrics
from plumbing.tasks import Task

log = get_logger(__name__)

#: How old the broker's last report on an input may be for timers to trust it (ms):
#: fetches are answered every fetch_max_wait_ms (25 ms) while the broker is there.
FRESH_MS = 1000.0


async def caught_up(task: Task[Any], consumer: AIOKafkaConsumer, timeout: float) -> bool:
    """True once the task's inputs were read up to where they ended when it became ready
    (after its state was restored), and, from then on, while they stay current."""
    if task.caught_up:
        return await current(task, consumer, timeout)
    if task.lock.locked() or not task.inputs <= consumer.assignment():
        return False
    try:
        if task.catch_up_to is None:
            task.catch_up_to = await asyncio.wait_for(
                consumer.end_offsets(sorted(task.inputs)), timeout
            )
        ends: dict[TopicPartition, int] = task.catch_up_to or {}
        behind = False
        for member, end in ends.items():
            position = await asyncio.wait_for(consumer.position(member), timeout)
            behind = behind or position < end
    except Exception as exc:
        log.debug(
            "catch-up check failed",
            topic=task.tp.topic,
            partition=task.tp.partition,
            error=repr(exc),
        )
        return False
    if behind or task.lock.locked():
        task.catch_up_seen = 0
        return False
    # Records fetched a moment ago may still be on their way to the processor: the
    # partition counts as caught up on the second look in a row.
    task.catch_up_seen += 1
    task.caught_up = task.catch_up_seen >= 2
    if task.caught_up:
        log.info("partition caught up", topic=task.tp.topic, partition=task.tp.partition)
    return task.caught_up


async def current(task: Task[Any], consumer: AIOKafkaConsumer, timeout: float) -> bool:
    """True while every input was read up to what the broker last reported (its last
    stable offset), and the broker reported within the last second.

    After a broker outage or a stall the consumer lags behind input committed before a
    deadline passed (a reply sent just before the broker went away): a timer acting then
    would act on stale state.
    """
    now_ms = time.time() * 1000
    try:
        for member in task.inputs:
            polled = consumer.last_poll_timestamp(member)
            stable = consumer.last_stable_offset(member)
            if polled is None or stable is None or now_ms - polled > FRESH_MS:
                return False
            if await asyncio.wait_for(consumer.position(member), timeout) < stable:
                return False
    except Exception as exc:  # unassigned meanwhile, or the position is resetting
        log.debug("freshness check failed", error=repr(exc))
        return False
    return True


async def settled(tasks: list[Task[Any]], consumer: AIOKafkaConsumer, timeout: float) -> bool:
    """True when nothing of these tasks is in flight: every input was read up to its end
    as the broker reports it now (the last stable offset, asked for by this call), no
    batch is being handled and no transaction is open.

    For a driver that moves a simulated clock only once every service has processed
    what the last step caused (``plumbing.lockstep``). A batch the consumer handed out
    a moment ago may still be on its way to the handler, so callers look twice.
    """
    if any(not task.ready or task.lock.locked() or task.transaction for task in tasks):
        return False
    inputs = sorted({tp for task in tasks for tp in task.inputs})
    if not inputs:
        return True
    try:
        ends: dict[TopicPartition, int] = await asyncio.wait_for(
            consumer.end_offsets(inputs), timeout
        )
        for tp in inputs:
            if await asyncio.wait_for(consumer.position(tp), timeout) < ends[tp]:
                return False
    except Exception as exc:  # unassigned meanwhile, or the broker is away
        log.debug("settled check failed", error=repr(exc))
        return False
    return not any(task.lock.locked() or task.transaction for task in tasks)


class LagGauges:
    """``switchboard_consumer_lag`` and ``switchboard_consumer_position`` of one processor."""

    def __init__(self, metrics: ProcessorMetrics, service: str, group_id: str) -> None:
        self._metrics = metrics
        self._service = service
        self._group_id = group_id

    def _labels(self, tp: TopicPartition) -> tuple[str, str, str, str]:
        return (self._service, self._group_id, tp.topic, str(tp.partition))

    def observe(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, position: int, end: int = 0
    ) -> None:
        """Record the position and the lag: what the broker holds past ``position``.

        The end is the larger of the high watermark the last fetch reported (it runs
        ahead of what ``read_committed`` may read while a transaction is open) and
        ``end``, a fresh end offset for partitions not being fetched (paused).
        """
        labels = self._labels(tp)
        self._metrics.consumer_position.labels(*labels).set(position)
        end = max(end, consumer.highwater(tp) or 0)
        self._metrics.consumer_lag.labels(*labels).set(max(0, end - position))

    def forget(self, tp: TopicPartition) -> None:
        """Drop a partition's series once another instance reads it: a stale figure
        here would report lag that is no longer this instance's."""
        labels = self._labels(tp)
        for gauge in (self._metrics.consumer_lag, self._metrics.consumer_position):
            with contextlib.suppress(KeyError):
                gauge.remove(*labels)

    async def sample(
        self, consumer: AIOKafkaConsumer, owned: list[TopicPartition], timeout: float
    ) -> dict[TopicPartition, tuple[int, int]]:
        """Every owned input's position and end offset now (those that could be read).

        Measuring only after a commit would freeze the figures of a partition that
        stopped moving (a transaction left open on the broker holds ``read_committed``
        readers back; a recovery that keeps failing pauses it), which is exactly the
        partition an operator must see.
        """
        if not owned:
            return {}
        try:
            ends: dict[TopicPartition, int] = await asyncio.wait_for(
                consumer.end_offsets(owned), timeout
            )
        except Exception as exc:  # the broker is away: the watchdog reports that
            log.debug("lag sample failed", error=repr(exc))
            return {}
        figures = {}
        for tp in owned:
            try:
                position = await asyncio.wait_for(consumer.position(tp), timeout)
            except Exception as exc:  # revoked meanwhile, or its position is resetting
                log.debug("lag sample failed", topic=tp.topic, error=repr(exc))
                continue
            figures[tp] = (position, ends.get(tp, 0))
        return figures
