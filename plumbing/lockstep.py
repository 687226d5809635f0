"""A service's side of the lockstep clock: tell the driver when nothing is in flight.

Under a ``LockstepClock`` the driver (the demo) moves simulated time on only once every
service has processed what the last step caused. It asks by starting a *round*; each
service acknowledges the round once, looking after the round began:

* every processor has read its inputs up to their ends as the broker reports them now,
  handled what it read and committed its transactions (``TransactionalProcessor.settled``);
* every mirrored table holds what its topic held (``GlobalTable.sync``);
* every timer loop has completed a pass that started after the round began (its
  ``TimerBeat``), so it has acted on the time and on the state as they are now;
* no loop waiting in ``LockstepClock.sleep`` is due.

It looks twice in a row (a batch the consumer handed out a moment ago may still be on
its way to the handler). What one service writes after acknowledging is input for
another, so the driver repeats rounds until one passes in which no topic grew.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plumbing.clock import POLL_SECONDS, LockstepClock
from plumbing.logging import get_logger
from plumbing.processor import TransactionalProcessor
from plumbing.table import GlobalTable

log = get_logger(__name__)

#: Real seconds a table's read barrier may take before the look counts as unsettled.
TABLE_SYNC_SECONDS = 5.0
#: Real seconds a round may stay unsettled before the service logs what holds it.
SLOW_ROUND_SECONDS = 10.0


@dataclass
class TimerBeat:
    """When a timer loop last started a pass that it completed (``time.monotonic()``)."""

    name: str
    last_pass_started: float = -math.inf

    def passed(self, started: float) -> None:
        self.last_pass_started = max(self.last_pass_started, started)


@dataclass
class LockstepReporter:
    name: str
    clock: LockstepClock
    processors: Sequence[TransactionalProcessor[Any]]
    tables: Sequence[GlobalTable[Any]]
    beats: Sequence[TimerBeat]

    async def run(self) -> None:
        acknowledged = -1
        while True:
            round_ = self.clock.current_round()
            if round_ == acknowledged:
                await asyncio.sleep(POLL_SECONDS)
                continue
            began = time.monotonic()
            while True:
                try:
                    holding = await self._holding(began) or await self._holding(began)
                except Exception:
                    log.exception("lockstep look failed; looking again")
                    holding = "a failed look"
                if holding is None:
                    break
                if time.monotonic() - began > SLOW_ROUND_SECONDS:
                    log.warning("lockstep round not settled", round=round_, holding=holding)
                    began = time.monotonic()  # log again after as long
                await asyncio.sleep(POLL_SECONDS)
            self.clock.acknowledge(self.name, round_)
            acknowledged = round_

    async def _holding(self, began: float) -> str | None:
        """What is still in flight (None: nothing), looking after ``began``."""
        for beat in self.beats:
            if beat.last_pass_started < began:
                return f"timer {beat.name}"
        if not self.clock.sleepers_waiting():
            return "a loop due to wake"
        for processor in self.processors:
            if not await processor.settled():
                return f"processor {processor.group_id}"
        for table in self.tables:
            if not await table.sync(TABLE_SYNC_SECONDS):
                return f"table {table.topic}"
        return None
