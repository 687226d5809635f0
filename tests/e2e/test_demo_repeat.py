"""Lockstep outcomes do not depend on the machine: the same short demo twice, the second
beside a CPU hog on every core, gives the same first-response figures per channel.

Two demo runs take several minutes, so this runs with ``make demo-repeat`` (marker
``demo_repeat``, deselected from the normal suite like ``soak``); the normal suite runs
one lockstep demo (``test_demo.py``)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from switchboard.demo.figures import Figures
from switchboard.demo.plan import DemoOptions
from switchboard.demo.run import run_demo
from tests.conftest import SAMPLE_CONFIG

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.demo_repeat,
]


@contextmanager
def cpu_hog() -> Iterator[None]:
    """A busy loop on every core for as long as the block runs."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


async def play(bootstrap: str, out: Path, prefix: str) -> Figures:
    options = DemoOptions(
        first_day=date(2026, 11, 27),
        days=1,
        volume_scale=float(os.environ.get("DEMO_REPEAT_VOLUME", "0.02")),
        out=out,
        browser=False,
        topic_prefix=prefix,
    )
    console = Console(file=io.StringIO(), width=160)
    result = await asyncio.to_thread(run_demo, options, bootstrap, SAMPLE_CONFIG, console)
    assert result.problems == [], "\n".join(result.problems[:20])
    return result.figures


def first_responses(figures: Figures) -> dict[str, tuple[int, int]]:
    return {c: (e["met"], e["breached"]) for c, e in figures.attainment.items()}


async def test_the_same_seed_gives_the_same_outcome_beside_a_cpu_hog(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    calm = await play(kafka_bootstrap, tmp_path / "calm", f"{topic_prefix}calm.")
    with cpu_hog():
        loaded = await play(kafka_bootstrap, tmp_path / "loaded", f"{topic_prefix}loaded.")
    print("calm:", first_responses(calm), "\nloaded:", first_responses(loaded))
    assert calm.tickets == loaded.tickets > 5
    assert set(first_responses(calm)) == set(first_responses(loaded))
    for channel, (met, breached) in first_responses(calm).items():
        other_met, other_breached = first_responses(loaded)[channel]
        assert abs(met - other_met) <= 1, channel
        assert abs(breached - other_breached) <= 1, channel
