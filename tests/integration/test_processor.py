"""The transactional processor against a real broker: effects exactly once, state that
survives a restart, poison records dead-lettered without stopping the partition."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.cluster import ClusterMetadata
from aiokafka.producer.message_accumulator import MessageBatch
from fastapi import FastAPI

from plumbing.processor import Changelog, DeadLetterError, Record, Step, TransactionalProcessor
from plumbing.runtime import ServiceRuntime
from plumbing.settings import ServiceSettings
from schemas.dlq import DeadLetter
from schemas.topics import TopicSpec, dlq_name
from tests.support.kafka_io import produce, read_all
from tests.support.waiting import equals, eventually

pytestmark = [pytest.mark.kafka]

INPUT = TopicSpec("input", partitions=3, description="test input")
OUTPUT = TopicSpec("output", partitions=3, description="test output")
CHANGELOG = TopicSpec("counts-changelog", partitions=3, description="test state", compacted=True)
DLQ = TopicSpec(dlq_name("input"), partitions=1, description="test dlq")


def counting_handler(output_topic: str) -> Callable[[Record, Step[int]], None]:
    """Counts records per key; emits '<key>:<n>'; refuses 'poison'."""

    def handle(record: Record, step: Step[int]) -> None:
        if record.value == b"poison":
            raise DeadLetterError("poison", "refused on purpose")
        if record.value == b"amplify":  # a valid input whose output no broker takes
            step.emit(output_topic, b"x" * 1_100_000, key=record.key)
            return
        if record.value == b"crash":
            step.store.put("crash", 1)  # must be undone with the record
            raise RuntimeError("handler bug")
        key = (record.key or b"").decode()
        count = (step.store.get(key) or 0) + 1
        step.store.put(key, count)
        step.emit(output_topic, f"{key}:{count}".encode(), key=record.key)

    return handle


@asynccontextmanager
async def running_processor(bootstrap: str, prefix: str) -> AsyncIterator[ServiceRuntime]:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
    runtime = ServiceRuntime("test", settings, topics=[INPUT, OUTPUT, CHANGELOG, DLQ])
    processor = TransactionalProcessor[int](
        service="test",
        group_id=settings.group("counter"),
        handler=counting_handler(settings.topic(OUTPUT.name)),
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
        yield runtime


def inputs(keys: int, per_key: int) -> list[tuple[bytes, bytes]]:
    return [(f"k{k}".encode(), b"x") for _ in range(per_key) for k in range(keys)]


async def test_each_input_has_exactly_one_effect_when_commits_fail(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AIOKafkaProducer.commit_transaction
    calls = Counter[str]()

    async def flaky_commit(self: AIOKafkaProducer) -> None:
        calls["commit"] += 1
        if calls["commit"] % 3 == 0:  # every third commit fails after its records were sent
            raise ConnectionError("injected: broker connection lost at commit")
        await original(self)

    monkeypatch.setattr(AIOKafkaProducer, "commit_transaction", flaky_commit)
    records = inputs(keys=6, per_key=40)
    async with running_processor(kafka_bootstrap, topic_prefix):
        outputs = []
        for done in range(20, len(records) + 1, 20):
            await produce(kafka_bootstrap, f"{topic_prefix}input", records[done - 20 : done])
            # The next chunk only once this one took effect: twelve chunks, at least
            # twelve transactions, however fast the processor drains its input.
            outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=done)

    values = [r.value.decode() for r in outputs]
    assert calls["commit"] >= 9, "the failure injection never triggered"
    assert len(values) == len(records) == len(set(values))
    assert set(values) == {f"k{k}:{n}" for k in range(6) for n in range(1, 41)}


async def test_each_input_has_exactly_one_effect_when_an_output_batch_is_lost(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker-restart case: an output partition has no leader while a transaction's
    batch for it is older than request_timeout_ms, and aiokafka fails that batch. The
    transaction must not commit without it (aiokafka alone would commit the rest)."""
    blacked_out = TopicPartition(f"{topic_prefix}output", 0)
    failures_left = Counter({"batches": 4})
    failed = Counter[str]()
    leader_for_partition = ClusterMetadata.leader_for_partition

    def leaderless(self: ClusterMetadata, tp: TopicPartition) -> int | None:
        if tp == blacked_out and failures_left["batches"] > 0:
            return -1  # what metadata says while a restarted broker loads the partition
        leader: int | None = leader_for_partition(self, tp)
        return leader

    def expired(self: MessageBatch) -> bool:
        # Asked only of batches whose partition has no leader: this one is too old.
        if self.tp == blacked_out and failures_left["batches"] > 0:
            failures_left["batches"] -= 1
            failed["batches"] += 1
            return True
        return False

    monkeypatch.setattr(ClusterMetadata, "leader_for_partition", leaderless)
    monkeypatch.setattr(MessageBatch, "expired", expired)
    records = inputs(keys=6, per_key=10)
    async with running_processor(kafka_bootstrap, topic_prefix):
        for chunk in range(0, len(records), 6):
            await produce(kafka_bootstrap, f"{topic_prefix}input", records[chunk : chunk + 6])
        outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=len(records))

    values = [r.value.decode() for r in outputs]
    assert failed["batches"] > 0, "no output batch was lost: the injection never triggered"
    assert len(values) == len(set(values))
    assert set(values) == {f"k{k}:{n}" for k in range(6) for n in range(1, 11)}


