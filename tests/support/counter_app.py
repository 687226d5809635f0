"""A minimal service on the transactional processor, run as a real process by tests
that kill it: counts records per key, emits '<key>:<count>' for each.

    python -m tests.support.counter_app BOOTSTRAP PREFIX
"""

from __future__ import annotations

import asyncio
import signal
import sys

from fastapi import FastAPI

from plumbing.logging import configure_logging
from plumbing.processor import Changelog, Record, Step, TransactionalProcessor
from plumbing.runtime import ServiceRuntime
from plumbing.settings import ServiceSettings
from schemas.topics import TopicSpec, dlq_name

INPUT = TopicSpec("input", partitions=4, description="counter input")
OUTPUT = TopicSpec("output", partitions=4, description="counter output")
CHANGELOG = TopicSpec("counts-changelog", partitions=4, description="counts", compacted=True)
DLQ = TopicSpec(dlq_name("input"), partitions=1, description="counter dlq")


def build(bootstrap: str, prefix: str) -> ServiceRuntime:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
    runtime = ServiceRuntime("counter", settings, topics=[INPUT, OUTPUT, CHANGELOG, DLQ])
    output = settings.topic(OUTPUT.name)

    def count(record: Record, step: Step[int]) -> None:
        key = (record.key or b"").decode()
        value = (step.store.get(key) or 0) + 1
        step.store.put(key, value)
        step.emit(output, f"{key}:{value}".encode(), key=record.key)

    processor = TransactionalProcessor[int](
        service="counter",
        group_id=settings.group("counter"),
        handler=count,
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=settings.topic(CHANGELOG.name), encode=lambda n: str(n).encode(), decode=int
        ),
    )
    runtime.consume(
        processor, [settings.topic(INPUT.name)], payload=bytes, title="in", description="in"
    )
    return runtime


async def main(bootstrap: str, prefix: str) -> None:
    configure_logging("counter", "INFO", "json")
    runtime = build(bootstrap, prefix)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with runtime.lifespan(FastAPI()):
        print("counter ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
