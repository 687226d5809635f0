"""``switchboard demo``: the week through the real services, then the figures.

Ingest, router, SLA and the partner API run as real processes; the demo plays the
connectors (messages at their simulated times), the in-house agents (``InHouseDesk``,
over Kafka) and the partners (over the partner API). By default the services' clock is
a lockstep clock the demo moves only once everything is processed (``play_lockstep``),
so the outcome is the same on any machine; ``--clock realtime`` runs them on a scaled
clock instead (``play_realtime``). It reads the topics for the counters and at the end
for the summary, checks the books, and writes ``summary.json`` and ``report.html``.
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

from plumbing.clock import ClockDial, ScaledClock
from schemas.base import TeamKind
from schemas.config import SwitchboardConfig, load_config
from switchboard.demo.actors import PlayState
from switchboard.demo.books import expectations
from switchboard.demo.compare import compare, run_engine
from switchboard.demo.figures import Figures, compute_figures, percentile
from switchboard.demo.memory import RssSampler
from switchboard.demo.plan import DemoOptions, DemoPlan, build_plan, scaled_config
from switchboard.demo.play_lockstep import play_lockstep
from switchboard.demo.play_realtime import play_realtime
from switchboard.demo.reader import TopicReader
from switchboard.demo.report import render_report, write_report
from switchboard.demo.summary import print_summary, verdict
from switchboard.launcher import ALL_SERVICES, PARTNER_API, Stack
from switchboard.ledger import Books, check, read_books
from switchboard.simulated_partners import demo_config

#: Where the shop's days start and end (the simulator's default).
SHOP_ZONE = ZoneInfo("Europe/Tallinn")
#: Services' settings under the lockstep clock: every step waits for their timers' next
#: pass and their transactions' commits, so both come quickly; forecasts every ten
#: simulated minutes (the default 30 s would be 20,000 forecasts a week).
LOCKSTEP_SERVICE_ENV = {
    "ROUTER_TICK_SECONDS": "0.02",
    "TICK_SECONDS": "0.02",
    "KAFKA_COMMIT_INTERVAL_MS": "0",
    "FORECAST_INTERVAL_SECONDS": "600",
}


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


def prepare_config(
    source: Path, out: Path, volume_scale: float, *, lockstep: bool
) -> tuple[Path, dict[str, str]]:
    """The run's config (scaled desk, partner keys minted for this run) and the keys.
    In lockstep the contracts' own offer timeouts hold; on a scaled clock offers last
    two simulated hours (a few real seconds)."""
    base = out / "config.scaled.yaml"
    base.parent.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(source.read_text())
    base.write_text(yaml.safe_dump(scaled_config(raw, volume_scale), sort_keys=False))
    config = out / "switchboard.yaml"
    if lockstep:
        return config, demo_config(base, config, offer_timeout=None)
    return config, demo_config(base, config)


@dataclass(frozen=True)
class Played:
    reader: TopicReader
    state: PlayState
    books: Books
    ended_at: datetime
    details: dict[str, Any]


async def _close_the_books(stack: Stack, reader: TopicReader, bootstrap: str, prefix: str) -> Books:
    """Stop the services so the topics are final, and read them to the end: the figures
    and the books see the same records."""
    try:
        await asyncio.to_thread(stack.stop)
        await reader.catch_up()
    finally:
        await reader.stop()
    return await read_books(bootstrap, prefix)


async def _lockstep(
    options: DemoOptions,
    plan: DemoPlan,
    dial: ClockDial,
    stack: Stack,
    **common: Any,
) -> Played:
    played = await play_lockstep(
        plan=plan,
        until=plan.end + options.judged_after,
        dial=dial,
        services=tuple(stack.services),
        api_url=stack[PARTNER_API].url,
        step=timedelta(seconds=options.step_seconds),
        heartbeat=timedelta(seconds=options.heartbeat_seconds),
        zone=SHOP_ZONE,
        **common,
    )
    ended_at = dial.now()
    books = await _close_the_books(stack, played.reader, common["bootstrap"], common["prefix"])
    stats = played.stats
    details = {
        "clock": "lockstep",
        "step_seconds": options.step_seconds,
        "heartbeat_seconds": options.heartbeat_seconds,
        "steps": stats.steps,
        "rounds": stats.rounds,
        "real_seconds_waiting_for_services": stats.services_seconds,
        "real_seconds_in_actors": stats.actors_seconds,
        "step_real_seconds": {
            "p50": percentile(stats.settle_seconds, 0.5),
            "p99": percentile(stats.settle_seconds, 0.99),
        },
        "desk": vars(played.desk),
        "partners": {team: vars(c) for team, c in played.partners.items()},
    }
    return Played(played.reader, played.state, books, ended_at, details)


async def _realtime(
    options: DemoOptions, clock: ScaledClock, stack: Stack, **common: Any
) -> Played:
    reader, state = await play_realtime(clock=clock, stack=stack, zone=SHOP_ZONE, **common)
    ended_at = clock.now()
    books = await _close_the_books(stack, reader, common["bootstrap"], common["prefix"])
    return Played(reader, state, books, ended_at, {"clock": "realtime", "speed": options.speed})


def _service_env(
    options: DemoOptions, plan: DemoPlan, bootstrap: str, config_path: Path, prefix: str
) -> tuple[dict[str, str], float]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SWITCHBOARD_CONFIG": str(config_path.resolve()),
        "PARTNER_API_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "SWITCHBOARD_TOPIC_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    real_start = time.time() + options.startup_seconds
    if options.lockstep:
        env |= {"SWITCHBOARD_CLOCK_FILE": str(options.clock_file.resolve())}
        env |= LOCKSTEP_SERVICE_ENV
    else:
        env |= {
            "SWITCHBOARD_CLOCK_SPEED": str(options.speed),
            "SWITCHBOARD_CLOCK_SIM_START": plan.start.isoformat(),
            "SWITCHBOARD_CLOCK_REAL_START": str(real_start),
        }
    return env, real_start


def _announce(console: Console, options: DemoOptions, plan: DemoPlan, bootstrap: str) -> None:
    days = (plan.end - plan.start) / timedelta(days=1)
    if options.lockstep:
        how = (
            f"in lockstep (the services' clock moves in steps of {options.step_seconds:g} "
            "simulated seconds, each once everything before it was processed)"
        )
    else:
        how = (
            f"at {options.speed:g}x: about "
            f"{(plan.end - plan.start).total_seconds() / options.speed / 60:.1f} real minutes"
        )
    console.print(
        f"Playing {plan.start.astimezone(SHOP_ZONE):%a %d %b} to "
        f"{(plan.end - timedelta(seconds=1)).astimezone(SHOP_ZONE):%a %d %b %Y} "
        f"({days:g} simulated days) {how}.\n"
        f"{len(plan.messages):,} messages (volume scale {options.volume_scale:g} of the "
        f"simulator's Black Friday traffic, desk headcount scaled alike), "
        f"{len(plan.bad_inputs)} bad inputs, {len(plan.capacity)} partner staffing announcements.\n"
        f"Starting ingest, router, SLA and the partner API on {bootstrap} "
        f"(logs in {options.out / 'logs'}) ..."
    )


def run_demo(
    options: DemoOptions, bootstrap: str, source_config: Path, console: Console | None = None
) -> DemoResult:
    console = console or Console()
    began = time.monotonic()
    out = options.out
    config_path, keys = prepare_config(
        source_config, out, options.volume_scale, lockstep=options.lockstep
    )
    config = load_config(config_path)
    plan = build_plan(options, config_path)
    prefix = options.topic_prefix or f"demo-{int(time.time())}-{secrets.token_hex(2)}."
    dial = ClockDial(options.clock_file, plan.start) if options.lockstep else None
    env, real_start = _service_env(options, plan, bootstrap, config_path, prefix)
    _announce(console, options, plan, bootstrap)
    stack = Stack(env=env, log_dir=out / "logs", names=ALL_SERVICES)
    sampler = RssSampler(lambda: {name: s.pid for name, s in stack.services.items()})
    try:
        stack.start()
        sampler.start()
        common: dict[str, Any] = {
            "bootstrap": bootstrap,
            "prefix": prefix,
            "config": config,
            "keys": keys,
            "seed": options.seed,
            "console": console,
        }
        if dial is not None:
            console.print("Services ready.")
            played = asyncio.run(
                _lockstep(options, plan, dial, stack, rss_mib=sampler.last_mib, **common)
            )
        else:
            early = real_start - time.time()
            console.print(
                f"Services ready, {early:.0f} s before the first simulated day starts."
                if early >= 0
                else f"[yellow]Services ready {-early:.0f} s after the first simulated day "
                "started: its first messages go out late.[/yellow]"
            )
            clock = ScaledClock(sim_start=plan.start, real_start=real_start, speed=options.speed)
            played = asyncio.run(
                _realtime(options, clock, stack, plan=plan, sampler=sampler, **common)
            )
    finally:
        sampler.stop.set()
        stack.stop()
        if dial is not None:
            dial.close()
    return _finish(
        options=options,
        config=config,
        plan=plan,
        played=played,
        sampler=sampler,
        began=began,
        console=console,
    )


def _finish(
    *,
    options: DemoOptions,
    config: SwitchboardConfig,
    plan: DemoPlan,
    played: Played,
    sampler: RssSampler,
    began: float,
    console: Console,
) -> DemoResult:
    out = options.out
    state = played.state
    until = plan.end + options.judged_after
    engine = run_engine(config, plan.messages, plan.capacity, seed=options.seed, until=until)
    comparison = compare(played.reader.outcomes, engine, config, plan.messages, until)
    expect = expectations(
        plan, config, ended_at=played.ended_at, speed=None if options.lockstep else options.speed
    )
    problems = check(played.books, expect)
    teams: dict[str, tuple[TeamKind, Decimal]] = {
        t.id: (t.kind, t.cost_per_ticket) for t in config.teams
    }
    figures = compute_figures(
        played.reader.outcomes,
        start=plan.start,
        end=plan.end,
        speed=options.speed,
        volume_scale=options.volume_scale,
        clock=(
            f"lockstep, {options.step_seconds:g} s steps"
            if options.lockstep
            else f"scaled clock, {options.speed:g}x"
        ),
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
                "comparison": comparison.as_json(),
                "run": played.details,
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
                "topic_prefix": played.reader.prefix,
            },
            indent=2,
            default=str,
        )
    )
    report = write_report(
        out / "report.html",
        render_report(figures, comparison, peak, verdict(problems), sampler.cpu_seconds),
    )
    print_summary(
        console,
        figures=figures,
        comparison=comparison,
        peak_rss_mib=peak,
        problems=problems,
        real_seconds=real_seconds,
        cpu_seconds=sampler.cpu_seconds,
    )
    console.print(f"Report: {report.resolve()}\nFigures: {summary_path.resolve()}")
    if options.browser and _has_desktop():
        webbrowser.open(report.resolve().as_uri())
    return DemoResult(figures, problems, peak, real_seconds, report, summary_path)
