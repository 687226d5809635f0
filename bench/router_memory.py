"""Router memory with many open tickets restored: the router mirrors every open ticket.

Fills a fresh ``router.tickets-changelog`` (six partitions, as in production) with the
states of N open tickets as the router writes them (packed tickets, changelog format 2:
``services.router.domain.packing``, keyed by ticket id, in the partition the ticket's
key hashes to in ``tickets``), then starts the real router process (``python -m
services.router``, sample config) on it and reads its RSS once it is ready with every
partition restored (``/health/ready`` answers, it owns all six partitions of
``tickets`` and its backlog gauge counts every pending ticket written) and again a few
seconds later, when it must still own them all (``stable``: a restore that outlasts
the consumer's session makes the group drop the member and restore again). One
instance owns all six partitions, as when it is the only one left: it then holds each
ticket in its stores and the slot it holds in the load view, its worst case.

The tickets' facts come from one simulated Black Friday (``switchboard.simulator``,
real texts, languages, skills, channels, priorities, as ingest would open them), cycled
with fresh ids. Their status mix is an assumption for a peak (``--mix``): 60% queued
in-house, 20% accepted by a partner, 20% pending in the backlog with the stall announced.

Baseline in the same run: the same router on an empty changelog (idle process).
Uses ``$KAFKA_BOOTSTRAP_SERVERS`` when set, else a private broker; deletes its topics
at the end. Run: ``.venv/bin/python -m bench.router_memory [--tickets 300000,1000000]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psutil
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from bench.common import Figure, kafka, quiet_service
from bench.desk.intake import open_tickets
from bench.sla_restore import delete_topics
from plumbing.kafka import ensure_topics
from plumbing.settings import ServiceSettings
from schemas import topics
from schemas.config import load_config
from services.router.changelog import encode_record
from services.router.domain import lifecycle, packing
from services.router.domain.registry import Registry
from services.router.domain.state import TicketRoute
from switchboard.simulator import TrafficParams, day_range, generate_traffic

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "config" / "switchboard.yaml"
PARTITIONS = topics.TICKETS.partitions
BLACK_FRIDAY = date(2026, 11, 27)
#: Share of open tickets per status (an assumption for a peak, see the docstring).
DEFAULT_MIX = {"queued": 0.6, "accepted": 0.2, "pending": 0.2}
#: Seconds after ready before the second reading (the timer ticks every 0.25 s).
SETTLE_SECONDS = 5.0


def partition_of(key: str) -> int:
    """The partition the producers' default partitioner gives ``key`` in ``tickets``."""
    hashed: int = murmur2(key.encode())
    return (hashed & 0x7FFFFFFF) % PARTITIONS


def templates(scale: float = 0.1) -> list[TicketRoute]:
    """Pending router states of one simulated Black Friday's new tickets."""
    config = load_config(CONFIG)
    ordinary = TrafficParams().baseline_contacts_per_day
    params = TrafficParams(baseline_contacts_per_day=ordinary * scale)
    start, end = day_range(BLACK_FRIDAY, BLACK_FRIDAY, params.shop_timezone)
    intake = open_tickets(generate_traffic(start, end, seed=42, params=params), config)
    return [ticket.route for ticket in intake.tickets]


def open_routes(
    count: int, mix: dict[str, float], now: datetime
) -> Iterator[tuple[str, int, TicketRoute]]:
    """``count`` open tickets (id, partition, state) in the given status mix."""
    registry = Registry(load_config(CONFIG).teams, load_config(CONFIG).outsourcing)
    in_house = itertools.cycle([t for t in registry.teams if not t.partner])
    partners = itertools.cycle([t for t in registry.teams if t.partner])
    bases = itertools.cycle(templates())
    statuses = [status for status, share in mix.items() for _ in range(round(share * 100))]
    for n in range(count):
        ticket_id = str(uuid.uuid4())
        partition = partition_of(ticket_id)
        base = next(bases)
        route = replace(
            base, partition=partition, facts=replace(base.facts, correlation_id=str(uuid.uuid4()))
        )
        status = statuses[n % len(statuses)]
        if status == "queued":
            route = lifecycle.assign(route, ticket_id, next(in_house), now)
        elif status == "accepted":
            offered = lifecycle.assign(route, ticket_id, next(partners), now)
            assert offered.assignment_id is not None
            accepted = lifecycle.accept(offered, offered.assignment_id)
            assert accepted is not None
            route = accepted
        else:
            route = lifecycle.stall(replace(route, pending_since=now))
        yield ticket_id, partition, route


