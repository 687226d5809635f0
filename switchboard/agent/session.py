"""The terminal's Kafka side: the team's queue read whole, presence with a heartbeat, and
the agent's actions written to ``tickets``.

The queue is mirrored the way services mirror a table (``plumbing.table.GlobalTable``:
every partition, from the beginning, ``read_committed``), not consumed as a group: every
terminal of the team sees the whole queue, and who holds a ticket is the router's
decision, not a partition assignment, so a rebalance cannot put one ticket on two
screens.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from plumbing.clock import Clock
from plumbing.logging import get_logger
from plumbing.table import GlobalTable
from schemas.agents import AgentPresence, AgentStatus, presence_key
from schemas.base import Event
from schemas.queue import QUEUE_EVENT, QueueEvent
from switchboard.agent.desk import TeamQueue

log = get_logger(__name__)


class AgentSession:
    def __init__(
        self,
        *,
        client_options: dict[str, Any],
        queue_topic: str,
        tickets_topic: str,
        presence_topic: str,
        queue: TeamQueue,
        clock: Clock,
        heartbeat_seconds: float,
        on_notice: Callable[[str], None],
    ) -> None:
        self.queue = queue
        self.clock = clock
        self.heartbeat_seconds = heartbeat_seconds
        self.status = AgentStatus.ONLINE
        self.session_id = uuid.uuid4().hex
        #: Monotonic instant of the last heartbeat the broker acknowledged.
        self.last_heartbeat: float | None = None
        self.changed = asyncio.Event()
        self._on_notice = on_notice
        self._tickets_topic = tickets_topic
        self._presence_topic = presence_topic
        self._client_options = client_options
        self._producer: AIOKafkaProducer | None = None  # made in start(): needs the loop
        self._table: GlobalTable[QueueEvent] = GlobalTable(
            topic=queue_topic,
            decode=QUEUE_EVENT.validate_json,
            client_options=client_options,
            on_change=self._apply,
            on_invalid=lambda record, exc: on_notice(
                f"skipped a bad queue record at offset {record.offset}: {exc}"
            ),
            poll_ms=100,
        )
        self._beat: asyncio.Task[None] | None = None

    @property
    def caught_up(self) -> bool:
        return self._table.caught_up.is_set()

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            **self._client_options, acks="all", enable_idempotence=True
        )
        await self._producer.start()
        await self._announce()  # online before anything else: the router counts on it
        await self._table.start()
        self._beat = asyncio.create_task(self._heartbeat())

    async def stop(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
            await asyncio.gather(self._beat, return_exceptions=True)
        self.status = AgentStatus.OFFLINE
        if self.last_heartbeat is not None:  # it announced itself: log out
            # The router gives this agent's tickets back to the team.
            with contextlib.suppress(KafkaError, TimeoutError):
                await asyncio.wait_for(self._announce(), 10)
        await self._table.stop()
        if self._producer is not None:
            await self._producer.stop()

    async def wait_caught_up(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._table.caught_up.wait(), seconds)
        return self.caught_up

    async def set_status(self, status: AgentStatus) -> None:
        self.status = status
        await self._announce()

    def connected(self) -> bool:
        """False once no heartbeat got through for as long as the router waits before it
        takes the agent for gone: its tickets may be someone else's by now."""
        last = self.last_heartbeat
        return last is not None and time.monotonic() - last < 3 * self.heartbeat_seconds

    async def publish(self, event: Event, key: str) -> None:
        assert self._producer is not None, "start() first"
        await self._producer.send_and_wait(
            self._tickets_topic, event.to_json_bytes(), key=key.encode()
        )

    async def wait_for(self, condition: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            left = deadline - loop.time()
            if left <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        return True

    # -- internals -----------------------------------------------------------------
    def _apply(self, _: str, event: QueueEvent | None) -> None:
        if event is None:
            return
        notice = self.queue.apply(event)
        if notice and self.caught_up:  # what was there before is the list, not news
            self._on_notice(notice)
        self.changed.set()

    async def _announce(self) -> None:
        queue = self.queue
        presence = AgentPresence(
            event_id=uuid.uuid4(),
            occurred_at=self.clock.now(),
            correlation_id=self.session_id,
            team_id=queue.team_id,
            agent_id=queue.agent_id,
            status=self.status,
            heartbeat_seconds=self.heartbeat_seconds,
            session_id=self.session_id,
        )
        assert self._producer is not None, "start() first"
        await self._producer.send_and_wait(
            self._presence_topic,
            presence.to_json_bytes(),
            key=presence_key(queue.team_id, queue.agent_id).encode(),
        )
        self.last_heartbeat = time.monotonic()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await asyncio.wait_for(self._announce(), 2 * self.heartbeat_seconds)
            except (KafkaError, TimeoutError) as exc:
                log.warning("heartbeat not sent; retrying", error=repr(exc))
