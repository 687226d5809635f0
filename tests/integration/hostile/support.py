"""Hostile input against the real broker: the four services run in the test process on
one topic prefix; each hostile record is followed by a good record on the same partition,
and what every consumer did with both is read back from Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from plumbing.deadletter import MAX_ORIGINAL_BYTES
from plumbing.runtime import ServiceRuntime
from schemas.dlq import DeadLetter
from services.ingest.app import build as build_ingest
from services.ingest.settings import IngestSettings
from services.router.app import build as build_router
from services.router.partner_api.app import build as build_partner_api
from services.router.settings import RouterSettings
from services.sla.app import build as build_sla
from services.sla.settings import SlaSettings
from tests.integration.partner_api.support import api_settings, partner_desk_config
from tests.integration.router.support import WEDNESDAY_NOON
from tests.support.kafka_io import read_to_end

#: Each service's consumer group (without the prefix) per input topic.
GROUPS: dict[str, dict[str, str]] = {
    "tickets": {
        "ingest": "switchboard-ingest-ticket-status",
        "router": "switchboard-router",
        "sla": "switchboard-sla",
        "partner-api": "switchboard-partner-view",
    },
    "inbound.chat": {"ingest": "switchboard-ingest-normalise"},
    "ingest.messages": {"ingest": "switchboard-ingest-thread"},
    "teams": {"partner-api": "switchboard-partner-capacity"},
}

#: Largest record the tests send (the broker's default limit is 1 MiB per batch).
MAX_RECORD_BYTES = 1_000_000


@dataclass
class Stack:
    bootstrap: str
    prefix: str
    runtimes: dict[str, ServiceRuntime]

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def counter(self, service: str, name: str, **labels: str) -> float:
        return self.runtimes[service].registry.get_sample_value(name, labels) or 0.0


@asynccontextmanager
async def running_stack(bootstrap: str, prefix: str, workdir: Path) -> AsyncIterator[Stack]:
    config = partner_desk_config(workdir / "desk.yaml")
    clock: dict[str, Any] = {
        "clock_sim_start": WEDNESDAY_NOON,  # every team works: tickets get routed
        "clock_real_start": time.time(),
    }
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": bootstrap,
        "topic_prefix": prefix,
        "config_path": config,
        **clock,
    }
    built: dict[str, tuple[FastAPI, ServiceRuntime]] = {
        "ingest": build_ingest(IngestSettings.model_validate(common)),
        "router": build_router(
            RouterSettings.model_validate({**common, "router_tick_seconds": 0.05})
        ),
        "sla": build_sla(SlaSettings.model_validate(common)),
        "partner-api": build_partner_api(api_settings(bootstrap, prefix, config, **clock)),
    }
    async with contextlib.AsyncExitStack() as stack:
        for app, runtime in built.values():
            await stack.enter_async_context(runtime.lifespan(app))
        yield Stack(bootstrap, prefix, {name: runtime for name, (_, runtime) in built.items()})


@dataclass(frozen=True)
class Sent:
    """Where the hostile records of a case and the good record behind them landed."""

    topic: str
    partition: int
    hostile: tuple[int, ...]  # offsets
    good: int
    values: tuple[bytes | None, ...]  # the hostile values, in order


async def send_case(
    stack: Stack,
    topic: str,
    key: bytes,
    hostile: Sequence[bytes | None],
    good: bytes,
) -> Sent:
    """The hostile values, then the good one, all with ``key`` (one partition)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.bootstrap, acks="all", max_request_size=MAX_RECORD_BYTES + 4096
    )
    await producer.start()
    try:
        offsets = []
        partition = -1
        for value in [*hostile, good]:
            sent = await producer.send_and_wait(stack.topic(topic), value, key=key)
            offsets.append(sent.offset)
            assert partition in (-1, sent.partition)
            partition = sent.partition
    finally:
        await producer.stop()
    return Sent(stack.topic(topic), partition, tuple(offsets[:-1]), offsets[-1], tuple(hostile))


async def committed(stack: Stack, group: str, tp: TopicPartition) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(stack.topic(group), partitions=[tp])
    finally:
        await admin.close()
    found = offsets.get(tp)
    return -1 if found is None else int(found.offset)


async def wait_committed_past(
    stack: Stack, logical_topic: str, sent: Sequence[Sent], timeout: float = 30
) -> None:
    """Until every consumer group of the topic committed past each case's good record."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for group in GROUPS[logical_topic].values():
        for case in sent:
            tp = TopicPartition(case.topic, case.partition)
            while (position := await committed(stack, group, tp)) <= case.good:
                assert loop.time() < deadline, (
                    f"{group} stuck at offset {position} of {tp} (hostile records at "
                    f"{case.hostile}, good one at {case.good}): a redelivery loop?"
                )
                await asyncio.sleep(0.25)


async def dead_letters(stack: Stack, logical_topic: str, grace: float = 1.0) -> list[DeadLetter]:
    """Every dead letter of the topic so far (each commits with the offsets the caller
    waited for), then ``grace`` seconds more, so that a second letter would show up."""
    records = await read_to_end(stack.bootstrap, [stack.topic(f"{logical_topic}.dlq")], grace=grace)
    return [DeadLetter.model_validate_json(r.value) for r in records]


def assert_carries(letter: DeadLetter, original: bytes | None) -> None:
    """The letter holds the original bytes: whole, or (too large) their start and digest."""
    assert original is not None
    assert letter.value_size == len(original)
    assert letter.value_sha256 == hashlib.sha256(original).hexdigest()
    carried = letter.original_value() or b""
    if letter.value_truncated:
        assert len(original) > MAX_ORIGINAL_BYTES
        assert carried == original[:MAX_ORIGINAL_BYTES]
    else:
        assert carried == original


def letters_for(letters: Sequence[DeadLetter], sent: Sent) -> list[DeadLetter]:
    return [
        letter
        for letter in letters
        if letter.source_topic == sent.topic
        and letter.source_partition == sent.partition
        and letter.source_offset in sent.hostile
    ]


async def latest(stack: Stack, logical_topic: str) -> dict[bytes, Any]:
    """The last value per key of a (changelog) topic, as committed so far."""
    records = await read_to_end(stack.bootstrap, [stack.topic(logical_topic)])
    return {r.key: r.value for r in records if r.key is not None}
