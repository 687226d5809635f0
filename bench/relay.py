"""Bare aiokafka relays: the baseline for the end-to-end benchmark.

One process runs one or more hops. A hop consumes ``source`` and, for each record
whose value starts with ``only`` (empty: every record), produces ``out`` padded to
``size`` bytes to ``target`` (no target: it only consumes, like the SLA service's
hop). It commits exactly as the services' processors do: one transactional producer
per input partition (``transactional.id`` per partition, for fencing), a transaction
per partition that stays open across fetches and commits on the same interval and
size bound (``KAFKA_COMMIT_INTERVAL_MS``, ``KAFKA_MAX_TRANSACTION_RECORDS``), holding
the outputs and the input offsets, committed once every output was acknowledged. No
parsing, no validation, no state, no domain logic: what is left is Kafka, aiokafka and
the Python event loop.

    python -m bench.relay --bootstrap B --hop SOURCE,TARGET,GROUP,SIZE,ONLY,OUT [--hop ...]
        --commit-interval-ms MS --max-transaction-records N --retry-backoff-ms MS
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition


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


@dataclass(frozen=True)
class Commits:
    """The services' commit settings, given by the benchmark (this module imports no
    project code, so the relay process stays bare)."""

    interval_ms: int
    max_records: int
    retry_backoff_ms: int


@dataclass
class _Partition:
    producer: AIOKafkaProducer
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    started: float | None = None  # monotonic start of the open transaction
    records: int = 0
    offset: int | None = None
    deliveries: list[asyncio.Future[Any]] = field(default_factory=list)


class _Relay(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, bootstrap: str, hop: Hop, commits: Commits) -> None:
        self.bootstrap = bootstrap
        self.hop = hop
        self.interval = commits.interval_ms / 1000
        self.max_records = commits.max_records
        self.retry_backoff_ms = commits.retry_backoff_ms
        self.partitions: dict[TopicPartition, _Partition] = {}
        self._timers: set[asyncio.Task[None]] = set()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        # The consumer may hand out records of a partition before this returns: they wait
        # on the partition's lock until its producer is ready, as in the services' tasks.
        starting = []
        for tp in assigned:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                retry_backoff_ms=self.retry_backoff_ms,
                transactional_id=f"{self.hop.group}.{tp.topic}.{tp.partition}",
            )
            partition = self.partitions[tp] = _Partition(producer)
            await partition.lock.acquire()
            starting.append(partition)
        for partition in starting:
            try:
                await partition.producer.start()
            finally:
                partition.lock.release()

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        for tp in revoked:
            partition = self.partitions.pop(tp, None)
            if partition is not None:
                async with partition.lock:
                    await self.commit(partition)
                await partition.producer.stop()

    async def relay(self, tp: TopicPartition, records: list[Any]) -> None:
        partition = self.partitions.get(tp)
        if partition is None:
            return
        async with partition.lock:
            if partition.started is None:
                await partition.producer.begin_transaction()
                started = partition.started = time.monotonic()
                timer = asyncio.create_task(self.commit_after(partition, started))
                self._timers.add(timer)  # held until done: the loop keeps weak references
                timer.add_done_callback(self._timers.discard)
            if self.hop.target:
                value = self.hop.output()
                for record in records:
                    if record.value.startswith(self.hop.only):
                        partition.deliveries.append(
                            await partition.producer.send(self.hop.target, value, key=record.key)
                        )
            partition.offset = records[-1].offset + 1
            partition.records += len(records)
            if partition.records >= self.max_records:
                await self.commit(partition)

    async def commit_after(self, partition: _Partition, started: float) -> None:
        """Commit the transaction begun at ``started`` when its interval is over."""
        await asyncio.sleep(self.interval)
        async with partition.lock:
            if partition.started == started and partition in self.partitions.values():
                await self.commit(partition)

    async def commit(self, partition: _Partition) -> None:
        if partition.started is None:
            return
        tp = next(tp for tp, p in self.partitions.items() if p is partition)
        assert partition.offset is not None
        await partition.producer.send_offsets_to_transaction({tp: partition.offset}, self.hop.group)
        await asyncio.gather(*partition.deliveries)
        await partition.producer.commit_transaction()
        partition.started, partition.records, partition.deliveries = None, 0, []


async def run_hop(bootstrap: str, hop: Hop, stop: asyncio.Event, commits: Commits) -> None:
    relay = _Relay(bootstrap, hop, commits)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=hop.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        fetch_max_wait_ms=25,
    )
    consumer.subscribe([hop.source], listener=relay)
    await consumer.start()

    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=20, max_records=500)
            await asyncio.gather(*(relay.relay(tp, records) for tp, records in batch.items()))
    finally:
        await consumer.stop()
        for partition in relay.partitions.values():
            await partition.producer.stop()


async def main(bootstrap: str, hops: list[Hop], commits: Commits) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await asyncio.gather(*(run_hop(bootstrap, hop, stop, commits) for hop in hops))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--hop", action="append", required=True, type=Hop.parse)
    parser.add_argument("--commit-interval-ms", type=int, required=True)
    parser.add_argument("--max-transaction-records", type=int, required=True)
    parser.add_argument("--retry-backoff-ms", type=int, required=True)
    arguments = parser.parse_args()
    commits = Commits(
        arguments.commit_interval_ms, arguments.max_transaction_records, arguments.retry_backoff_ms
    )
    asyncio.run(main(arguments.bootstrap, arguments.hop, commits))
