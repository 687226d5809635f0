"""Restore of 1,000,000 SLA clocks from a real changelog after a restart.

Writes a million packed clock records to a fresh ``sla.clocks-changelog`` (six
partitions, as in production), then measures, median of several runs:

* baseline: a plain ``read_committed`` consumer reading the six partitions to the end
  and nothing else (what Kafka and aiokafka cost at least);
* restore: the processor's restore of the six partitions, concurrently, into state
  stores, and the rebuild of the deadline index and counts (``SlaState.on_ready``);
* service: ``python -m services.sla`` started on that changelog, from spawn to
  ``/health/ready``, and its RSS once ready (the million tickets in the real process).

Uses ``$KAFKA_BOOTSTRAP_SERVERS`` when set, else starts a private broker; deletes its
topics at the end. Run: ``.venv/bin/python -m bench.sla_restore [--tickets N] [--runs R]``
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry

from bench.common import Figure, kafka, quiet_service
from bench.sla_common import CONFIG, median, tickets
from plumbing.clock import SystemClock
from plumbing.kafka import ensure_topics
from plumbing.metrics import ProcessorMetrics
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.settings import ServiceSettings
from schemas import topics
from services.sla.partitions import SlaState

DAY_MS = 86_400_000
PARTITIONS = topics.SLA_CHANGELOG.partitions


async def write_changelog(bootstrap: str, topic: str, count: int) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=512 * 1024
    )
    await producer.start()
    started = time.perf_counter()
    try:
        now_ms = int(time.time() * 1000)
        for n, (key, value) in enumerate(tickets(count, now_ms + DAY_MS, DAY_MS)):
            await producer.send(topic, value=value, key=key.encode(), partition=n % PARTITIONS)
        await producer.flush()
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def plain_read(bootstrap: str, topic: str) -> tuple[float, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    started = time.perf_counter()
    count = 0
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = set(partitions)
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=500, max_records=50_000)
            for records in fetched.values():
                count += len(records)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return time.perf_counter() - started, count


async def processor_restore(bootstrap: str, prefix: str) -> tuple[float, float, int]:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
    state = SlaState()
    processor = TransactionalProcessor[bytes](
        service="bench",
        group_id=settings.group("bench-restore"),
        handler=lambda record, step: None,
        dlq_topic=lambda topic: f"{topic}.dlq",
        client_options={"bootstrap_servers": bootstrap},
        clock=SystemClock(),
        metrics=ProcessorMetrics(CollectorRegistry(), "bench"),
        changelog=Changelog(
            topic=settings.topic(topics.SLA_CHANGELOG.name),
            encode=lambda value: value,
            decode=lambda value: value,
        ),
        hooks=state,
    )
    started = time.perf_counter()
    stores = await asyncio.gather(*(processor._tasks._restore(p) for p in range(PARTITIONS)))
    restored = time.perf_counter() - started
    for partition, store in enumerate(stores):
        state.on_ready(partition, store)
    indexed = time.perf_counter() - started - restored
    return restored, indexed, state.open_tickets()


def service_start(bootstrap: str, prefix: str, log_dir: Path) -> tuple[float, float]:
    service = quiet_service(
        "sla", bootstrap, prefix, CONFIG, log_dir / f"sla-{uuid.uuid4().hex[:6]}.log"
    )
    started = time.perf_counter()
    service.start()
    try:
        service.wait_ready(timeout=300)
        ready = time.perf_counter() - started
        assert service.pid is not None
        rss = psutil.Process(service.pid).memory_info().rss / 2**20
        metrics = httpx.get(f"{service.url}/metrics").text
        assert "switchboard_sla_open_clocks" in metrics
    finally:
        service.terminate()
    return ready, rss


async def delete_topics(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


async def measure_async(
    count: int,
    runs: int,
    service_runs: int,
    bootstrap: str | None = None,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    with kafka(bootstrap) as served:
        return await _measure(count, runs, service_runs, served, out)


async def _measure(
    count: int, runs: int, service_runs: int, bootstrap: str, out: Callable[[str], None]
) -> list[Figure]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    empty = f"bench{uuid.uuid4().hex[:8]}."
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
    topic = settings.topic(topics.SLA_CHANGELOG.name)
    try:
        await ensure_topics(settings, [topics.SLA_CHANGELOG])
        wrote = await write_changelog(bootstrap, topic, count)
        out(f"SLA restore, {count:,} clocks in {PARTITIONS} changelog partitions ({bootstrap})")
        out(f"written in {wrote:.1f} s; median of {runs} runs:")
        baseline = [await plain_read(bootstrap, topic) for _ in range(runs)]
        assert all(n == count for _, n in baseline), baseline
        restores = [await processor_restore(bootstrap, prefix) for _ in range(runs)]
        assert all(n == count for _, _, n in restores), restores
        read_s = median([s for s, _ in baseline])
        restore_s = median([r for r, _, _ in restores])
        index_s = median([i for _, i, _ in restores])
        out(f"  baseline: plain consumer reads them       {read_s:6.1f} s")
        out(f"  processor restore into state stores       {restore_s:6.1f} s")
        out(f"  + deadline index and counts (on_ready)    {index_s:6.1f} s")
        out(f"  restore / plain read                      {(restore_s + index_s) / read_s:6.2f}x")
        with TemporaryDirectory() as logs:
            starts = [service_start(bootstrap, prefix, Path(logs)) for _ in range(service_runs)]
            _, empty_rss = service_start(bootstrap, empty, Path(logs))
        ready_s = median([s for s, _ in starts])
        rss = median([r for _, r in starts])
        out(
            f"  services.sla from spawn to ready          {ready_s:6.1f} s  "
            f"(target <= 60 s; median of {service_runs})"
        )
        out(f"  services.sla RSS with {count:,} clocks  {rss:6.0f} MB (target <= 500 MB)")
        out(f"  services.sla RSS with no clocks          {empty_rss:6.0f} MB")
    finally:
        await delete_topics(bootstrap, prefix)
        await delete_topics(bootstrap, empty)
    full = count == 1_000_000
    plain = "a plain read_committed consumer reading the changelog"
    return [
        Figure(
            "sla_restore",
            f"restore + index of {count:,} clocks",
            restore_s + index_s,
            "s",
            baseline=read_s,
            baseline_label=plain,
            note=f"median of {runs}",
        ),
        Figure(
            "sla_restore",
            f"services.sla spawn to ready on {count:,} clocks",
            ready_s,
            "s",
            baseline=read_s,
            baseline_label=plain,
            target="<= 60 s at 1,000,000" if full else "",
            met=ready_s <= 60 if full else None,
            note=f"median of {service_runs}",
        ),
        Figure(
            "sla_restore",
            f"services.sla RSS with {count:,} clocks restored",
            rss,
            "MB",
            baseline=empty_rss,
            baseline_label="services.sla with no clocks",
            target="<= 500 MB at 1,000,000" if full else "",
            met=rss <= 500 if full else None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--service-runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(measure_async(args.tickets, args.runs, args.service_runs))


if __name__ == "__main__":
    main()
