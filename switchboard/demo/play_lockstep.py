"""Play the week in lockstep: the services on a clock the demo moves (``stepping``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer
from rich.console import Console
from rich.live import Live

from plumbing.clock import ClockDial
from schemas.config import SwitchboardConfig
from services.router.domain.registry import Registry
from switchboard.demo.actors import PlayState
from switchboard.demo.books import first_response_due
from switchboard.demo.live import LiveView
from switchboard.demo.lockstep import Settler, SteppedClock
from switchboard.demo.partners import LockstepPartners, PartnerCounters
from switchboard.demo.plan import DemoPlan
from switchboard.demo.reader import TopicReader
from switchboard.demo.stepping import LockstepWorld, StepStats
from switchboard.desk.in_house import DeskCounters, InHouseDesk
from switchboard.simulator import Workforce

#: Real seconds the desk's consumers get to join their groups.
DESK_START_SECONDS = 60.0


@dataclass(frozen=True)
class LockstepPlay:
    reader: TopicReader
    state: PlayState
    stats: StepStats
    desk: DeskCounters
    partners: dict[str, PartnerCounters]


async def play_lockstep(
    *,
    bootstrap: str,
    prefix: str,
    plan: DemoPlan,
    until: datetime,
    dial: ClockDial,
    config: SwitchboardConfig,
    services: tuple[str, ...],
    api_url: str,
    keys: dict[str, str],
    seed: int,
    step: timedelta,
    heartbeat: timedelta,
    rss_mib: Callable[[], dict[str, float]],
    console: Console,
    zone: ZoneInfo,
) -> LockstepPlay:
    clock = SteppedClock(dial)
    reader = TopicReader(bootstrap, prefix, first_response_due(config))
    await reader.start()
    state = PlayState()
    settler = Settler(dial, bootstrap, prefix, services)
    await settler.start()
    desk = InHouseDesk(
        bootstrap=bootstrap,
        prefix=prefix,
        headcount={t.id: t.agents for t in config.teams if t.id in config.in_house_team_ids},
        workforce=Workforce(seed),
        clock=clock,
    )
    partners = LockstepPartners(api_url, keys, config, Workforce(seed), clock.now)
    await partners.start()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    zones = {t.id: ZoneInfo(t.hours.time_zone if t.hours else "UTC") for t in config.teams}
    stop_reader, stop_desk, stop_view = asyncio.Event(), asyncio.Event(), asyncio.Event()
    background = [
        asyncio.create_task(reader.follow(stop_reader)),
        asyncio.create_task(desk.run(stop_desk)),
    ]
    view = LiveView(plan, clock, zone)
    try:
        async with httpx.AsyncClient(base_url=api_url, timeout=30) as api:
            world = LockstepWorld(
                dial=dial,
                clock=clock,
                settler=settler,
                desk=desk,
                partners=partners,
                producer=producer,
                api=api,
                keys=keys,
                zones=zones,
                teams=Registry(config.teams, config.outsourcing).teams,
                prefix=prefix,
                step=step,
                heartbeat=heartbeat,
                state=state,
            )
            settler.actors = [world.desk_behind, partners.react]
            await _desk_ready(desk)
            with Live(console=console, refresh_per_second=4, transient=False) as live:
                shown = asyncio.create_task(
                    view.show(live, reader.outcomes, state, rss_mib, stop_view)
                )
                try:
                    await world.play(
                        plan.start, until, plan.messages, plan.capacity, plan.bad_inputs
                    )
                finally:
                    stop_view.set()
                    await shown
            world.stats.rounds = settler.rounds
            world.stats.services_seconds = settler.services_seconds
            world.stats.actors_seconds = settler.actors_seconds
    finally:
        state.done = True
        stop_reader.set()
        stop_desk.set()
        await asyncio.gather(*background, return_exceptions=True)
        await producer.stop()
        await partners.stop()
        await settler.stop()
    console.print()
    return LockstepPlay(reader, state, world.stats, desk.counters, partners.counters())


async def _desk_ready(desk: InHouseDesk) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DESK_START_SECONDS
    while await desk.positions() is None:
        if loop.time() > deadline:
            raise RuntimeError("the in-house desk's consumers did not get their queues")
        await asyncio.sleep(0.1)
