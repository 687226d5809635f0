"""Produce to and read from a real broker in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def produce(
    bootstrap: str, topic: str, records: Sequence[tuple[bytes | None, bytes | None]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in records:
            await producer.send(topic, value=value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def read_until(
    bootstrap: str,
    topics: Sequence[str],
    done: Callable[[list[Any]], bool],
    *,
    timeout: float = 60,
    grace: float = 2.0,
) -> list[Any]:
    """Committed records of ``topics`` from the beginning, until ``done(records)`` holds,
    then ``grace`` seconds more so that an unwanted extra record would be seen too."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        enable_auto_commit=False,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and not done(records):
            batch = await consumer.getmany(timeout_ms=300)
            records += [r for rs in batch.values() for r in rs]
        end_of_grace = loop.time() + grace
        while loop.time() < end_of_grace:
            batch = await consumer.getmany(timeout_ms=300)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return records


async def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 60) -> list[Any]:
    return await read_until(
        bootstrap, [topic], lambda records: len(records) >= expected, timeout=timeout
    )


async def end_offsets(
    bootstrap: str, topic: str, partitions: int, *, isolation: str = "read_committed"
) -> list[int]:
    """Every partition's end offset: the last stable offset for ``read_committed``, the
    high watermark (commit markers included) for ``read_uncommitted``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level=isolation)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        ends = await consumer.end_offsets(tps)
        return [ends[tp] for tp in tps]
    finally:
        await consumer.stop()


async def read_to_end(
    bootstrap: str, topics: Sequence[str], *, grace: float = 0.0, timeout: float = 60
) -> list[Any]:
    """Committed records of ``topics`` from the beginning up to where they end now (their
    last stable offsets when this is called), then ``grace`` seconds more.

    For what is known to be committed already: reading for a fixed time instead stops
    short whenever the consumer takes longer than that to join and fetch.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]
    assert partitions, f"no partitions for {topics}: do the topics exist?"
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            remaining = {tp for tp in partitions if ends[tp] > 0}
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=300)
                records += [r for rs in batch.values() for r in rs]
                for tp in list(remaining):
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
        loop = asyncio.get_running_loop()
        end_of_grace = loop.time() + grace
        while loop.time() < end_of_grace:
            batch = await consumer.getmany(timeout_ms=300)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return records
