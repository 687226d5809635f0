"""The soak: a steady Black Friday evening on the three-node cluster for an hour
(``SOAK_MINUTES``), every service's resident memory, open file descriptors and consumer
lag sampled each minute (``SOAK_SAMPLE_SECONDS``); it fails if any of them grows without
bound after the warm-up (``tests/support/soak.py`` says how that is judged), or if the
books do not balance at the end. Not part of the normal suite: ``make soak``."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from switchboard.launcher import Stack
from tests.support.broker import LocalCluster, start_private_cluster
from tests.support.load import Fault, black_friday
from tests.support.soak import Sampler

pytestmark = [pytest.mark.soak, pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

MINUTES = float(os.environ.get("SOAK_MINUTES", "60"))
SAMPLE_SECONDS = float(os.environ.get("SOAK_SAMPLE_SECONDS", "60"))
#: The first sixth of the run, at least five minutes unless the run is shorter.
WARMUP_MINUTES = float(os.environ.get("SOAK_WARMUP_MINUTES", str(max(MINUTES / 6, 5.0))))
#: Six Black Friday hours an hour: the evening, 17:00 to 23:00 in Tallinn.
SPEED = 6.0
EVENING = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
CLUSTER_ENV = {"KAFKA_REPLICATION_FACTOR": "3", "WRITE_GRACE_SECONDS": "8"}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    local = start_private_cluster(tmp_path / "kafka")
    try:
        yield local
    finally:
        local.stop()


async def test_a_black_friday_evening_leaves_nothing_growing(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    samplers: list[Sampler] = []

    def sampler(stack: Stack) -> list[Fault]:
        samplers.append(Sampler(stack, SAMPLE_SECONDS))
        return list(samplers)

    run = await black_friday(
        bootstrap=cluster.bootstrap,
        tmp_path=tmp_path,
        seconds=MINUTES * 60,
        env=CLUSTER_ENV,
        faults=sampler,
        sim_start=EVENING,
        speed=SPEED,
    )
    (sampled,) = samplers
    verdicts = sampled.verdicts(warmup=WARMUP_MINUTES * 60)
    lines = [v.line() for v in verdicts if v is not None]
    report = {
        "minutes": MINUTES,
        "sample_seconds": SAMPLE_SECONDS,
        "warmup_minutes": WARMUP_MINUTES,
        "seconds_since_first_sample": [t - sampled.times[0] for t in sampled.times],
        "series": dict(sampled.values),
        "verdicts": lines,
        "totals": run.totals,
    }
    out = Path(os.environ.get("SOAK_REPORT", tmp_path / "soak.json"))
    await asyncio.to_thread(out.write_text, json.dumps(report, indent=2))
    print("\n".join(lines))
    print(run.report())
    print(f"figures: {out}")
    assert not run.problems, "\n".join(run.problems[:40])
    assert not sampled.restarted, f"services restarted during the soak: {sampled.restarted}"
    assert not sampled.log, "\n".join(sampled.log)
    assert all(v is not None for v in verdicts), "too few samples after the warm-up to judge"
    growing = [v.line() for v in verdicts if v is not None and v.grows]
    assert not growing, "\n".join(growing)
