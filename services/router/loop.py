"""The router's timer: offer timeouts, the pending backlog, bad table records, gauges."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiokafka import TopicPartition

from plumbing.clock import Clock
from plumbing.lockstep import TimerBeat
from plumbing.logging import get_logger
from plumbing.processor import TransactionalProcessor
from services.router.domain.load import TeamLoad, predicted_wait
from services.router.domain.registry import Registry, TeamProfile
from services.router.domain.state import RouterRecord
from services.router.handlers import BacklogDrain, OfferTimer
from services.router.loadbook import LoadBook
from services.router.routing import DrainMemo, Router
from services.router.tables import TableDeadLetters

log = get_logger(__name__)

#: Real seconds between two runs of the timer, however often it is woken.
_COALESCE_SECONDS = 0.02
_PURGE_EVERY_SECONDS = 60.0
_GAUGES_EVERY_SECONDS = 0.5


@dataclass
class TimerLoop:
    router: Router
    processor: TransactionalProcessor[RouterRecord]
    dead_letters: TableDeadLetters
    clock: Clock
    wake: asyncio.Event
    tick_seconds: float
    resolved_retention: timedelta
    tickets_topic: str
    beat: TimerBeat | None = None

    async def run(self) -> None:
        """Per owned partition, when woken (load changed) or at least every tick."""
        last_gauges = last_purge = 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.tick_seconds)
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
            # Wake-ups come with every change to the load view; a long backlog makes a
            # tick expensive, so rest at least four times as long as the tick took
            # (the timer then uses at most a fifth of a core).
            await asyncio.sleep(max(_COALESCE_SECONDS, 4 * (time.monotonic() - started)))

    async def _tick(self, now: datetime, *, purge: bool) -> None:
        backlog = self.router.backlog
        owned = {tp.partition: tp for tp in self.processor.owned_partitions()}
        offers = OfferTimer(self.router, self.resolved_retention, purge)
        for partition, tp in owned.items():
            if purge or backlog.due_offers(partition, now):
                await self.processor.transact(tp, offers)
        # One priority order across this instance's partitions: a freed slot goes to the
        # most urgent, oldest ticket that can use it, whichever partition it is in.
        memo: DrainMemo = {}
        for partition, keys in backlog.merged(sorted(owned)):
            # Joins the partition's open transaction; no need to wait for its commit.
            await self.processor.stage(owned[partition], BacklogDrain(self.router, keys, memo))
        partition_zero = TopicPartition(self.tickets_topic, 0)
        if (
            self.dead_letters.has_work
            and partition_zero in owned.values()
            and await self.processor.transact(partition_zero, self.dead_letters)
        ):
            self.dead_letters.committed()

    def refresh_gauges(self, now: datetime) -> None:
        router, metrics = self.router, self.router.metrics
        for team, load, wait in refresh_load_view(router.book, router.registry, now):
            metrics.predicted_wait.labels(team.id).set(wait)
            metrics.utilisation.labels(team.id, team.kind.value).set(load.utilisation)
            if team.partner:
                metrics.partner_daily_volume.labels(team.id).set(load.offers_today)
                cap = team.volume_cap
                metrics.partner_daily_cap.labels(team.id).set(math.inf if cap is None else cap)
        metrics.pending_backlog.set(router.backlog.pending_count())


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
