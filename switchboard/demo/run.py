"""``switchboard demo``: the week through the real services, then the figures.

Ingest, router, SLA and the partner API run as real processes on a scaled clock; the
demo plays the connectors (messages at their simulated times), the in-house agents
(``InHouseDesk``, over Kafka) and the partners (``SimulatedPartners`` and staffing
announcements, over the partner API). It reads the topics live for the counters and
at the end for the summary, checks the books, and writes ``summary.json`` and
``report.html``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import time
import webbrowser
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from rich.console import Console
from rich.live import Live

from plumbing.clock import ScaledClock
from schemas.base import TeamKind
from schemas.config import SwitchboardConfig, load_config
from switchboard.demo.actors import PlayState, announce_capacity, play_messages
from switchboard.demo.books import expectations
from switchboard.demo.figures import Figures, compute_figures, percentile
from switchboard.demo.live import LiveView
from switchboard.demo.memory import RssSampler
from switchboard.demo.plan import DemoOptions, DemoPlan, build_plan, scaled_config
from switchboard.demo.reader import TopicReader
from switchboard.demo.report import render_report, write_report
from switchboard.demo.summary import print_summary, verdict
from switchboard.desk.in_house import InHouseDesk
from switchboard.launcher import ALL_SERVICES, PARTNER_API, Stack
from switchboard.ledger import Books, check, read_books
from switchboard.simulated_partners import SimulatedPartners, demo_config
from switchboard.simulator import Workforce

#: After the week: real seconds without a new record before the books are read.
QUIET_SECONDS = 3.0
SETTLE_LIMIT_SECONDS = 60.0
#: Where the shop's days start and end (the simulator's default).
SHOP_ZONE = ZoneInfo("Europe/Tallinn")


@dataclass(frozen=True)
class DemoResult:
    figures: Figures
    problems: list[str]
    peak_rss_mib: dict[str, float]
    real_seconds: float
    report: Path
    summary: Path


def _has_desktop() -> bool:
    """A graphical session to open the report in. Without one ``webbrowser`` may pick a
    console browser that takes over the terminal: the path printed is enough there."""
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def prepare_config(source: Path, out: Path, volume_scale: float) -> tuple[Path, dict[str, str]]:
    """The run's config (scaled desk, partner keys minted for this run) and the keys."""
    base = out / "config.scaled.yaml"
    base.parent.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(source.read_text())
    base.write_text(yaml.safe_dump(scaled_config(raw, volume_scale), sort_keys=False))
    config = out / "switchboard.yaml"
    return config, demo_config(base, config)


async def _play(
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
) -> tuple[TopicReader, PlayState]:
    reader = TopicReader(bootstrap, prefix)
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
    view = LiveView(plan, clock, SHOP_ZONE)
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


async def _play_and_close_the_books(
    stack: Stack, clock: ScaledClock, **play: Any
) -> tuple[TopicReader, PlayState, Books, datetime]:
    """Play, then stop the services so the topics are final, and read them to the end:
    the figures and the books see the same records."""
    reader, state = await _play(stack=stack, clock=clock, **play)
    try:
        ended_at = clock.now()
        await asyncio.to_thread(stack.stop)
        await reader.catch_up()
    finally:
        await reader.stop()
    return reader, state, await read_books(play["bootstrap"], play["prefix"]), ended_at


