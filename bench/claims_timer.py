"""The claims' timer on a night's queue: how long one tick blocks the router's event loop.

    python -m bench.claims_timer [--waiting 10000,100000] [--ticks 10]

The router as ``services.router.app.build`` wires it (sample config, real registry, load
view, holdings, presence roster and claims desk; no broker is contacted), with N tickets
waiting in the in-house teams' queues across six owned partitions (real facts from one
simulated Black Friday, ``bench.router_memory.open_routes``), and every in-house agent
known and logged out: the night after a Black Friday. Then every waiting ticket is a
candidate for leaving its team (nobody online), and each candidate costs a decode and a
routing decision; those no other team may take now (the data policy, skills no open team
has) stay, and are candidates again next tick.

Each tick here is the timer's choice for every in-house team (``_team_actions``: the
front of each queue for the agents with room, then the tickets that may leave), on the
same queue each time (its actions are not applied, so the candidates stay). Printed: the
wall and CPU time of a tick (median and maximum over ``--ticks``), the tickets it read,
and how many ticks read every candidate once.

Baseline in the same run: the same ticks reading every candidate, as the timer did
before it read them a slice per tick (``ROUTER_GIVE_UP_CHECKS_PER_TICK``); the
difference is only how many candidates one tick reads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure
from bench.router_memory import open_routes
from schemas.agents import AgentStatus
from services.router.app import build
from services.router.claim_timer import ClaimTimer
from services.router.domain import packing
from services.router.settings import RouterSettings

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "config" / "switchboard.yaml"
#: Sunday 29 Nov 2026, 02:00 in Tallinn: every in-house team closed.
NIGHT = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
PARTITIONS = list(range(6))


@dataclass
class _Stores:
    """The processor's part the timer reads: the state store of an owned partition."""

    stores: dict[int, dict[str, bytes]]

    def store(self, partition: Any) -> dict[str, bytes]:
        return self.stores[int(partition)]


def night_timer(waiting: int, checks: int) -> tuple[ClaimTimer, Callable[[], int]]:
    """The router's claims' timer over ``waiting`` queued tickets, nobody online; with a
    counter of the tickets it decoded."""
    _, runtime = build(RouterSettings(config_path=CONFIG))
    loops: list[Any] = runtime._loops
    built = next(
        owner for loop in loops if isinstance(owner := getattr(loop, "__self__", None), ClaimTimer)
    )
    stores: dict[int, dict[str, bytes]] = {partition: {} for partition in PARTITIONS}
    for key, partition, route in open_routes(waiting, {"queued": 1.0}, NIGHT):
        stores[partition][key] = packing.pack(route)
    desk = built.desk
    for partition, store in stores.items():
        desk.holdings.ready(partition, list(store.items()))
    heard = time.monotonic()
    for team_id, team in desk.teams.items():
        for number in range(team.agents):
            desk.roster.heard(team_id, f"agent-{number}", AgentStatus.OFFLINE, 5.0, heard)
    decoded = 0
    ticket = desk.router.ticket

    def counting(store: Any, key: str) -> Any:
        nonlocal decoded
        decoded += 1
        return ticket(store, key)

    desk.router.ticket = counting  # type: ignore[method-assign]
    timer = ClaimTimer(
        desk=desk,
        processor=_Stores(stores),  # type: ignore[arg-type]
        presence=built.presence,
        clock=built.clock,
        wake=built.wake,
        tick_seconds=built.tick_seconds,
        give_up_checks=checks,
    )
    return timer, lambda: decoded


@dataclass(frozen=True)
class Ticks:
    wall_ms: list[float]
    cpu_ms: list[float]
    read: list[int]
    ticks_to_read_all: int


def tick_figures(waiting: int, checks: int, ticks: int) -> Ticks:
    timer, decoded = night_timer(waiting, checks)
    owned: dict[int, Any] = {partition: partition for partition in PARTITIONS}
    teams = sorted(timer.desk.teams)
    wall, cpu, read = [], [], []
    candidates = sum(timer.desk.holdings.waiting_count(team, PARTITIONS) for team in teams)
    for _ in range(ticks):
        before = decoded()
        started, started_cpu = time.perf_counter(), time.thread_time()
        for team_id in teams:
            timer._team_actions(team_id, PARTITIONS, owned, NIGHT)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        read.append(decoded() - before)
    per_team = max(timer.desk.holdings.waiting_count(team, PARTITIONS) for team in teams)
    return Ticks(wall, cpu, read, -(-per_team // checks) if candidates else 0)


def figures(waiting: int, ticks: int, checks: int) -> list[Figure]:
    whole = tick_figures(waiting, waiting + 1, ticks)
    sliced = tick_figures(waiting, checks, ticks)
    note = (
        f"{waiting:,} waiting, nobody online; {ticks} ticks; read per tick "
        f"{statistics.median(sliced.read):,.0f} vs {statistics.median(whole.read):,.0f}; "
        f"every candidate read within {sliced.ticks_to_read_all} ticks vs 1"
    )
    label = "the same tick reading every candidate (before)"
    return [
        Figure(
            "claims_timer",
            f"tick, {name}, {waiting:,} waiting",
            pick(getattr(sliced, series)),
            "ms",
            baseline=pick(getattr(whole, series)),
            baseline_label=label,
            note=note,
        )
        for name, series, pick in (
            ("wall p50", "wall_ms", statistics.median),
            ("wall max", "wall_ms", max),
            ("CPU p50", "cpu_ms", statistics.median),
        )
    ]


def measure(
    waiting: Sequence[int] = (10_000, 100_000), ticks: int = 10, checks: int | None = None
) -> list[Figure]:
    slice_ = checks if checks is not None else RouterSettings().router_give_up_checks_per_tick
    return [figure for count in waiting for figure in figures(count, ticks, slice_)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", default="10000,100000", help="comma-separated counts")
    parser.add_argument("--ticks", type=int, default=10)
    parser.add_argument("--checks", type=int, default=None)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    counts = [int(n) for n in args.waiting.split(",")]
    for figure in measure(counts, args.ticks, args.checks):
        print(figure.as_dict())


if __name__ == "__main__":
    main()
