"""A whole topic (every partition) mirrored in memory: team capacity, customer tiers,
or a changelog other instances write. Reads ``read_committed`` and follows the tail."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from plumbing.logging import get_logger

V = TypeVar("V")

log = get_logger(__name__)


class GlobalTable(Generic[V]):
    def __init__(
        self,
        *,
        topic: str,
        decode: Callable[[bytes], V],
        client_options: dict[str, Any],
        on_change: Callable[[str, V | None], None] | None = None,
        on_invalid: Callable[[Any, Exception], None] | None = None,
    ) -> None:
        self.topic = topic
        self._decode = decode
        self._client_options = client_options
        self._on_change = on_change
        self._on_invalid = on_invalid
        self._values: dict[str, V] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._end_at_start: dict[TopicPartition, int] = {}
        self.caught_up = asyncio.Event()

    def get(self, key: str) -> V | None:
        return self._values.get(key)

    def items(self) -> list[tuple[str, V]]:
        return list(self._values.items())

    def __len__(self) -> int:
        return len(self._values)

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            **self._client_options,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        partitions = await self._partitions()
        if not partitions:
            raise RuntimeError(f"topic {self.topic} does not exist")
        await consumer.start()
        self._consumer = consumer
        assignment = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer.assign(assignment)
        await consumer.seek_to_beginning(*assignment)
        self._end_at_start = await consumer.end_offsets(assignment)
        self._task = asyncio.create_task(self._follow(consumer))

    async def _partitions(self, wait_s: float = 10.0) -> list[int]:
        """The topic's partitions, from the cluster (a consumer without subscriptions has
        no metadata for the topic yet). A topic created a moment ago may take a little
        while to show its partitions: ask again until ``wait_s`` has passed."""
        admin = AIOKafkaAdminClient(**self._client_options)
        await admin.start()
        loop = asyncio.get_running_loop()
        give_up = loop.time() + wait_s
        try:
            while True:
                (description,) = await admin.describe_topics([self.topic])
                partitions = [p["partition"] for p in description["partitions"]]
                if partitions or loop.time() >= give_up:
                    return partitions
                await asyncio.sleep(0.2)
        finally:
            await admin.close()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])
        if self._consumer is not None:
            await self._consumer.stop()

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        await self._check_caught_up(consumer)
        while True:
            fetched = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in fetched.values():
                for record in records:
                    self._apply(record)
            if not self.caught_up.is_set():
                await self._check_caught_up(consumer)

    async def _check_caught_up(self, consumer: AIOKafkaConsumer) -> None:
        for tp, end in self._end_at_start.items():
            if await consumer.position(tp) < end:
                return
        self.caught_up.set()

    def _apply(self, record: Any) -> None:
        if record.key is None:
            return
        key = record.key.decode()
        if record.value is None:
            self._values.pop(key, None)
            value: V | None = None
        else:
            try:
                value = self._decode(record.value)
            except Exception as exc:
                log.error(
                    "invalid record in table topic; ignored",
                    topic=self.topic,
                    partition=record.partition,
                    offset=record.offset,
                    error=repr(exc),
                )
                if self._on_invalid is not None:
                    self._on_invalid(record, exc)
                return
            self._values[key] = value
        if self._on_change is not None:
            self._on_change(key, value)
