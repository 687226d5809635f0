"""Ingest's memory: its state per entry, and what the language models cost.

    .venv/bin/python -m bench.ingest_memory [--days 3] [--models today,high,low,lazy] [--service]

**State.** A simulated Black Friday (``--days`` from 23 Nov 2026) goes through ingest's
own threading path (validation, normalisation, enrichment, ``take_message``); the
customer memories and ticket links it leaves are written as changelog records and
read back as a restoring ingest would. Bytes held per entry (tracemalloc) in the form
this ingest keeps (``encoding`` bytes), in the previous release's form (a decoded
pydantic model per entry) and, the baseline of the same run, a dict of the bare keys.

**Language models.** ``bench/ingest_models.py`` (run from here too, unless
``--models ""``): each option of lingua's models in a process of its own, its RSS and
its accuracy on the project's test sets.

**The service.** With ``--service``: ``python -m services.ingest`` on the sample config
and empty topics (a private broker unless ``--bootstrap`` or $KAFKA_BOOTSTRAP_SERVERS):
``VmRSS`` when ``/health/ready`` answers and 5 s later, and ``VmHWM``.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.common import Figure, kafka, quiet_service
from bench.ingest_models import OPTIONS, measure_models
from schemas.base import CustomerTier
from schemas.config import load_config
from schemas.config.ingest import IngestConfig
from schemas.tickets import TicketOpened
from services.ingest.domain.encoding import (
    decode_link,
    decode_memory,
    encode_link,
    encode_memory,
    restore_link,
    restore_memory,
)
from services.ingest.domain.enrich import CustomerClassifier, Enricher
from services.ingest.domain.links import TicketLink, link_for
from services.ingest.domain.memory import CustomerMemory
from services.ingest.domain.threads import take_message
from services.ingest.validation import accept
from switchboard.simulator.traffic import generate_traffic

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "config" / "switchboard.yaml"
BLACK_FRIDAY_WEEK = datetime(2026, 11, 23, tzinfo=UTC)
MAX_BYTES = 1 << 20


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
    parser.add_argument("--service", action="store_true", help="also the idle service's RSS")
    parser.add_argument("--bootstrap", help="a broker for --service (else a private one)")
    args = parser.parse_args()
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")
    if args.days:
        measure_state(args.days, print)
    if args.models:
        measure_models(args.models.split(","), print)
    if args.service:
        measure_service(args.bootstrap, print)


if __name__ == "__main__":
    main()
