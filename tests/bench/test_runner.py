"""``python -m bench``: one command runs the benchmarks and writes their figures."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.e2e import Setup
from bench.e2e import run as e2e_run
from bench.suite import PURE
from tests.conftest import REPO_ROOT


@pytest.mark.slow
def test_the_quick_run_of_the_pure_benchmarks_gives_figures_with_baselines(
    tmp_path: Path,
) -> None:
    results = tmp_path / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            ",".join(PURE),
            "--json",
            str(results),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        # A hang guard, not a timing: the quick run loads lingua's models several times
        # and took ~4 minutes beside other suites on a 2-core machine.
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(results.read_text())
    assert report["quick"] is True
    assert report["errors"] == {}
    assert len(report["machine"]["load_average_before"]) == 3
    figures = report["figures"]
    assert {figure["benchmark"] for figure in figures} == set(PURE)
    for name in PURE:
        with_baseline = [f for f in figures if f["benchmark"] == name and f["baseline"] is not None]
        assert with_baseline, f"{name} has no figure with a baseline"
        for figure in with_baseline:
            assert math.isfinite(figure["value"]), figure
            assert figure["baseline"] > 0, figure
            assert figure["ratio"] == pytest.approx(figure["value"] / figure["baseline"])
    # The table printed at the end is the same figures.
    assert "| benchmark" in completed.stdout
    assert completed.stdout.count("\n| ") == len(figures) + 1


@pytest.mark.kafka
@pytest.mark.slow
def test_the_end_to_end_benchmark_runs_against_a_real_broker(kafka_bootstrap: str) -> None:
    setup = Setup(kafka_bootstrap, patience=60)
    figures = e2e_run(setup, count=300, runs=1, latency_seconds=3, out=lambda _: None)
    by_metric = {figure.metric.split(" at ")[0]: figure for figure in figures}
    for case in ("one team", "spread over the desk"):
        throughput = by_metric[f"throughput inbound->assigned, {case}"]
        assert throughput.value > 0
        assert throughput.baseline is not None
        assert throughput.baseline > 0
        for service in ("ingest", "router", "sla"):
            for measure in (f"peak RSS of {service}", f"CPU per message, {service}"):
                figure = by_metric[f"{measure}, {case}"]
                assert figure.value > 0
                assert figure.baseline is not None
                assert figure.baseline > 0
    assert 0 < by_metric["latency p50"].value <= by_metric["latency p99"].value
