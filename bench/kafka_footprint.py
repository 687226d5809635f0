"""What Kafka writes per inbound message: records, commit markers and bytes, per topic.

Starts ingest, router and SLA on fresh topics (the end-to-end benchmark's set-up,
``bench/e2e.py``: sample config, every team open with room), notes the end offset of
every partition of every topic of the prefix, publishes a burst of emails that each
open a new ticket, waits for every ``ticket.assigned`` and then until no end offset
moves for a few seconds (the SLA service and the changelogs have caught up), and reads
back everything written in between with a ``read_uncommitted`` consumer:

* data records: the records the consumer returns (aborted ones included, they are
  written too);
* control records (transaction commit/abort markers): the offsets in between that the
  consumer skips, i.e. end offset delta minus data records;
* bytes: key + value + headers of the data records, as the producers sent them. Kafka
  adds its record-batch framing on disk (61 B per batch, some 8-12 B per record, a
  control marker is a batch of its own, ~78 B), and replication multiplies it all.

Baseline in the same run: the inbound records themselves (what any pipeline has to
store at least: one record and its bytes per message).

Only the opening of a ticket is covered: later events of its life (first response,
resolution, offers accepted through the partner API) each add a ``tickets`` record, the
router's and the SLA service's changelog records and their commit markers.

Run: ``.venv/bin/python -m bench.kafka_footprint --bootstrap 127.0.0.1:19092 [--count N]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.common import Figure, kafka
from bench.e2e import Setup, _assigned
from bench.sla_restore import delete_topics

#: Seconds without any end offset moving before the burst counts as finished.
QUIET_SECONDS = 5.0


@dataclass
class TopicFootprint:
    records: int = 0
    markers: int = 0
    bytes: int = 0


@dataclass
class Footprint:
    messages: int
    topics: dict[str, TopicFootprint] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(t.records for t in self.topics.values())

    @property
    def markers(self) -> int:
        return sum(t.markers for t in self.topics.values())

    @property
    def bytes(self) -> int:
        return sum(t.bytes for t in self.topics.values())


async def end_offsets(bootstrap: str, prefix: str) -> dict[TopicPartition, int]:
    """High watermark of every partition of every topic named with ``prefix``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        for p in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def quiet_offsets(bootstrap: str, prefix: str, patience: float) -> dict[TopicPartition, int]:
    """End offsets once none has moved for ``QUIET_SECONDS``."""
    deadline = time.monotonic() + patience
    last = await end_offsets(bootstrap, prefix)
    still_since = time.monotonic()
    while time.monotonic() - still_since < QUIET_SECONDS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"topics of {prefix} still moving after {patience:.0f} s")
        await asyncio.sleep(1)
        now = await end_offsets(bootstrap, prefix)
        if now != last:
            last, still_since = now, time.monotonic()
    return last


async def read_between(
    bootstrap: str, before: dict[TopicPartition, int], after: dict[TopicPartition, int]
) -> dict[str, TopicFootprint]:
    """Records, markers and bytes written to each topic between two sets of offsets."""
    moved = {tp: end for tp, end in after.items() if end > before.get(tp, 0)}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_uncommitted",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    found: dict[str, TopicFootprint] = defaultdict(TopicFootprint)
    try:
        consumer.assign(list(moved))
        for tp in moved:
            consumer.seek(tp, before.get(tp, 0))
        remaining = set(moved)
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=10_000)
            for tp, records in batch.items():
                tally = found[tp.topic]
                for record in records:
                    if record.offset >= moved[tp]:
                        continue
                    tally.records += 1
                    tally.bytes += max(record.serialized_key_size, 0)
                    tally.bytes += max(record.serialized_value_size, 0)
                    tally.bytes += sum(len(k) + len(v) for k, v in record.headers)
            for tp in list(remaining):
                if await consumer.position(tp) >= moved[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    for tp, end in moved.items():
        found[tp.topic].markers += end - before.get(tp, 0)
    for tally in found.values():
        tally.markers -= tally.records
    return dict(found)


def measure(setup: Setup, count: int) -> Footprint:
    prefix = f"bench-fp-{uuid.uuid4().hex[:6]}."
    stack = setup.stack(prefix)
    stack.start()
    try:
        before = asyncio.run(quiet_offsets(setup.bootstrap, prefix, setup.patience))
        setup.burst(f"{prefix}inbound.email", f"{prefix}tickets", count, _assigned)
        after = asyncio.run(quiet_offsets(setup.bootstrap, prefix, setup.patience))
        topics = asyncio.run(read_between(setup.bootstrap, before, after))
    finally:
        stack.stop()
        asyncio.run(delete_topics(setup.bootstrap, prefix))
    return Footprint(count, {name.removeprefix(prefix): t for name, t in sorted(topics.items())})


def render(footprint: Footprint) -> str:
    n = footprint.messages
    lines = [
        f"{n:,} inbound emails, each opening a ticket that is assigned; per inbound message:",
        f"  {'topic':32} {'records':>8} {'markers':>8} {'bytes':>8}",
    ]
    for name, t in footprint.topics.items():
        lines.append(f"  {name:32} {t.records / n:8.2f} {t.markers / n:8.2f} {t.bytes / n:8.0f}")
    lines.append(
        f"  {'all topics':32} {footprint.records / n:8.2f} {footprint.markers / n:8.2f} "
        f"{footprint.bytes / n:8.0f}"
    )
    return "\n".join(lines)


def figures(footprint: Footprint) -> list[Figure]:
    n = footprint.messages
    inbound = footprint.topics.get("inbound.email", TopicFootprint())
    per_topic = {
        name: [round(t.records / n, 2), round(t.markers / n, 2), round(t.bytes / n)]
        for name, t in footprint.topics.items()
    }
    label = "the inbound records alone"
    return [
        Figure(
            "kafka_footprint",
            "records per inbound message, all topics (data + markers)",
            (footprint.records + footprint.markers) / n,
            "records",
            baseline=(inbound.records + inbound.markers) / n,
            baseline_label=label,
            note=f"{footprint.markers / n:.2f} of them commit markers; {n} messages; per topic "
            f"[records, markers, bytes]: {json.dumps(per_topic)}",
        ),
        Figure(
            "kafka_footprint",
            "bytes per inbound message, all topics (key + value + headers)",
            footprint.bytes / n,
            "B",
            baseline=inbound.bytes / n,
            baseline_label=label,
            note="before batch framing and replication",
        ),
    ]


def run(setup: Setup, count: int = 2_000, out: Callable[[str], None] = print) -> list[Figure]:
    footprint = measure(setup, count)
    out(f"Kafka footprint ({setup.bootstrap}), load average {os.getloadavg()[0]:.2f}")
    out(render(footprint))
    return figures(footprint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default=None, help="default: a private broker")
    parser.add_argument("--count", type=int, default=2_000)
    args = parser.parse_args()
    with kafka(args.bootstrap) as bootstrap:
        for figure in run(Setup(bootstrap), args.count):
            print(json.dumps(figure.as_dict()))


if __name__ == "__main__":
    main()
