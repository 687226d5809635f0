"""The world around Switchboard in lockstep: connectors, partners' staffing, the
in-house desk and the partners, acting at each step of the simulated clock.

Time moves on a grid of ``step`` simulated seconds from the start of the window, and
only to instants at which something happens: a message arrives, a partner announces
its staffing, an agent or a partner has something to do, a partner's offer times out,
a team opens or closes, or the heartbeat (so the services' own timers, the pending
backlog and SLA announcements, act at most that late when nothing else happens). Whatever falls due
between two grid points happens at the later one, stamped with its time: the
discretisation is the only delay between an arrival and the router's decision, and
it is the same on every machine.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer

from plumbing.clock import ClockDial
from schemas.teams import TeamCapacity
from services.router.domain.registry import TeamProfile
from switchboard.demo.actors import PlayState, announce
from switchboard.demo.lockstep import Settler, SteppedClock
from switchboard.demo.partners import LockstepPartners
from switchboard.desk.in_house import InHouseDesk
from switchboard.simulator import SimMessage


@dataclass
class StepStats:
    steps: int = 0
    rounds: int = 0
    #: Real seconds the steps took to settle, for the summary.
    settle_seconds: list[float] = field(default_factory=list)
    #: Of which waiting for the services' acknowledgements, and in the actors.
    services_seconds: float = 0.0
    actors_seconds: float = 0.0


@dataclass
class LockstepWorld:
    dial: ClockDial
    clock: SteppedClock
    settler: Settler
    desk: InHouseDesk
    partners: LockstepPartners
    producer: AIOKafkaProducer
    api: httpx.AsyncClient
    keys: dict[str, str]
    zones: dict[str, ZoneInfo]
    teams: Sequence[TeamProfile]
    prefix: str
    step: timedelta
    heartbeat: timedelta
    state: PlayState
    stats: StepStats = field(default_factory=StepStats)

    async def desk_behind(self) -> bool:
        """True until the desk has read every queue to its end (then its new work is
        asleep until due)."""
        read = await self.desk.positions()
        if read is None:
            return True
        ends = self.settler.ends
        if any(position < ends.get(tp, 0) for tp, position in read.items()):
            return True
        await asyncio.sleep(0)  # the tickets just taken start and go to sleep
        return False

    async def play(
        self,
        start: datetime,
        until: datetime,
        messages: Sequence[SimMessage],
        capacity: Sequence[TeamCapacity],
        bad_inputs: Sequence[tuple[str, bytes]],
    ) -> None:
        """Step from ``start`` to ``until``: every message, announcement and action."""
        spread = {
            len(messages) * (n + 1) // (len(bad_inputs) + 1): bad
            for n, bad in enumerate(bad_inputs)
        }
        sent = announced = 0
        now = start
        loop = asyncio.get_running_loop()
        while True:
            self.dial.set(now)
            self.stats.steps += 1
            began = loop.time()
            pending = []
            while sent < len(messages) and messages[sent].at <= now:
                message = messages[sent]
                pending.append(
                    await self.producer.send(
                        f"{self.prefix}{message.topic}",
                        message.payload_bytes(),
                        key=message.key.encode(),
                    )
                )
                if sent in spread:
                    topic, value = spread[sent]
                    pending.append(await self.producer.send(f"{self.prefix}{topic}", value))
                self.state.lags.append((now - message.at).total_seconds())
                sent += 1
                self.state.published = sent
            await asyncio.gather(*pending)
            while announced < len(capacity) and capacity[announced].occurred_at <= now:
                event = capacity[announced]
                await announce(
                    self.api, self.keys, self.zones, clock=self.clock, event=event, state=self.state
                )
                self.partners.capacity(event)
                announced += 1
            if self.clock.wake_due():
                await self.clock.quiet()
            await self.settler.settle()
            self.stats.settle_seconds.append(loop.time() - began)
            if now >= until:
                return
            upcoming = [
                until,
                now + self.heartbeat,
                *(m for m in (self.clock.next_wake(), self.partners.next_due()) if m),
                *([messages[sent].at] if sent < len(messages) else []),
                *([capacity[announced].occurred_at] if announced < len(capacity) else []),
                *self._hours_changes(now),
            ]
            now = min(until, self._on_grid(start, max(min(upcoming), now + self.step)))

    def _hours_changes(self, now: datetime) -> list[datetime]:
        return [t.hours.state_at(now).until for t in self.teams if not t.hours.always_open]

    def _on_grid(self, start: datetime, moment: datetime) -> datetime:
        steps = math.ceil((moment - start) / self.step)
        return start + steps * self.step
