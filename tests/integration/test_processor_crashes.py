"""The processor in real processes that are killed with SIGKILL mid-stream, and in a
consumer group of two where one member leaves: every input has exactly one effect and
the per-key state continues where it was."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.kafka_io import produce, read_all
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

KEYS = 8


class Worker:
    def __init__(self, bootstrap: str, prefix: str, log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.counter_app", bootstrap, prefix],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "counter ready" in self.log.read_text(errors="replace"):
                return
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError(f"worker not ready:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def expected_outputs(per_key: int) -> set[str]:
    return {f"k{k}:{n}" for k in range(KEYS) for n in range(1, per_key + 1)}


def check_exactly_once(values: list[str], per_key: int) -> None:
    duplicates = [value for value, count in Counter(values).items() if count > 1]
    assert not duplicates, f"{len(duplicates)} outputs twice, e.g. {duplicates[:5]}"
    missing = expected_outputs(per_key) - set(values)
    assert not missing, f"{len(missing)} outputs missing, e.g. {sorted(missing)[:5]}"
    assert len(values) == KEYS * per_key


def inputs(per_key: int) -> list[tuple[bytes, bytes]]:
    """``per_key`` records for every key, the keys taking turns."""
    return [(f"k{k}".encode(), b"x") for _ in range(per_key) for k in range(KEYS)]


async def feed(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]], chunks: int) -> None:
    """Send ``records`` in ``chunks`` spaced-out bursts."""
    size = len(records) // chunks
    for start in range(0, len(records), size):
        await produce(bootstrap, topic, records[start : start + size])
        await asyncio.sleep(0.3)


async def test_sigkill_at_random_moments_loses_and_doubles_nothing(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    per_key, kills = 150, 4
    chaos = random.Random(20261127)
    worker = Worker(kafka_bootstrap, topic_prefix, tmp_path / "worker-0.log")
    worker.wait_ready()
    feeding = asyncio.create_task(
        feed(kafka_bootstrap, f"{topic_prefix}input", inputs(per_key), chunks=30)
    )
    for number in range(1, kills + 1):
        await asyncio.sleep(chaos.uniform(0.5, 2.0))
        worker.kill()
        worker = Worker(kafka_bootstrap, topic_prefix, tmp_path / f"worker-{number}.log")
        worker.wait_ready()
    await feeding
    outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", KEYS * per_key, 120)
    worker.stop()
    check_exactly_once([r.value.decode() for r in outputs], per_key)


async def test_group_member_leaving_mid_run_hands_over_its_partitions(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    per_key = 120
    first = Worker(kafka_bootstrap, topic_prefix, tmp_path / "first.log")
    second = Worker(kafka_bootstrap, topic_prefix, tmp_path / "second.log")
    first.wait_ready()
    second.wait_ready()
    records, topic = inputs(per_key), f"{topic_prefix}input"
    half = len(records) // 2
    feeding = asyncio.create_task(feed(kafka_bootstrap, topic, records[:half], chunks=10))
    # Killed once it owns partitions (a fixed sleep guessed how long the group takes
    # to settle), mostly while the first half is still being fed.
    await eventually(
        lambda: "partition ready" in second.log.read_text(errors="replace"),
        timeout=60,
        interval=0.2,
        what="the second member to own partitions",
    )
    second.kill()  # its partitions move to the first, which must restore their counts
    await feeding
    # The second half reaches the dead member's partitions only through the first.
    await feed(kafka_bootstrap, topic, records[half:], chunks=10)
    outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", KEYS * per_key, 120)
    first.stop()
    check_exactly_once([r.value.decode() for r in outputs], per_key)
    assert "partition ready" in (tmp_path / "second.log").read_text(), "second never owned any"
