"""Ingest's per-message CPU cost, against a baseline measured in the same run.

    .venv/bin/python bench/ingest_enrichment.py [--messages 2000] [--runs 7] [--accuracy high]

Every stage runs on the same messages (the labelled samples of tests/data, as
channel payloads, cycled), in-process, without Kafka:

* baseline:   JSON parse + pydantic validation of the channel payload (``parse_payload``);
* normalise:  the normaliser's work (validation, identity, e-mail cleaning);
* new ticket: the whole path of a message that opens a ticket: validation,
              normalisation, language, skill, priority, the threading decision, and
              the ticket.opened event serialised;
* follow-up:  the threader's work for a follow-up on an open ticket (no enrichment);
* language / skill: enrichment's two parts on their own;
* state: decoding a customer's memory from the store's bytes and encoding it back
              (the thread handler does both for each message; ``encoding``).

Prints throughput (messages/s on one core) and p50/p99 per message, each the median of
``--runs`` runs, and the ratio to the baseline. The machine is noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.common import Figure  # noqa: E402
from schemas.base import Channel, CustomerTier  # noqa: E402
from schemas.config import load_config  # noqa: E402
from schemas.ingest import NormalisedMessage  # noqa: E402
from services.ingest.classify import payload_for_text  # noqa: E402
from services.ingest.domain.encoding import decode_memory, encode_memory  # noqa: E402
from services.ingest.domain.enrich import CustomerClassifier, Enricher, message_text  # noqa: E402
from services.ingest.domain.memory import CustomerMemory  # noqa: E402
from services.ingest.domain.text import Words  # noqa: E402
from services.ingest.domain.threads import take_message  # noqa: E402
from services.ingest.validation import accept, parse_payload  # noqa: E402

SAMPLES = REPO_ROOT / "tests" / "data" / "ingest_samples.yaml"
CONFIG = REPO_ROOT / "deploy" / "config" / "switchboard.yaml"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Inbound:
    channel: Channel
    raw: bytes


@dataclass(frozen=True)
class Figures:
    per_second: float
    p50_us: float
    p99_us: float


def inbound_messages(count: int) -> list[Inbound]:
    samples: list[dict[str, Any]] = yaml.safe_load(SAMPLES.read_text())
    messages = []
    for n in range(count):
        sample = samples[n % len(samples)]
        channel = Channel(sample["channel"])
        payload = payload_for_text(channel, sample["text"], NOW)
        if sample.get("subject"):
            payload["subject"] = sample["subject"]
        messages.append(Inbound(channel, json.dumps(payload).encode()))
    return messages


def time_stage(work: Callable[[int], object], count: int) -> Figures:
    latencies = []
    gc.collect()
    started = time.perf_counter()
    for index in range(count):
        t0 = time.perf_counter_ns()
        work(index)
        latencies.append(time.perf_counter_ns() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return Figures(
        per_second=count / elapsed,
        p50_us=latencies[len(latencies) // 2] / 1000,
        p99_us=latencies[int(len(latencies) * 0.99)] / 1000,
    )


def median_of(runs: list[Figures]) -> Figures:
    return Figures(
        per_second=statistics.median(f.per_second for f in runs),
        p50_us=statistics.median(f.p50_us for f in runs),
        p99_us=statistics.median(f.p99_us for f in runs),
    )


def measure(
    *,
    messages: int = 2000,
    runs: int = 7,
    accuracy: str | None = None,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Run the benchmark, print its report through ``out``, return its figures."""
    config = load_config(CONFIG)
    ingest = config.ingest
    if accuracy:
        detection = ingest.language_detection.model_copy(update={"accuracy": accuracy})
        ingest = ingest.model_copy(update={"language_detection": detection})
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    enricher = Enricher(ingest)
    started = time.perf_counter()
    enricher.warm_up()
    warm_up_seconds = time.perf_counter() - started
    classifier = CustomerClassifier(enricher, (CustomerTier.STANDARD, ""))

    inbound = inbound_messages(messages)
    languages = ingest.languages
    normalised: list[NormalisedMessage] = [
        accept(m.channel, m.raw, MAX_BYTES, "inbound", languages) for m in inbound
    ]
    texts = [message_text(m) for m in normalised]
    guesses = [enricher.detector.detect(text).language for text in texts]
    # Each follow-up meets the memory its opening message left behind (calls have no
    # conversation refs; give them one so that they thread too).
    openings = [
        m if m.thread_refs else m.model_copy(update={"thread_refs": [f"bench:{i}"]})
        for i, m in enumerate(normalised)
    ]
    opened_memories: list[CustomerMemory] = [
        take_message(None, m, NOW, classifier, ingest).memory for m in openings
    ]
    stored = [encode_memory(memory) for memory in opened_memories]
    follow_ups = [
        m.model_copy(update={"source_message_id": f"{m.source_message_id}-follow-up"})
        for m in openings
    ]

    def new_ticket(i: int) -> bytes:
        message = accept(inbound[i].channel, inbound[i].raw, MAX_BYTES, "inbound", languages)
        outcome = take_message(None, message, NOW, classifier, ingest)
        return outcome.events[0].to_json_bytes()

    stages: dict[str, Callable[[int], object]] = {
        "baseline: JSON + pydantic": lambda i: parse_payload(
            inbound[i].channel, inbound[i].raw, MAX_BYTES
        ),
        "normalise": lambda i: accept(
            inbound[i].channel, inbound[i].raw, MAX_BYTES, "inbound", languages
        ),
        "new ticket (whole path)": new_ticket,
        "follow-up on open ticket": lambda i: take_message(
            opened_memories[i], follow_ups[i], NOW, classifier, ingest
        ),
        "  language detection only": lambda i: enricher.detector.detect(texts[i]),
        "  skill scoring only": lambda i: enricher.skills.classify(Words(texts[i]), guesses[i]),
        "  state decode + encode": lambda i: encode_memory(decode_memory(stored[i])),
    }
    results: dict[str, Figures] = {}
    for name, work in stages.items():
        work(0)
        results[name] = median_of([time_stage(work, messages) for _ in range(runs)])

    baseline = results["baseline: JSON + pydantic"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out(
        f"ingest enrichment: {messages} messages x {runs} runs (medians), "
        f"{len(languages)} languages, lingua accuracy '{ingest.language_detection.accuracy}', "
        f"model load {warm_up_seconds:.1f} s, peak RSS {rss_mb:.0f} MB"
    )
    out(f"{'stage':<30}{'msg/s':>10}{'p50 us':>10}{'p99 us':>10}{'x baseline':>12}")
    for name, figures in results.items():
        ratio = figures.p50_us / baseline.p50_us
        out(
            f"{name:<30}{figures.per_second:>10.0f}{figures.p50_us:>10.1f}"
            f"{figures.p99_us:>10.1f}{ratio:>12.1f}"
        )
    whole, follow_up = results["new ticket (whole path)"], results["follow-up on open ticket"]
    label = "JSON parse + pydantic validation of the payload"
    note = f"{messages} messages x {runs} runs, medians; one core, no Kafka"
    return [
        Figure(
            "ingest_enrichment",
            "new ticket, whole path: messages/s on one core",
            whole.per_second,
            "msg/s",
            baseline=baseline.per_second,
            baseline_label=label,
            target=">= 2000 msg/s (its share of the end-to-end target)",
            met=whole.per_second >= 2000,
            note=note,
        ),
        Figure(
            "ingest_enrichment",
            "new ticket, whole path: p99 per message",
            whole.p99_us,
            "us",
            baseline=baseline.p99_us,
            baseline_label=label,
        ),
        Figure(
            "ingest_enrichment",
            "follow-up on an open ticket: messages/s on one core",
            follow_up.per_second,
            "msg/s",
            baseline=baseline.per_second,
            baseline_label=label,
        ),
        Figure(
            "ingest_enrichment",
            "process peak RSS (language models loaded)",
            rss_mb,
            "MB",
            baseline=rss_before_mb,
            baseline_label="the same process before loading the models",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--accuracy", choices=["high", "low"], default=None)
    args = parser.parse_args()
    measure(messages=args.messages, runs=args.runs, accuracy=args.accuracy)


if __name__ == "__main__":
    main()