@dataclass(frozen=True)
class Written:
    tickets: int
    pending: int
    seconds: float
    bytes: int


async def write_changelog(bootstrap: str, topic: str, count: int, mix: dict[str, float]) -> Written:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        max_batch_size=512 * 1024,
        compression_type=None,
    )
    await producer.start()
    started = time.perf_counter()
    size = pending = 0
    try:
        for ticket_id, partition, route in open_routes(count, mix, datetime.now(UTC)):
            value = encode_record(packing.pack(route))
            size += len(value) + len(ticket_id)
            pending += route.status == "pending"
            await producer.send(topic, value=value, key=ticket_id.encode(), partition=partition)
        await producer.flush()
    finally:
        await producer.stop()
    return Written(count, pending, time.perf_counter() - started, size)


@dataclass(frozen=True)
class Reading:
    ready_s: float
    rss_ready_mb: float
    rss_settled_mb: float
    peak_mb: float  # VmHWM
    pending_backlog: float  # the router's own gauge
    stable: bool  # still owning every partition, restored, at the second reading
    cpu_s: float  # the router's CPU time (user + system) from spawn to ready


#: The group's patience with the restoring router: aiokafka heartbeats stop while the
#: rebalance listener restores the partitions, and on a loaded machine a million tickets'
#: restore outlasts the 10 s default; a drop restores everything again. 45 s is Kafka's
#: own default since 3.0 (KIP-735).
SESSION_TIMEOUT_MS = 45_000


