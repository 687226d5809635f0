"""The open transaction against a real broker: it holds several fetches until its interval
ends or a handler asks for the commit, and work registered with ``after_commit`` runs once
per committed effect, never for a transaction that failed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from plumbing.processor import Changelog, Record, Step, TransactionalProcessor
from plumbing.runtime import ServiceRuntime
from plumbing.settings import ServiceSettings
from schemas.topics import TopicSpec, dlq_name
from tests.support.kafka_io import end_offsets, produce, read_all
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka]

INPUT = TopicSpec("input", partitions=1, description="test input")
OUTPUT = TopicSpec("output", partitions=1, description="test output")
CHANGELOG = TopicSpec("seen-changelog", partitions=1, description="test state", compacted=True)
DLQ = TopicSpec(dlq_name("input"), partitions=1, description="test dlq")

#: Long enough that nothing in these tests commits because its interval ended.
NEVER_MS = 600_000


@dataclass
class Seen:
    """What the handler saw and what ran after a commit, per input value."""

    handled: Counter[str] = field(default_factory=Counter)
    committed: Counter[str] = field(default_factory=Counter)
    handled_event: asyncio.Event = field(default_factory=asyncio.Event)


@asynccontextmanager
async def processor(
    bootstrap: str, prefix: str, seen: Seen, interval_ms: int = NEVER_MS
) -> AsyncIterator[TransactionalProcessor[int]]:
    settings = ServiceSettings(
        kafka_bootstrap_servers=bootstrap, topic_prefix=prefix, kafka_commit_interval_ms=interval_ms
    )
    runtime = ServiceRuntime("test", settings, topics=[INPUT, OUTPUT, CHANGELOG, DLQ])
    output = settings.topic(OUTPUT.name)

    def handle(record: Record, step: Step[int]) -> None:
        value = (record.value or b"").decode()
        seen.handled[value] += 1
        seen.handled_event.set()
        step.store.put(value, seen.handled[value])
        step.emit(output, record.value, key=record.key)
        step.after_commit(lambda: seen.committed.update([value]))
        if value == "flush":
            step.commit_soon()

    processor = TransactionalProcessor[int](
        service="test",
        group_id=settings.group("interval"),
        handler=handle,
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=settings.topic(CHANGELOG.name), encode=lambda n: str(n).encode(), decode=int
        ),
    )
    runtime.consume(
        processor, [settings.topic(INPUT.name)], payload=bytes, title="t", description="t"
    )
    async with runtime.lifespan(FastAPI()):
        yield processor


async def wait_handled(seen: Seen, values: list[str], timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while any(seen.handled[value] == 0 for value in values):
            seen.handled_event.clear()
            await seen.handled_event.wait()


async def committed(seen: Seen, values: list[str]) -> None:
    """Until the after-commit work of every value ran (once; the tests count how often)."""
    await eventually(
        lambda: seen.committed,
        until=lambda done: all(done[value] for value in values),
        what="the after-commit work",
    )


async def test_one_transaction_holds_several_fetches_until_a_handler_asks_for_the_commit(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    seen = Seen()
    output = f"{topic_prefix}output"
    async with processor(kafka_bootstrap, topic_prefix, seen) as running:
        for chunk in (["a"], ["b"], ["c"]):  # three produce calls: three fetches at least
            await produce(
                kafka_bootstrap, f"{topic_prefix}input", [(b"k", v.encode()) for v in chunk]
            )
            await wait_handled(seen, chunk)
        # Processed, yet nothing is visible: the transaction is still open.
        assert await end_offsets(kafka_bootstrap, output, 1, isolation="read_committed") == [0]
        assert not seen.committed
        await produce(kafka_bootstrap, f"{topic_prefix}input", [(b"k", b"flush")])
        records = await read_all(kafka_bootstrap, output, expected=4)
        assert running.store(TopicPartition(f"{topic_prefix}input", 0)) is not None
        # A reader sees the outputs a moment before the processor hears its commit
        # answered and runs the after-commit work.
        await committed(seen, ["a", "b", "c", "flush"])

    assert [r.value for r in records] == [b"a", b"b", b"c", b"flush"]
    assert seen.committed == Counter(a=1, b=1, c=1, flush=1)
    # One transaction: its four outputs, then one commit marker.
    assert await end_offsets(kafka_bootstrap, output, 1, isolation="read_uncommitted") == [5]


async def test_after_commit_work_runs_once_per_effect_when_a_commit_fails(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AIOKafkaProducer.commit_transaction
    failures = Counter[str]()

    async def failing_once(self: AIOKafkaProducer) -> None:
        if not failures["commit"]:
            failures["commit"] += 1
            raise ConnectionError("injected: broker connection lost at commit")
        await original(self)

    monkeypatch.setattr(AIOKafkaProducer, "commit_transaction", failing_once)
    seen = Seen()
    values = ["a", "b", "c", "flush"]
    async with processor(kafka_bootstrap, topic_prefix, seen):
        await produce(kafka_bootstrap, f"{topic_prefix}input", [(b"k", v.encode()) for v in values])
        records = await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=4)
        await committed(seen, values)

    assert failures["commit"] == 1
    assert all(seen.handled[value] == 2 for value in values), seen.handled  # replayed once
    assert seen.committed == Counter(values)  # the failed transaction's work never ran
    assert sorted(r.value for r in records) == sorted(v.encode() for v in values)
