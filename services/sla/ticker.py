"""The SLA service's timer: every tick, learn how far each owned partition's input is
complete (its watermark), then announce what fell due up to there, one transaction
per partition (``timers.AnnounceDue``)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiokafka import TopicPartition

from plumbing.clock import Clock
from plumbing.lockstep import TimerBeat
from plumbing.processor import Step, TransactionalProcessor
from plumbing.store import StateStore
from plumbing.watermark import InputWatermarks
from schemas.base import SlaMetric
from services.sla.domain.clocks import SlaRules, to_ms
from services.sla.metrics import SlaMetrics
from services.sla.partitions import SlaState
from services.sla.timers import AnnounceDue


@dataclass
class PartitionHooks:
    """A partition (re)opened or left: its clock index is rebuilt from the store and its
    watermark starts again (the consumer goes back to the committed offset)."""

    state: SlaState
    watermarks: InputWatermarks
    metrics: SlaMetrics
    topic: str

    def on_ready(self, partition: int, store: StateStore[Any]) -> None:
        self.watermarks.reset(TopicPartition(self.topic, partition))
        self.state.on_ready(partition, store)

    def on_revoked(self, partition: int) -> None:
        self.watermarks.reset(TopicPartition(self.topic, partition))
        self.state.on_revoked(partition)
        for gauge in (self.metrics.watermark_lag, self.metrics.watermark):
            with contextlib.suppress(KeyError):  # another instance reports it now
                gauge.remove(str(partition))


@dataclass
class DeadlineTicker:
    processor: TransactionalProcessor[bytes]
    watermarks: InputWatermarks
    state: SlaState
    rules: SlaRules
    metrics: SlaMetrics
    clock: Clock
    sla_topic: str
    stats_topic: str
    tick_seconds: float
    #: Under a lockstep clock a round settles only after a tick begun in it completed.
    beat: TimerBeat | None = None

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            started = time.monotonic()
            await self.tick()
            if self.beat:
                self.beat.passed(started)

    async def tick(self) -> None:
        owned = self.processor.owned_partitions()
        await self.watermarks.look(owned, self.processor.applied_position)
        now_ms = to_ms(self.clock.now())
        work: list[tuple[TopicPartition, int]] = []
        for tp in owned:
            known = self.watermarks.value_ms(tp)
            self.metrics.watermark_lag.labels(str(tp.partition)).set(
                max(0, now_ms - known) / 1000 if known is not None else float("nan")
            )
            self.metrics.watermark.labels(str(tp.partition)).set(
                known / 1000 if known is not None else float("nan")
            )
            # Time is judged only as far as the input is complete (-1: nothing yet).
            until = min(now_ms, known) if known is not None else -1
            part = self.state.partitions.get(tp.partition)
            if part is not None and (part.index.has_due(until) or part.dirty_queues):
                work.append((tp, until))
        await asyncio.gather(*(self._announce(tp, until) for tp, until in work))
        self.metrics.open_clocks.set(self.state.open_tickets())
        for metric in SlaMetric:
            self.metrics.at_risk_open.labels(metric.value).set(self.state.at_risk_open(metric))

    async def _announce(self, tp: TopicPartition, until_ms: int) -> None:
        while True:
            work = AnnounceDue(
                rules=self.rules,
                state=self.state,
                sla_topic=self.sla_topic,
                stats_topic=self.stats_topic,
                known_ms=until_ms,
            )
            # Joins the partition's open transaction; counted once that commits.
            outcome = await self.processor.stage(tp, partial(self._judge, tp, work))
            if outcome is None:
                return
            outcome.add_done_callback(partial(self._count_if_committed, work))
            if not work.saturated:
                return

    def _judge(self, tp: TopicPartition, work: AnnounceDue, step: Step[bytes]) -> None:
        """Run under the task's lock: if the partition was reset and reopened since the
        look (a failed transaction), its watermark started again and bounds the work."""
        known = self.watermarks.value_ms(tp)
        work.known_ms = min(work.known_ms, known) if known is not None else -1
        work(step)

    def _count_if_committed(self, work: AnnounceDue, outcome: asyncio.Future[bool]) -> None:
        if not outcome.cancelled() and outcome.result():
            work.count(self.metrics, self.clock.now())
