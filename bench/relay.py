"""Bare aiokafka relays: the baseline for the end-to-end benchmark.

One process runs one or more hops. A hop consumes ``source`` and, for each record
whose value starts with ``only`` (empty: every record), produces ``out`` padded to
``size`` bytes to ``target`` (no target: it only consumes, like the SLA service's
hop). One Kafka transaction per fetched batch holds the outputs and the offsets,
exactly as the services commit. No parsing, no validation, no domain logic:
what is left is Kafka, aiokafka and the Python event loop.

    python -m bench.relay --bootstrap B --hop SOURCE,TARGET,GROUP,SIZE,ONLY,OUT [--hop ...]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    group: str
    size: int
    only: bytes
    out: bytes

    @classmethod
    def parse(cls, text: str) -> Hop:
        source, target, group, size, only, out = text.split(",")
        return cls(source, target, group, int(size), only.encode(), out.encode())

    def output(self) -> bytes:
        return (self.out * self.size)[: self.size]


async def run_hop(bootstrap: str, hop: Hop, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        hop.source,
        bootstrap_servers=bootstrap,
        group_id=hop.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        transactional_id=f"{hop.group}.relay",
    )
    await consumer.start()
    await producer.start()
    value = hop.output()
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=20, max_records=500)
            if not batch:
                continue
            async with producer.transaction():
                if hop.target:
                    for records in batch.values():
                        for record in records:
                            if record.value.startswith(hop.only):
                                await producer.send(hop.target, value, key=record.key)
                offsets = {tp: records[-1].offset + 1 for tp, records in batch.items()}
                await producer.send_offsets_to_transaction(offsets, hop.group)
    finally:
        await producer.stop()
        await consumer.stop()


async def main(bootstrap: str, hops: list[Hop]) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await asyncio.gather(*(run_hop(bootstrap, hop, stop) for hop in hops))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--hop", action="append", required=True, type=Hop.parse)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.bootstrap, arguments.hop))