def _status(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _gauge(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise LookupError(name)


def wait_restored(url: str, topic: str, pending: int, deadline: float) -> None:
    """Until the router owns every partition of ``topic`` (``tickets``) and its backlog
    gauge shows the ``pending`` tickets written (counted as each partition is restored)."""
    while time.perf_counter() < deadline:
        try:
            text = httpx.get(f"{url}/metrics", timeout=30).text
        except httpx.HTTPError:
            continue  # a restore holds the event loop for a while
        if (
            _owned(text, topic) >= PARTITIONS
            and _gauge(text, "switchboard_router_pending_backlog") >= pending
        ):
            return
        time.sleep(0.2)
    raise TimeoutError("the router did not restore every partition in time")


def _owned(metrics: str, topic: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("switchboard_partitions_owned{") and f'topic="{topic}"' in line
    )


def router_reading(
    bootstrap: str, prefix: str, log_dir: Path, timeout: float, pending: int = 0
) -> Reading:
    service = quiet_service(
        "router", bootstrap, prefix, CONFIG, log_dir / f"router-{prefix.rstrip('.')}.log"
    )
    service = replace(
        service, env={**service.env, "KAFKA_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS)}
    )
    started = time.perf_counter()
    service.start()
    try:
        service.wait_ready(timeout=timeout)
        # Ready answers once the mirror caught up and no partition is being restored,
        # which is also true before the partitions were assigned: wait for all of them.
        wait_restored(service.url, f"{prefix}tickets", pending, started + timeout)
        ready = time.perf_counter() - started
        assert service.pid is not None
        at_ready = _status(service.pid, "VmRSS")
        times = psutil.Process(service.pid).cpu_times()
        time.sleep(SETTLE_SECONDS)
        settled = _status(service.pid, "VmRSS")
        peak = _status(service.pid, "VmHWM")
        text = httpx.get(f"{service.url}/metrics", timeout=30).text
        backlog = _gauge(text, "switchboard_router_pending_backlog")
        stable = _owned(text, f"{prefix}tickets") >= PARTITIONS and backlog >= pending
    finally:
        service.terminate()
    return Reading(ready, at_ready, settled, peak, backlog, stable, times.user + times.system)


async def measure_async(
    counts: Sequence[int],
    bootstrap: str | None = None,
    mix: dict[str, float] | None = None,
    out: Callable[[str], None] = print,
    timeout: float = 1800,
    *,
    log_dir: Path | None = None,
) -> list[Figure]:
    """``log_dir``: keep the routers' logs there (default: a temporary directory)."""
    mix = mix or DEFAULT_MIX
    figures: list[Figure] = []
    kept = contextlib.nullcontext(str(log_dir)) if log_dir else TemporaryDirectory()
    with kafka(bootstrap) as served, kept as logs:
        empty = f"bench{uuid.uuid4().hex[:8]}."
        try:
            idle = router_reading(served, empty, Path(logs), timeout)
        finally:
            await delete_topics(served, empty)
        out(
            f"router memory ({served}), status mix {mix}, load average "
            f"{os.getloadavg()[0]:.2f}\n  idle router, empty changelog: "
            f"RSS {idle.rss_settled_mb:.0f} MB"
        )
        for count in counts:
            figures += await _one(
                served, count, mix=mix, idle=idle, logs=Path(logs), timeout=timeout, out=out
            )
    return figures


async def _one(
    bootstrap: str,
    count: int,
    *,
    mix: dict[str, float],
    idle: Reading,
    logs: Path,
    timeout: float,
    out: Callable[[str], None],
) -> list[Figure]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
    try:
        await ensure_topics(settings, [topics.ROUTER_CHANGELOG])
        topic = settings.topic(topics.ROUTER_CHANGELOG.name)
        written = await write_changelog(bootstrap, topic, count, mix)
        reading = router_reading(bootstrap, prefix, logs, timeout, written.pending)
    finally:
        await delete_topics(bootstrap, prefix)
    extra = reading.rss_settled_mb - idle.rss_settled_mb
    per_ticket = extra * 2**20 / count
    out(
        f"  {count:,} open tickets ({written.pending:,} pending), changelog "
        f"{written.bytes / count:,.0f} B per ticket, written in {written.seconds:.0f} s:\n"
        f"    spawn to ready {reading.ready_s:.1f} s ({reading.cpu_s:.1f} s of CPU); RSS at ready "
        f"{reading.rss_ready_mb:,.0f} MB, "
        f"{SETTLE_SECONDS:.0f} s later {reading.rss_settled_mb:,.0f} MB, peak "
        f"{reading.peak_mb:,.0f} MB; {per_ticket:,.0f} B per ticket over the idle router; "
        f"backlog gauge {reading.pending_backlog:,.0f}; "
        f"{'stable' if reading.stable else 'NOT stable (restoring again)'}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    idle_label = "the idle router (empty changelog), same run"
    note = f"status mix {mix}; changelog {written.bytes / count:.0f} B/ticket"
    return [
        Figure(
            "router_memory",
            f"router RSS with {count:,} open tickets restored",
            reading.rss_settled_mb,
            "MB",
            baseline=idle.rss_settled_mb,
            baseline_label=idle_label,
            note=f"{note}; peak (VmHWM) {reading.peak_mb:.0f} MB; "
            f"{per_ticket:.0f} B per ticket over idle",
        ),
        Figure(
            "router_memory",
            f"router spawn to ready on {count:,} open tickets",
            reading.ready_s,
            "s",
            baseline=idle.ready_s,
            baseline_label=idle_label,
            note=f"{reading.cpu_s:.1f} s of the router's CPU (idle router {idle.cpu_s:.1f} s); "
            f"pending backlog gauge {reading.pending_backlog:.0f} of {written.pending} "
            f"pending written; {'stable' if reading.stable else 'not stable'} "
            f"{SETTLE_SECONDS:.0f} s later",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tickets",
        default="300000,1000000",
        help="comma-separated counts (3,000,000 needs ~15 GB free for the router alone)",
    )
    parser.add_argument("--logs", type=Path, default=None, help="keep the routers' logs here")
    args = parser.parse_args()
    counts = [int(n) for n in args.tickets.split(",")]
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip() or None
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    for figure in asyncio.run(measure_async(counts, bootstrap, log_dir=args.logs)):
        print(figure.as_dict())


if __name__ == "__main__":
    main()
