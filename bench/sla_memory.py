"""Memory of the SLA service's state: 1,000,000 open tickets in the hot store.

Each variant runs in a fresh process that first imports the SLA service (its libraries
count, as in production), then builds the state; the figure is the process RSS.

* ``sla``: what the service keeps: a StateStore of packed clock records plus the
  deadline index and counts (``SlaState.on_ready``), as after a restore.
* ``dict-of-floats`` (baseline): ticket id -> one float deadline, the least any tracker
  needs.
* ``pydantic-model`` and ``slots-dataclass``: the same tickets as a pydantic model each
  (the walking skeleton's way) or as the decoded slots dataclasses, measured on fewer
  tickets and scaled per ticket, to show what packing saves.

Run: ``.venv/bin/python -m bench.sla_memory [--tickets N] [--runs R]``
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime

import psutil

from bench.common import Figure
from bench.sla_common import median

DAY_MS = 86_400_000


def _rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


def child(kind: str, count: int) -> dict[str, float]:
    import services.sla.app  # noqa: F401  (the service's libraries, as in production)
    from bench.sla_common import tickets
    from plumbing.store import StateStore
    from services.sla.domain import encoding
    from services.sla.partitions import SlaState

    now_ms = int(time.time() * 1000)
    source = tickets(count, now_ms + DAY_MS, DAY_MS)
    before = _rss()
    started = time.perf_counter()
    kept: object
    if kind == "sla":
        store = StateStore[bytes]()
        for key, raw in source:
            store.restore(key, raw)
        state = SlaState()
        state.on_ready(0, store)
        kept = (store, state)
    elif kind == "dict-of-floats":
        kept = {key: float(encoding.next_due_ms(raw) or 0) for key, raw in source}
    elif kind == "slots-dataclass":
        kept = {key: encoding.decode(key, raw) for key, raw in source}
    elif kind == "pydantic-model":
        from pydantic import BaseModel

        class SkeletonClocks(BaseModel):  # the walking skeleton's per-ticket model
            ticket_id: str
            correlation_id: str
            channel: str
            priority: str
            policy_id: str
            first_response_due: datetime
            first_response_budget_seconds: float
            team_id: str | None = None
            team_kind: str | None = None
            first_response_breached: bool = False

        models = {}
        for key, raw in source:
            clocks = encoding.decode(key, raw)
            models[key] = SkeletonClocks(
                ticket_id=key,
                correlation_id=clocks.correlation_id,
                channel=clocks.channel.value,
                priority=clocks.priority.value,
                policy_id=clocks.first_response.policy_id,
                first_response_due=datetime.fromtimestamp(clocks.first_response.deadline_ms / 1000),
                first_response_budget_seconds=clocks.first_response.budget_ms / 1000,
                team_id=clocks.team_id,
                team_kind=clocks.team_kind.value if clocks.team_kind else None,
            )
        kept = models
    else:
        raise SystemExit(f"unknown variant {kind}")
    built = time.perf_counter() - started
    after = _rss()
    assert kept is not None
    return {
        "rss_mb": after / 2**20,
        "state_mb": (after - before) / 2**20,
        "bytes_per_ticket": (after - before) / count,
        "build_s": built,
    }


def run(kind: str, count: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.sla_memory", "--child", kind, "--tickets", str(count)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


VARIANTS = ("dict-of-floats", "sla", "slots-dataclass", "pydantic-model")


def measure(
    *,
    tickets: int = 1_000_000,
    runs: int = 3,
    variants: tuple[str, ...] = VARIANTS,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Run the benchmark, print its report through ``out``, return its figures.
    ``variants`` must include the service's (``sla``) and the baseline."""
    out(f"SLA state memory, {tickets:,} open tickets, median of {runs} runs")
    out(f"{'variant':<18}{'process RSS MB':>16}{'state MB':>10}{'B/ticket':>10}{'build s':>9}")
    results = {}
    for kind, count, repeat in (
        ("dict-of-floats", tickets, runs),
        ("sla", tickets, runs),
        ("slots-dataclass", tickets // 5, 1),
        ("pydantic-model", tickets // 5, 1),
    ):
        if kind not in variants:
            continue
        samples = [run(kind, count) for _ in range(repeat)]
        scale = tickets / count
        figures = {key: median([s[key] for s in samples]) for key in samples[0]}
        figures["state_mb"] *= scale
        results[kind] = figures
        note = "" if scale == 1 else f"  (measured on {count:,}, scaled)"
        out(
            f"{kind:<18}{figures['rss_mb'] if scale == 1 else float('nan'):>16.0f}"
            f"{figures['state_mb']:>10.0f}{figures['bytes_per_ticket']:>10.0f}"
            f"{figures['build_s']:>9.1f}{note}"
        )
    sla, floats = results["sla"], results["dict-of-floats"]
    out(
        f"sla / dict-of-floats state: {sla['state_mb'] / floats['state_mb']:.2f}x; "
        f"service process with {tickets:,} tickets: {sla['rss_mb']:.0f} MB RSS "
        f"(target <= 500 MB)"
    )
    full = tickets == 1_000_000
    return [
        Figure(
            "sla_memory",
            "state per open ticket",
            sla["bytes_per_ticket"],
            "B",
            baseline=floats["bytes_per_ticket"],
            baseline_label="dict of ticket id -> one float deadline",
            note=f"{tickets:,} tickets, median of {runs} runs",
        ),
        Figure(
            "sla_memory",
            f"process RSS holding {tickets:,} open tickets",
            sla["rss_mb"],
            "MB",
            baseline=floats["rss_mb"],
            baseline_label="dict of ticket id -> one float deadline",
            target="<= 500 MB at 1,000,000" if full else "",
            met=sla["rss_mb"] <= 500 if full else None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.tickets)))
        return
    measure(tickets=args.tickets, runs=args.runs)


if __name__ == "__main__":
    main()
