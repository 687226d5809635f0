"""Ingest's memory: its state per entry, and what the language models cost.

    .venv/bin/python -m bench.ingest_memory [--days 3] [--models today,high,low,lazy] [--service]

**State.** A simulated Black Friday (``--days`` from 23 Nov 2026) goes through ingest's
own threading path (validation, normalisation, enrichment, ``take_message``); the
customer memories and ticket links it leaves are written as changelog records and
read back as a restoring ingest would. Bytes held per entry (tracemalloc) in the form
this ingest keeps (``encoding`` bytes), in the previous release's form (a decoded
pydantic model per entry) and, the baseline of the same run, a dict of the bare keys.

**Language models.** Each option runs in a process of its own (RSS does not shrink
back): the models loaded as the service loads them, then ``VmRSS`` idle (after the
allocator's free pages are returned, so that the models alone count), the accuracy on the
project's test sets (tests/data/ingest_samples.yaml through the service's path, a
simulated ordinary week against its ground truth, the one-sentence unit tests) and
the CPU per detection. Baseline: the same process before loading any model.

* today: lingua's trigram models first, the full models when unsure (the config's
  ``fast_path_confidence``), everything preloaded;
* high: the full models only; low: the trigram models only;
* lazy: as today, models loaded when first needed (RSS after the whole week).

**The service.** With ``--service``: ``python -m services.ingest`` on the sample config
and empty topics (a private broker unless ``--bootstrap`` or $KAFKA_BOOTSTRAP_SERVERS):
``VmRSS`` when ``/health/ready`` answers and 5 s later, and ``VmHWM``.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml

from bench.common import Figure, kafka, quiet_service
from plumbing.memory import release_free_memory
from schemas.base import Channel, CustomerTier
from schemas.config import load_config
from schemas.config.ingest import IngestConfig
from schemas.tickets import TicketOpened
from services.ingest.classify import payload_for_text
from services.ingest.domain.encoding import (
    decode_link,
    decode_memory,
    encode_link,
    encode_memory,
    restore_link,
    restore_memory,
)
from services.ingest.domain.enrich import CustomerClassifier, Enricher, message_text
from services.ingest.domain.language import LanguageDetector
from services.ingest.domain.links import TicketLink, link_for
from services.ingest.domain.memory import CustomerMemory
from services.ingest.domain.threads import take_message
from services.ingest.validation import accept
from switchboard.simulator.traffic import generate_traffic

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "config" / "switchboard.yaml"
SAMPLES = REPO / "tests" / "data" / "ingest_samples.yaml"
BLACK_FRIDAY_WEEK = datetime(2026, 11, 23, tzinfo=UTC)
ORDINARY_WEEK = datetime(2026, 10, 5, tzinfo=UTC)
MAX_BYTES = 1 << 20
OPTIONS = ("today", "high", "low", "lazy")


# -- state per entry ---------------------------------------------------------------------
@dataclass(frozen=True)
class StateFigures:
    entries: int
    baseline: float  # bytes per entry: a dict of the bare keys
    previous: float  # a pydantic model per entry, as the previous release kept it
    packed: float  # encoding bytes per entry
    old_record: float  # changelog record of the previous release
    new_record: float
    decode_us: float
    encode_us: float


def _held(build: Callable[[], object], count: int) -> float:
    gc.collect()
    tracemalloc.start()
    kept = build()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return held / count


def _per_call_us(work: Callable[[], object], count: int) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) / count * 1e6


def state_figures(
    old_log: list[tuple[bytes, bytes]],
    decode_old: Callable[[bytes], object],
    restore: Callable[[bytes], bytes],
    decode: Callable[[bytes], object],
    encode: Callable[[Any], bytes],
) -> StateFigures:
    """``old_log``: the previous release's changelog records (key, JSON)."""
    count = len(old_log)
    new_log = [(key, restore(value)) for key, value in old_log]
    decoded = [decode(value) for _, value in new_log]
    return StateFigures(
        entries=count,
        baseline=_held(lambda: {key.decode(): None for key, _ in old_log}, count),
        previous=_held(lambda: {key.decode(): decode_old(value) for key, value in old_log}, count),
        # Each record read from Kafka is a bytes object of its own: copies, as restored.
        packed=_held(
            lambda: {key.decode(): bytes(memoryview(value)) for key, value in new_log}, count
        ),
        old_record=sum(len(value) for _, value in old_log) / count,
        new_record=sum(len(value) for _, value in new_log) / count,
        decode_us=_per_call_us(lambda: [decode(value) for _, value in new_log], count),
        encode_us=_per_call_us(lambda: [encode(value) for value in decoded], count),
    )


