"""The demo's lockstep driver: simulated time moves only once everything is processed.

The services read a ``LockstepClock`` that the demo sets (``ClockDial``); the demo's
own actors (connectors, the in-house desk, partners) read ``SteppedClock``, the same
time in process. A step sets the time, lets every actor do what fell due by then, and
*settles*: it repeats rounds until one passes in which every service acknowledged that
nothing of its is in flight (``plumbing.lockstep``), the desk has read its queues to
their ends, the partners have nothing left to do now, and no topic of the run grew.
Only then does the time move on. However slow the machine, every decision a service
makes sees the same inputs at the same simulated time, run after run.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiokafka import AIOKafkaConsumer, TopicPartition

from plumbing.clock import POLL_SECONDS, ClockDial

#: Real seconds a round may take before the demo says which service has not answered.
ROUND_WARNING_SECONDS = 30.0


class SteppedClock:
    """The demo's own actors' clock: the dial's time, and sleeps the driver ends.

    ``sleep`` parks the caller until the driver's step reaches its instant; the driver
    then waits for every task it woke to be asleep again or finished, so whatever they
    sent is in Kafka before the services settle."""

    def __init__(self, dial: ClockDial) -> None:
        self._dial = dial
        self._sleepers: list[
            tuple[datetime, int, asyncio.Future[None], asyncio.Task[object] | None]
        ] = []
        self._order = itertools.count()
        self._woken: set[asyncio.Task[object]] = set()
        self._asleep: set[asyncio.Task[object]] = set()

    def now(self) -> datetime:
        return self._dial.now()

    def real_seconds(self, sim_seconds: float) -> float:
        return 0.0

    async def sleep(self, sim_seconds: float) -> None:
        await self.sleep_until(self.now() + timedelta(seconds=max(0.0, sim_seconds)))

    async def sleep_until(self, moment: datetime) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.current_task()
        heapq.heappush(self._sleepers, (moment, next(self._order), future, task))
        if task is not None:
            self._woken.discard(task)
            self._asleep.add(task)
        try:
            await future
        finally:
            if task is not None:
                self._asleep.discard(task)

    def next_wake(self) -> datetime | None:
        while self._sleepers and self._sleepers[0][2].done():  # cancelled sleepers
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None

    def wake_due(self) -> int:
        """Wake every sleeper whose instant has come; returns how many."""
        now = self.now()
        woken = 0
        while self._sleepers and self._sleepers[0][0] <= now:
            _, _, future, task = heapq.heappop(self._sleepers)
            if future.done():
                continue
            future.set_result(None)
            if task is not None:
                self._woken.add(task)
            woken += 1
        return woken

    async def quiet(self) -> None:
        """Until every task woken in this step sleeps again or has finished."""
        while True:
            await asyncio.sleep(0)
            busy = {t for t in self._woken if not t.done() and t not in self._asleep}
            self._woken = busy
            if not busy:
                return
            await asyncio.sleep(POLL_SECONDS)


@dataclass
class Settler:
    """Rounds until nothing moves: the services' acknowledgements and the topics' ends."""

    dial: ClockDial
    bootstrap: str
    prefix: str
    services: tuple[str, ...]
    #: The actors' reactions to what the services did; True when one acted (wrote).
    actors: list[Callable[[], Awaitable[bool]]] = field(default_factory=list)
    rounds: int = 0
    #: Every partition's end as read after the last round's acknowledgements.
    ends: dict[TopicPartition, int] = field(default_factory=dict)
    #: Real seconds spent waiting for the services, and in the actors' reactions.
    services_seconds: float = 0.0
    actors_seconds: float = 0.0
    _ends: AIOKafkaConsumer | None = None
    _partitions: list[TopicPartition] = field(default_factory=list)

    async def start(self) -> None:
        self._ends = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_uncommitted",
        )
        await self._ends.start()
        await self.refresh_partitions()

    async def refresh_partitions(self) -> None:
        """The run's topics (created by the services at start-up)."""
        assert self._ends is not None
        topics = await self._ends.topics()
        self._partitions = sorted(
            TopicPartition(topic, p)
            for topic in topics
            if topic.startswith(self.prefix)
            for p in self._ends.partitions_for_topic(topic) or ()
        )

    async def stop(self) -> None:
        if self._ends is not None:
            await self._ends.stop()

    async def high_watermarks(self) -> dict[TopicPartition, int]:
        """Every partition's end, open transactions included: what has been written."""
        assert self._ends is not None
        ends: dict[TopicPartition, int] = await self._ends.end_offsets(self._partitions)
        return ends

    async def settle(self) -> None:
        """Return once a round passed with every service settled, no actor acting and no
        topic growing. The ends read after the services acknowledged (``ends``) serve the
        actors and the next round's comparison: one look at the topics per quiet round."""
        before = await self.high_watermarks()
        while True:
            round_ = self.dial.next_round()
            self.rounds += 1
            began = time.monotonic()
            await self._acknowledged(round_)
            self.ends = await self.high_watermarks()
            acknowledged = time.monotonic()
            self.services_seconds += acknowledged - began
            acted = False
            for react in self.actors:
                acted = await react() or acted
            self.actors_seconds += time.monotonic() - acknowledged
            if acted:
                before = await self.high_watermarks()  # what they wrote is the next input
            elif self.ends == before:
                return
            else:
                before = self.ends

    async def _acknowledged(self, round_: int) -> None:
        began = time.monotonic()
        warned = False
        while True:
            waiting = [s for s in self.services if self.dial.acknowledged(s) < round_]
            if not waiting:
                return
            if not warned and time.monotonic() - began > ROUND_WARNING_SECONDS:
                warned = True
                print(f"lockstep: still waiting for {', '.join(waiting)} (round {round_})")
            await asyncio.sleep(POLL_SECONDS)
