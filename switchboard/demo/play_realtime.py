"""Play the week on a scaled clock (``--clock realtime``): simulated time runs ``speed``
times faster than real time whatever the services do, so the outcome measures the
services' real latency on this machine as much as the routing (see the Demo section of
docs/architecture.md)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.live import Live

from plumbing.clock import ScaledClock
from schemas.config import SwitchboardConfig
from switchboard.demo.actors import PlayState, announce_capacity, play_messages
from switchboard.demo.books import first_response_due
from switchboard.demo.live import LiveView
from switchboard.demo.memory import RssSampler
from switchboard.demo.plan import DemoPlan
from switchboard.demo.reader import TopicReader
from switchboard.desk.in_house import InHouseDesk
from switchboard.launcher import PARTNER_API, Stack
from switchboard.simulated_partners import SimulatedPartners
from switchboard.simulator import Workforce

#: After the week: real seconds without a new record before the books are read.
QUIET_SECONDS = 3.0
SETTLE_LIMIT_SECONDS = 60.0


async def play_realtime(
    *,
    bootstrap: str,
    prefix: str,
    plan: DemoPlan,
    clock: ScaledClock,
    config: SwitchboardConfig,
    stack: Stack,
    keys: dict[str, str],
    seed: int,
    sampler: RssSampler,
    console: Console,
    zone: ZoneInfo,
) -> tuple[TopicReader, PlayState]:
    reader = TopicReader(bootstrap, prefix, first_response_due(config))
    await reader.start()
    state = PlayState()
    stop_reader, stop_desk, stop_view = asyncio.Event(), asyncio.Event(), asyncio.Event()
    desk = InHouseDesk(
        bootstrap=bootstrap,
        prefix=prefix,
        headcount={t.id: t.agents for t in config.teams if t.id in config.in_house_team_ids},
        workforce=Workforce(seed),
        clock=clock,
    )
    partners = SimulatedPartners(stack[PARTNER_API].url, keys, page_size=100)
    zones = {t.id: ZoneInfo(t.hours.time_zone if t.hours else "UTC") for t in config.teams}
    view = LiveView(plan, clock, zone)
    week_left = (plan.end - clock.now()).total_seconds() / clock.speed
    background = [
        asyncio.create_task(reader.follow(stop_reader)),
        asyncio.create_task(desk.run(stop_desk)),
        asyncio.create_task(partners.work(week_left + SETTLE_LIMIT_SECONDS, stop=stop_desk)),
    ]
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        shown = asyncio.create_task(
            view.show(live, reader.outcomes, state, sampler.last_mib, stop_view)
        )
        try:
            await asyncio.gather(
                play_messages(
                    bootstrap,
                    prefix,
                    clock=clock,
                    messages=plan.messages,
                    bad_inputs=plan.bad_inputs,
                    state=state,
                ),
                announce_capacity(
                    stack[PARTNER_API].url,
                    keys,
                    zones,
                    clock=clock,
                    announcements=plan.capacity,
                    state=state,
                ),
            )
            rest = (plan.end - clock.now()).total_seconds()
            if rest > 0:
                await asyncio.sleep(clock.real_seconds(rest))
            await reader.settle(QUIET_SECONDS, SETTLE_LIMIT_SECONDS)
        finally:
            stop_reader.set()
            stop_desk.set()
            await asyncio.gather(*background, return_exceptions=True)
            stop_view.set()
            await shown
    console.print()  # the summary starts below the last live frame
    return reader, state