def run_demo(
    options: DemoOptions, bootstrap: str, source_config: Path, console: Console | None = None
) -> DemoResult:
    console = console or Console()
    began = time.monotonic()
    out = options.out
    config_path, keys = prepare_config(source_config, out, options.volume_scale)
    config = load_config(config_path)
    plan = build_plan(options, config_path)
    prefix = options.topic_prefix or f"demo-{int(time.time())}-{secrets.token_hex(2)}."
    real_start = time.time() + options.startup_seconds
    clock = ScaledClock(sim_start=plan.start, real_start=real_start, speed=options.speed)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SWITCHBOARD_CONFIG": str(config_path.resolve()),
        "PARTNER_API_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "SWITCHBOARD_TOPIC_PREFIX": prefix,
        "SWITCHBOARD_CLOCK_SPEED": str(options.speed),
        "SWITCHBOARD_CLOCK_SIM_START": plan.start.isoformat(),
        "SWITCHBOARD_CLOCK_REAL_START": str(real_start),
        "LOG_LEVEL": "WARNING",
    }
    days = (plan.end - plan.start) / timedelta(days=1)
    console.print(
        f"Playing {plan.start.astimezone(SHOP_ZONE):%a %d %b} to "
        f"{(plan.end - timedelta(seconds=1)).astimezone(SHOP_ZONE):%a %d %b %Y} "
        f"({days:g} simulated days) at {options.speed:g}x: about "
        f"{(plan.end - plan.start).total_seconds() / options.speed / 60:.1f} real minutes.\n"
        f"{len(plan.messages):,} messages (volume scale {options.volume_scale:g} of the "
        f"simulator's Black Friday traffic, desk headcount scaled alike), "
        f"{len(plan.bad_inputs)} bad inputs, {len(plan.capacity)} partner staffing announcements.\n"
        f"Starting ingest, router, SLA and the partner API on {bootstrap} "
        f"(topic prefix {prefix}, logs in {out / 'logs'}) ..."
    )
    stack = Stack(env=env, log_dir=out / "logs", names=ALL_SERVICES)
    sampler = RssSampler(lambda: {name: s.pid for name, s in stack.services.items()})
    try:
        stack.start()
        sampler.start()
        early = real_start - time.time()
        console.print(
            f"Services ready, {early:.0f} s before the first simulated day starts."
            if early >= 0
            else f"[yellow]Services ready {-early:.0f} s after the first simulated day "
            "started: its first messages go out late.[/yellow]"
        )
        reader, state, books, ended_at = asyncio.run(
            _play_and_close_the_books(
                bootstrap=bootstrap,
                prefix=prefix,
                plan=plan,
                clock=clock,
                config=config,
                stack=stack,
                keys=keys,
                seed=options.seed,
                sampler=sampler,
                console=console,
            )
        )
    finally:
        sampler.stop.set()
        stack.stop()
    expect = expectations(plan, config, ended_at=ended_at, speed=options.speed)
    problems = check(books, expect)
    teams: dict[str, tuple[TeamKind, Decimal]] = {
        t.id: (t.kind, t.cost_per_ticket) for t in config.teams
    }
    figures = compute_figures(
        reader.outcomes,
        start=plan.start,
        end=plan.end,
        speed=options.speed,
        volume_scale=options.volume_scale,
        teams=teams,
        zone=SHOP_ZONE,
    )
    peak = sampler.peak_mib()
    real_seconds = time.monotonic() - began
    summary_path = out / "summary.json"
    summary_path.write_text(
        json.dumps(
            {
                **figures.as_json(),
                "peak_rss_mib": peak,
                "cpu_seconds": sampler.cpu_seconds,
                "books_problems": problems,
                "real_seconds": real_seconds,
                "messages_published": len(plan.messages),
                "publisher_lag_simulated_seconds": {
                    "p50": percentile(state.lags, 0.5),
                    "p99": percentile(state.lags, 0.99),
                    "max": state.max_lag_seconds,
                },
                "topic_prefix": prefix,
            },
            indent=2,
            default=str,
        )
    )
    report = write_report(
        out / "report.html", render_report(figures, peak, verdict(problems), sampler.cpu_seconds)
    )
    print_summary(
        console,
        figures=figures,
        peak_rss_mib=peak,
        problems=problems,
        real_seconds=real_seconds,
        cpu_seconds=sampler.cpu_seconds,
    )
    console.print(
        f"Messages went out late by p50 {(percentile(state.lags, 0.5) or 0) / 60:.1f}, "
        f"p99 {(percentile(state.lags, 0.99) or 0) / 60:.1f}, "
        f"max {state.max_lag_seconds / 60:.1f} simulated minutes (the publisher's own lag).\n"
        f"Report: {report.resolve()}\nFigures: {summary_path.resolve()}"
    )
    if options.browser and _has_desktop():
        webbrowser.open(report.resolve().as_uri())
    return DemoResult(figures, problems, peak, real_seconds, report, summary_path)