def simulated_state(days: float, ingest: IngestConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """Customer memories and ticket links after ``days`` of the simulated Black Friday."""
    enricher = Enricher(ingest)
    enricher.warm_up()
    classifier = CustomerClassifier(enricher, (CustomerTier.STANDARD, ""))
    memories: dict[str, CustomerMemory] = {}
    links: dict[str, TicketLink] = {}
    end = BLACK_FRIDAY_WEEK + timedelta(days=days)
    for sim in generate_traffic(BLACK_FRIDAY_WEEK, end):
        message = accept(sim.channel, sim.payload_bytes(), MAX_BYTES, "inbound", ingest.languages)
        key = message.customer.customer_key
        outcome = take_message(memories.get(key), message, sim.at, classifier, ingest)
        memories[key] = outcome.memory
        for event in outcome.events:
            if isinstance(event, TicketOpened):
                links[event.ticket_id] = link_for(event, sim.at)
    return memories, links


def measure_state(days: float, out: Callable[[str], None], accuracy: str = "") -> list[Figure]:
    """``accuracy``: the language models' (the config's when empty; 'low' loads fast)."""
    ingest = load_config(CONFIG).ingest
    if accuracy:
        detection = ingest.language_detection.model_copy(update={"accuracy": accuracy})
        ingest = ingest.model_copy(update={"language_detection": detection})
    memories, links = simulated_state(days, ingest)
    results = {
        "customer memory": state_figures(
            [(k.encode(), v.model_dump_json().encode()) for k, v in memories.items()],
            CustomerMemory.model_validate_json,
            restore_memory,
            decode_memory,
            encode_memory,
        ),
        "ticket link": state_figures(
            [(k.encode(), v.model_dump_json().encode()) for k, v in links.items()],
            TicketLink.model_validate_json,
            restore_link,
            decode_link,
            encode_link,
        ),
    }
    out(f"ingest state after {days:g} simulated Black Friday day(s), bytes per entry held:")
    out(
        f"{'':<16}{'entries':>8}{'baseline':>10}{'previous':>10}{'now':>8}{'over base':>11}"
        f"{'record old/new':>16}{'decode us':>11}{'encode us':>11}"
    )
    figures = []
    for name, r in results.items():
        out(
            f"{name:<16}{r.entries:>8}{r.baseline:>10.0f}{r.previous:>10.0f}{r.packed:>8.0f}"
            f"{r.packed - r.baseline:>11.0f}{r.old_record:>9.0f}/{r.new_record:<6.0f}"
            f"{r.decode_us:>11.1f}{r.encode_us:>11.1f}"
        )
        figures.append(
            Figure(
                "ingest_memory",
                f"{name}: bytes per entry over a dict of the bare keys",
                r.packed - r.baseline,
                "B",
                baseline=r.previous - r.baseline,
                baseline_label="the previous release's pydantic model per entry",
                target="< 1,000 B per entry where the data allows",
                met=r.packed - r.baseline < 1000,
                note=f"{r.entries} entries from {days:g} simulated Black Friday day(s)",
            )
        )
    return figures


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
            [sys.executable, "-m", "bench.ingest_memory", "--model-process", option],
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


# -- the idle service ---------------------------------------------------------------------
def _process_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def measure_service(bootstrap: str | None, out: Callable[[str], None]) -> list[Figure]:
    with kafka(bootstrap) as servers, TemporaryDirectory() as logs:
        prefix = f"bench{uuid.uuid4().hex[:8]}."
        service = quiet_service("ingest", servers, prefix, CONFIG, Path(logs) / "ingest.log")
        started = time.perf_counter()
        service.start()
        try:
            service.wait_ready(timeout=300)
            ready = time.perf_counter() - started
            assert service.pid is not None
            at_ready = _process_mb(service.pid, "VmRSS")
            time.sleep(5)
            idle = _process_mb(service.pid, "VmRSS")
            peak = _process_mb(service.pid, "VmHWM")
        finally:
            service.terminate()
    out(
        f"\nidle ingest service (sample config, empty topics): ready in {ready:.1f} s; "
        f"RSS at ready {at_ready:.0f} MB, 5 s later {idle:.0f} MB, peak {peak:.0f} MB"
    )
    return [Figure("ingest_memory", "idle ingest service: RSS 5 s after ready", idle, "MB")]


def measure(
    *, days: float = 3, models: tuple[str, ...] = OPTIONS, out: Callable[[str], None] = print
) -> list[Figure]:
    """For the runner (``python -m bench``): the state, then the model options."""
    out(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    figures = measure_state(days, out, accuracy="" if models else "low")
    return figures + (measure_models(list(models), out) if models else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--days", type=float, default=3, help="0: skip the state")
    parser.add_argument("--models", default=",".join(OPTIONS))
    parser.add_argument("--model-process", choices=OPTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--service", action="store_true", help="also the idle service's RSS")
    parser.add_argument("--bootstrap", help="a broker for --service (else a private one)")
    args = parser.parse_args()
    if args.model_process:
        print(json.dumps(model_option(args.model_process)))
        return
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    if args.days:
        measure_state(args.days, print)
    if args.models:
        measure_models(args.models.split(","), print)
    if args.service:
        measure_service(args.bootstrap, print)


if __name__ == "__main__":
    main()
