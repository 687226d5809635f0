"""Co-partitioned inputs on a real broker: partition n of two topics keyed alike feeds one
task (one store, one changelog partition, one transaction), also with two instances."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from fastapi import FastAPI

from plumbing.processor import Changelog, Record, Step, TransactionalProcessor
from plumbing.runtime import ServiceRuntime
from plumbing.settings import ServiceSettings
from schemas.topics import TopicSpec, dlq_name
from tests.support.kafka_io import produce, read_all
from tests.support.waiting import equals, eventually

pytestmark = [pytest.mark.kafka]

LEFT = TopicSpec("left", partitions=3, description="first input")
RIGHT = TopicSpec("right", partitions=3, description="second input, keyed like the first")
OUTPUT = TopicSpec("joined", partitions=3, description="output")
CHANGELOG = TopicSpec("joined-changelog", partitions=3, description="state", compacted=True)


@asynccontextmanager
async def running(bootstrap: str, prefix: str, instance: str) -> AsyncIterator[ServiceRuntime]:
    settings = ServiceSettings(
        kafka_bootstrap_servers=bootstrap, topic_prefix=prefix, instance_id=instance
    )
    runtime = ServiceRuntime(
        "join",
        settings,
        topics=[LEFT, RIGHT, OUTPUT, CHANGELOG]
        + [TopicSpec(dlq_name(t.name), 1, "dlq") for t in (LEFT, RIGHT)],
    )
    output = settings.topic(OUTPUT.name)
    left = settings.topic(LEFT.name)

    def count(record: Record, step: Step[str]) -> None:
        """Keeps 'L<n>R<m>' per key: what both topics said about it, in one store."""
        key = (record.key or b"").decode()
        seen = step.store.get(key) or "L0R0"
        lefts, rights = (int(part) for part in seen[1:].split("R"))
        if record.topic == left:
            lefts += 1
        else:
            rights += 1
        value = f"L{lefts}R{rights}"
        step.store.put(key, value)
        step.emit(output, f"{key}:{value}:{record.topic}:{record.offset}".encode(), key=record.key)

    processor = TransactionalProcessor[str](
        service="join",
        group_id=settings.group("join"),
        handler=count,
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=settings.topic(CHANGELOG.name), encode=str.encode, decode=bytes.decode
        ),
        co_partitioned=(left, settings.topic(RIGHT.name)),
    )
    runtime.consume(
        processor, [left, settings.topic(RIGHT.name)], payload=bytes, title="j", description="j"
    )
    async with runtime.lifespan(FastAPI()):
        yield runtime


def final_states(values: list[str]) -> dict[str, tuple[int, int]]:
    """Largest (lefts, rights) each key reached."""
    best: dict[str, tuple[int, int]] = {}
    for value in values:
        key, state, _, _ = value.split(":")
        lefts, rights = (int(part) for part in state[1:].split("R"))
        best[key] = max(best.get(key, (0, 0)), (lefts, rights), key=sum)
    return best


async def test_both_topics_feed_one_store_and_state_survives_a_restart(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    keys = [f"k{n}".encode() for n in range(9)]
    async with running(kafka_bootstrap, topic_prefix, "a"):
        await produce(kafka_bootstrap, f"{topic_prefix}left", [(k, b"x") for k in keys])
        await produce(kafka_bootstrap, f"{topic_prefix}right", [(k, b"y") for k in keys])
        await read_all(kafka_bootstrap, f"{topic_prefix}joined", expected=18)
    async with running(kafka_bootstrap, topic_prefix, "b"):
        await produce(kafka_bootstrap, f"{topic_prefix}right", [(k, b"y") for k in keys])
        outputs = await read_all(kafka_bootstrap, f"{topic_prefix}joined", expected=27)

    values = [r.value.decode() for r in outputs]
    assert len(values) == len(set(values)) == 27, "an input had two effects"
    assert final_states(values) == {k.decode(): (1, 2) for k in keys}


async def test_two_instances_share_the_tasks_without_fencing_each_other(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    keys = [f"k{n}".encode() for n in range(30)]
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running(kafka_bootstrap, topic_prefix, "a"))
        second = await stack.enter_async_context(running(kafka_bootstrap, topic_prefix, "b"))

        def tasks() -> list[int]:
            return sorted(len(r._processors[0][0].owned_partitions()) for r in (first, second))

        for round_ in range(3):
            if round_ == 1:
                # The first round may run while the group still rebalances; the others
                # run once both members own tasks, so both process and commit.
                await eventually(tasks, until=equals([1, 2]), what="the three tasks shared")
            await produce(kafka_bootstrap, f"{topic_prefix}left", [(k, b"x") for k in keys])
            await produce(kafka_bootstrap, f"{topic_prefix}right", [(k, b"y") for k in keys])
            await read_all(kafka_bootstrap, f"{topic_prefix}joined", expected=60 * (round_ + 1))
        owned = tasks()
        failed = sum(
            r.metrics.transactions.labels("join", "failed")._value.get() for r in (first, second)
        )
    outputs = await read_all(kafka_bootstrap, f"{topic_prefix}joined", expected=180)
    values = [r.value.decode() for r in outputs]
    assert len(values) == len(set(values)) == 180
    assert final_states(values) == {k.decode(): (3, 3) for k in keys}
    assert owned == [1, 2], f"tasks per instance: {owned}"
    assert failed == 0, "instances fenced each other: inputs of one task on two members"
    by_topic = Counter(value.split(":")[2] for value in values)
    assert by_topic == {f"{topic_prefix}left": 90, f"{topic_prefix}right": 90}
