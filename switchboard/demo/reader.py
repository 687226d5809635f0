"""Follow the deployment's topics from the beginning and fold them into ``Outcomes``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from schemas.base import Channel
from schemas.tickets import TicketOpened
from schemas.topics import SLA, SLA_FORECASTS, TICKETS, inbound_name
from switchboard.demo.outcomes import Outcomes, Stream, TopicRecord


def streams_of(prefix: str) -> dict[str, tuple[Stream, Channel | None]]:
    """The topics the demo reads, by full name (without the dead-letter topics)."""
    named: dict[str, tuple[Stream, Channel | None]] = {
        f"{prefix}{inbound_name(channel)}": (Stream.INBOUND, channel) for channel in Channel
    }
    named[f"{prefix}{TICKETS.name}"] = (Stream.TICKETS, None)
    named[f"{prefix}{SLA.name}"] = (Stream.SLA, None)
    named[f"{prefix}{SLA_FORECASTS.name}"] = (Stream.FORECASTS, None)
    return named


class TopicReader:
    """Reads committed records only (the services write in transactions)."""

    def __init__(
        self,
        bootstrap: str,
        prefix: str,
        deadline: Callable[[TicketOpened], datetime] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.prefix = prefix
        self.outcomes = Outcomes(deadline=deadline)
        self._streams = streams_of(prefix)
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []

    async def start(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            names = [
                name
                for name in await admin.list_topics()
                if name in self._streams or (name.startswith(self.prefix) and name.endswith(".dlq"))
            ]
            described = await admin.describe_topics(names)
        finally:
            await admin.close()
        for name in names:
            if name not in self._streams:
                self._streams[name] = (Stream.DEAD_LETTERS, None)
        self._partitions = [
            TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
        ]
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await self._consumer.start()
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def poll(self, timeout_ms: int = 200) -> int:
        """Fold what arrived; returns how many records."""
        assert self._consumer is not None
        batch = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=5_000)
        count = 0
        for records in batch.values():
            for record in records:
                stream, channel = self._streams[record.topic]
                self.outcomes.add(
                    TopicRecord(stream, record.value or b"", record.timestamp, channel)
                )
                count += 1
        return count

    async def follow(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll()

    async def settle(self, quiet_seconds: float, limit_seconds: float) -> None:
        """Wait (while ``follow`` folds) until the services have written what the messages
        cause: no new message or ticket for ``quiet_seconds``, ``limit_seconds`` at most."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds

        def seen() -> int:
            return self.outcomes.inbound_deliveries + len(self.outcomes.tickets)

        last, quiet_since = seen(), loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(0.5)
            if seen() != last:
                last, quiet_since = seen(), loop.time()
            elif loop.time() - quiet_since >= quiet_seconds:
                return

    async def catch_up(self) -> None:
        """Read up to the end every partition has now."""
        assert self._consumer is not None
        ends = await self._consumer.end_offsets(self._partitions)
        while True:
            behind = [tp for tp in self._partitions if await self._consumer.position(tp) < ends[tp]]
            if not behind:
                return
            await self.poll(500)