async def test_a_partition_that_stops_moving_shows_its_lag(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Lag is sampled, not only reported after a committed batch: a partition held back
    (here paused, as a transaction left open on the broker would hold it) shows the
    records waiting and a position that no longer moves."""
    topic = f"{topic_prefix}input"
    group = f"{topic_prefix}counter"
    async with running_processor(kafka_bootstrap, topic_prefix) as runtime:
        await produce(kafka_bootstrap, topic, [(b"k0", b"x")] * 3)
        await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=3)
        subscriber = runtime.broker.subscribers[0]
        consumer = subscriber.consumer  # type: ignore[attr-defined]
        held = next(tp for tp in consumer.assignment() if consumer.highwater(tp))
        labels = {"service": "test", "group": group, "topic": topic}
        labels["partition"] = str(held.partition)

        def sample(name: str) -> float | None:
            return runtime.registry.get_sample_value(name, labels)

        # The commit's answer may reach the processor after the reader saw the outputs.
        await eventually(
            lambda: sample("switchboard_consumer_position"),
            until=equals(3),
            timeout=10,
            what="the committed position",
        )
        consumer.pause(held)
        position = sample("switchboard_consumer_position")
        await produce(kafka_bootstrap, topic, [(b"k0", b"x")] * 5)
        # The runtime samples every LAG_SAMPLE_SECONDS; a sample taken while only some of
        # the five had reached the broker shows less: wait for all five.
        lag = await eventually(
            lambda: sample("switchboard_consumer_lag"),
            until=equals(5),
            timeout=20,
            interval=0.5,
            what="the held partition's lag",
        )
        assert lag == 5
        assert sample("switchboard_consumer_position") == position == 3
        consumer.resume(held)


async def test_state_survives_a_restart(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}input"
    async with running_processor(kafka_bootstrap, topic_prefix):
        await produce(kafka_bootstrap, topic, inputs(keys=3, per_key=5))
        await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=15)
    async with running_processor(kafka_bootstrap, topic_prefix):
        await produce(kafka_bootstrap, topic, inputs(keys=3, per_key=2))
        outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=21)

    values = Counter(r.value.decode() for r in outputs)
    assert sum(values.values()) == 21
    assert all(count == 1 for count in values.values())
    assert {f"k{k}:7" for k in range(3)} <= set(values), "counts restarted from zero"


async def test_poison_records_go_to_the_dlq_and_the_partition_keeps_flowing(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}input"
    records = [
        (b"k0", b"x"),
        (b"k0", b"poison"),
        (b"k0", b"crash"),
        (b"k0", b"amplify"),
        (b"k0", b"x"),
    ]
    async with running_processor(kafka_bootstrap, topic_prefix) as runtime:
        await produce(kafka_bootstrap, topic, records)
        outputs = await read_all(kafka_bootstrap, f"{topic_prefix}output", expected=2)
        letters = await read_all(kafka_bootstrap, f"{topic}.dlq", expected=3)
        ready, _ = runtime.readiness()

    assert [r.value for r in outputs] == [b"k0:1", b"k0:2"]
    dead = [DeadLetter.model_validate_json(r.value) for r in letters]
    assert [(d.error_kind, d.original_value()) for d in dead] == [
        ("poison", b"poison"),
        ("processing_error", b"crash"),
        ("output_too_large", b"amplify"),
    ]
    assert "handler bug" in dead[1].error
    assert all(d.source_topic == topic and d.source_offset is not None for d in dead)
    assert ready


async def test_caught_up_holds_only_while_the_broker_keeps_reporting(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Timers (SLA breaches) act only on state that is current: once the consumer stops
    hearing from the broker about a partition (here: paused, as when the broker is away),
    the partition no longer counts as caught up, so nothing is announced from stale state
    (a reply committed just before the outage would not have been read)."""
    async with running_processor(kafka_bootstrap, topic_prefix) as runtime:
        processor = runtime._processors[0][0]
        consumer = runtime._processors[0][1].consumer
        assert consumer is not None
        tp = TopicPartition(f"{topic_prefix}input", 0)
        await produce(kafka_bootstrap, tp.topic, [(b"k0", b"x")])
        async with asyncio.timeout(60):
            while not await processor.caught_up(tp):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        consumer.pause(tp)
        # No fetch of it is answered any more: once the last report is older than the
        # freshness bound (a second), the partition is no longer current. A fetch already
        # in flight when it was paused may still report, so wait rather than sleep.
        stale = await eventually(
            lambda: processor.caught_up(tp),
            until=lambda current: current is False,
            timeout=30,
            interval=0.1,
            what="the paused partition to stop counting as caught up",
        )
        consumer.resume(tp)
        async with asyncio.timeout(60):
            while not await processor.caught_up(tp):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    assert stale is False
