"""What lingua's language models cost ingest, per option, against their accuracy.

    .venv/bin/python -m bench.ingest_models [--models today,high,low,lazy]

Each option runs in a process of its own (RSS does not shrink back): the models
loaded as the service loads them, then ``VmRSS`` idle (after the allocator's free
pages are returned, so that the models alone count), the accuracy on the project's
test sets (tests/data/ingest_samples.yaml through the service's path, a simulated
ordinary week against its ground truth, the one-sentence unit tests) and the CPU per
detection. Baseline: the same process before loading any model.

* today: lingua's trigram models first, the full models when unsure (the config's
  ``fast_path_confidence``), everything preloaded;
* high: the full models only; low: the trigram models only;
* lazy: as today, models loaded when first needed (RSS after the whole week).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.common import Figure
from plumbing.memory import release_free_memory
from schemas.base import Channel
from schemas.config import load_config
from schemas.config.ingest import IngestConfig
from services.ingest.classify import payload_for_text
from services.ingest.domain.enrich import message_text
from services.ingest.domain.language import LanguageDetector
from services.ingest.validation import accept
from switchboard.simulator.traffic import generate_traffic

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "config" / "switchboard.yaml"
SAMPLES = REPO / "tests" / "data" / "ingest_samples.yaml"
ORDINARY_WEEK = datetime(2026, 10, 5, tzinfo=UTC)
MAX_BYTES = 1 << 20
OPTIONS = ("today", "high", "low", "lazy")


# -- language models, one process per option ---------------------------------------------
def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _test_sets(ingest: IngestConfig) -> dict[str, list[tuple[str, str]]]:
    """(expected language, text as the detector sees it) per test set."""
    from tests.support.ingest import encoded  # noqa: PLC0415
    from tests.unit.ingest.test_language import ONE_SENTENCE  # noqa: PLC0415

    now = datetime(2026, 11, 27, tzinfo=UTC)

    def samples() -> Iterator[tuple[str, str]]:
        for sample in yaml.safe_load(SAMPLES.read_text()):
            channel = Channel(sample["channel"])
            payload = payload_for_text(channel, sample["text"], now)
            if sample.get("subject"):
                payload["subject"] = sample["subject"]
            message = accept(channel, encoded(payload), MAX_BYTES, "inbound", ingest.languages)
            yield sample["lang"], message_text(message)

    def simulated_week() -> Iterator[tuple[str, str]]:
        for sim in generate_traffic(ORDINARY_WEEK, ORDINARY_WEEK + timedelta(days=7)):
            message = accept(
                sim.channel, sim.payload_bytes(), MAX_BYTES, "inbound", ingest.languages
            )
            yield sim.truth.language, message_text(message)

    return {
        "samples": list(samples()),
        "simulated week": list(simulated_week()),
        "unit sentences": sorted(ONE_SENTENCE.items()),
    }


def _detector(option: str, ingest: IngestConfig) -> LanguageDetector:
    detection = ingest.language_detection
    fast = detection.fast_path_confidence
    return LanguageDetector(
        ingest.languages,
        accuracy="low" if option == "low" else "high",
        fast_path_confidence=None if option == "high" else fast,
        min_confidence=detection.min_confidence,
        max_chars=detection.max_chars,
    )


def model_option(option: str) -> dict[str, Any]:
    """Runs in the option's own process: returns its figures."""
    ingest = load_config(CONFIG).ingest
    sets = _test_sets(ingest)
    release_free_memory()
    before = _status_mb("VmRSS")
    detector = _detector(option, ingest)
    started = time.perf_counter()
    if option != "lazy":
        detector.warm_up()
    load_seconds = time.perf_counter() - started
    release_free_memory()
    idle = _status_mb("VmRSS")
    accuracy, cpu_us = {}, {}
    for name, texts in sets.items():
        started = time.process_time()
        right = sum(detector.detect(text).language == expected for expected, text in texts)
        cpu_us[name] = (time.process_time() - started) / len(texts) * 1e6
        accuracy[name] = right / len(texts)
    release_free_memory()
    return {
        "option": option,
        "before_mb": before,
        "idle_mb": idle,
        "after_week_mb": _status_mb("VmRSS"),
        "peak_mb": _status_mb("VmHWM"),
        "load_seconds": load_seconds,
        "accuracy": accuracy,
        "cpu_us": cpu_us,
        "sizes": {name: len(texts) for name, texts in sets.items()},
    }


def measure_models(options: list[str], out: Callable[[str], None]) -> list[Figure]:
    results = []
    for option in options:
        done = subprocess.run(
            [sys.executable, "-m", "bench.ingest_models", "--model-process", option],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        results.append(json.loads(done.stdout.splitlines()[-1]))
    sizes = results[0]["sizes"]
    out(
        "\nlanguage models (16 languages), one process each; RSS in MB; accuracy on: "
        + ", ".join(f"{name} ({count})" for name, count in sizes.items())
    )
    out(
        f"{'option':<8}{'before':>8}{'idle':>7}{'after':>7}{'peak':>7}{'load s':>8}"
        + "".join(f"{name[:14]:>16}" for name in sizes)
        + f"{'us/text (week)':>16}"
    )
    for r in results:
        out(
            f"{r['option']:<8}{r['before_mb']:>8.0f}{r['idle_mb']:>7.0f}"
            f"{r['after_week_mb']:>7.0f}{r['peak_mb']:>7.0f}{r['load_seconds']:>8.1f}"
            + "".join(f"{r['accuracy'][name]:>16.2%}" for name in sizes)
            + f"{r['cpu_us']['simulated week']:>16.0f}"
        )
    chosen = results[0]
    return [
        Figure(
            "ingest_memory",
            f"language models '{chosen['option']}': RSS idle",
            chosen["idle_mb"],
            "MB",
            baseline=chosen["before_mb"],
            baseline_label="the same process before loading the models",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--models", default=",".join(OPTIONS))
    parser.add_argument("--model-process", choices=OPTIONS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.model_process:
        print(json.dumps(model_option(args.model_process)))
        return
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    measure_models(args.models.split(","), print)


if __name__ == "__main__":
    main()
