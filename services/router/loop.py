"""The router's timer: offer timeouts, what waits for teams that can take it, bad table
records, gauges."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiokafka import TopicPartition

from plumbing.clock import Clock
from plumbing.lockstep import TimerBeat
from plumbing.logging import get_logger
from plumbing.processor import Step, TransactionalProcessor
from plumbing.table import GlobalTable
from services.router.changelog import RouterRecord
from services.router.domain import packing
from services.router.domain.load import TeamLoad, predicted_wait
from services.router.domain.registry import Registry, TeamProfile
from services.router.drain import Drain, run_in
from services.router.handlers import OfferTimer
from services.router.loadbook import LoadBook
from services.router.routing import Router
from services.router.tables import TableDeadLetters

log = get_logger(__name__)

#: Real seconds between two runs of the timer, however often it is woken.
_COALESCE_SECONDS = 0.02
_PURGE_EVERY_SECONDS = 60.0
_GAUGES_EVERY_SECONDS = 0.5
_SYNC_TIMEOUT_SECONDS = 10.0


@dataclass
class TimerLoop:
    router: Router
    processor: TransactionalProcessor[RouterRecord]
    dead_letters: TableDeadLetters
    clock: Clock
    wake: asyncio.Event
    mirror: GlobalTable[Any]
    tick_seconds: float
    resolved_retention: timedelta
    tickets_topic: str
    beat: TimerBeat | None = None
    _syncing: asyncio.Task[None] | None = field(default=None, init=False)

    async def run(self) -> None:
        """Per owned partition, when woken (load changed) or at least every tick."""
        try:
            await self._run()
        finally:
            if self._syncing is not None:
                self._syncing.cancel()

    async def _run(self) -> None:
        last_gauges = last_purge = 0.0
        while True:
            self._ensure_current()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self._until_next_wake())
            self.wake.clear()
            started = time.monotonic()
            purge = started - last_purge >= _PURGE_EVERY_SECONDS
            if purge:
                last_purge = started
            try:
                await self._tick(self.clock.now(), purge=purge)
                if started - last_gauges >= _GAUGES_EVERY_SECONDS:
                    last_gauges = started
                    self.refresh_gauges(self.clock.now())
                if self.beat is not None:
                    self.beat.passed(started)
            except Exception:
                log.exception("router timer failed; retrying on the next tick")
            # Wake-ups come with every change to the load view: coalesce them. A tick
            # costs what changed (``drain``), not the size of the backlog.
            await asyncio.sleep(_COALESCE_SECONDS)

    def _until_next_wake(self) -> float:
        """A tick, or less when a relaxation ring opens sooner for a waiting ticket."""
        ring = self.router.indexes.next_ring_micros()
        if ring is None:
            return self.tick_seconds
        until = (ring - packing.micros(self.clock.now())) / 1_000_000
        return min(self.tick_seconds, max(until, 0.0))

    async def _tick(self, now: datetime, *, purge: bool) -> None:
        indexes = self.router.indexes
        owned = {tp.partition: tp for tp in self.processor.owned_partitions()}
        offers = OfferTimer(self.router, self.resolved_retention, purge)
        for partition, tp in owned.items():
            if purge or indexes.has_due_offers(partition, packing.micros(now)):
                await self._join(tp, offers)
        # One priority order across this instance's partitions: a freed slot goes to the
        # most urgent, oldest ticket that can use it, whichever partition it is in.
        # Each step joins its partition's open transaction: no wait for the commit.
        await run_in(Drain(self.router, self.clock.now()), owned, self._join)
        partition_zero = TopicPartition(self.tickets_topic, 0)
        if (
            self.dead_letters.has_work
            and partition_zero in owned.values()
            and await self.processor.transact(partition_zero, self.dead_letters)
        ):
            self.dead_letters.committed()

    def _ensure_current(self) -> None:
        """Make the load view current after a partition became this instance's
        (``bound.CapacityBound``): a read barrier on the mirror, in the background."""
        bound = self.router.book.bound
        if bound.current or (self._syncing is not None and not self._syncing.done()):
            return
        self._syncing = asyncio.create_task(self._sync(bound.ready_epoch))

    async def _sync(self, epoch: int) -> None:
        if await self.mirror.sync(_SYNC_TIMEOUT_SECONDS):
            self.router.book.bound.mark_current(epoch)
            self.wake.set()
        else:
            log.warning("the load view could not catch up with the changelog; retrying")

    async def _join(self, tp: TopicPartition, work: Callable[[Step[RouterRecord]], None]) -> bool:
        """Run ``work`` in the partition's open transaction; False if it is not ready."""
        return await self.processor.stage(tp, work) is not None

    def refresh_gauges(self, now: datetime) -> None:
        router, metrics = self.router, self.router.metrics
        for team, load, wait in refresh_load_view(router.book, router.registry, now):
            metrics.predicted_wait.labels(team.id).set(wait)
            metrics.utilisation.labels(team.id, team.kind.value).set(load.utilisation)
            if team.partner:
                metrics.partner_daily_volume.labels(team.id).set(load.offers_today)
                cap = team.volume_cap
                metrics.partner_daily_cap.labels(team.id).set(math.inf if cap is None else cap)
        metrics.pending_backlog.set(len(router.indexes.waiting))


def refresh_load_view(
    book: LoadBook, registry: Registry, now: datetime
) -> list[tuple[TeamProfile, TeamLoad, float]]:
    """Every team's load and predicted wait now. Run from the timer, it also takes the
    periodic recomputation of throughput windows (and their Erlang C) off the decisions."""
    figures = []
    for team in registry.teams:
        load = book.load(team, now)
        figures.append((team, load, predicted_wait(team, load)))
    return figures
