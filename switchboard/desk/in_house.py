"""Simulated in-house agents: each team reads its ``queue.<team_id>`` topic and answers
and resolves tickets after the delays the simulated workforce draws.

The router never gives a team more open tickets than its agents x concurrent tickets,
so every queued ticket has an agent slot at once: its first reply goes out after the
workforce's first-response delay and it is resolved after the handle time, both in
simulated time. A ticket withdrawn from the queue (re-routed) is dropped. Event ids
are derived from the assignment, so a reply sent twice is one reply to every reader;
a send that fails (broker away) is retried, and the event's time is when it was
recorded, as the agent terminal would record it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from plumbing.clock import Clock
from schemas.base import derive_id
from schemas.queue import QUEUE_EVENT, QueuedTicket, QueuedTicketWithdrawn
from schemas.tickets import Actor, FirstResponse, TicketResolved
from schemas.topics import queue_name
from switchboard.simulator import Workforce


@dataclass
class DeskCounters:
    answered: int = 0
    resolved: int = 0
    withdrawn: int = 0
    left_unanswered: int = 0


@dataclass
class InHouseDesk:
    bootstrap: str
    prefix: str
    team_ids: list[str]
    workforce: Workforce
    clock: Clock
    #: Whether agents answer a ticket at all (the chaos suite leaves some to breach).
    answers: Callable[[QueuedTicket], bool] = lambda _: True
    counters: DeskCounters = field(default_factory=DeskCounters)
    _work: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _consumers: dict[str, AIOKafkaConsumer] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            await asyncio.gather(
                *(self._team(team_id, producer, stop) for team_id in self.team_ids)
            )
        finally:
            for task in self._work.values():
                task.cancel()
            await producer.stop()

    async def _team(self, team_id: str, producer: AIOKafkaProducer, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            f"{self.prefix}{queue_name(team_id)}",
            bootstrap_servers=self.bootstrap,
            group_id=f"{self.prefix}desk-{team_id}",
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        self._consumers[team_id] = consumer
        try:
            while not stop.is_set():
                try:
                    batch = await consumer.getmany(timeout_ms=200)
                except KafkaError:
                    await asyncio.sleep(1.0)  # broker away: the consumer reconnects
                    continue
                for record in (r for records in batch.values() for r in records):
                    self._take(QUEUE_EVENT.validate_json(record.value), producer)
        finally:
            self._consumers.pop(team_id, None)
            await consumer.stop()

    async def positions(self) -> dict[TopicPartition, int] | None:
        """How far each team's queue has been read (None until every team's consumer has
        its partitions): a driver that steps a lockstep clock compares it with the queues'
        ends to know every ticket queued so far was picked up."""
        if len(self._consumers) < len(self.team_ids):
            return None
        read: dict[TopicPartition, int] = {}
        for consumer in self._consumers.values():
            assigned = consumer.assignment()
            if not assigned:
                return None
            for tp in assigned:
                read[tp] = await consumer.position(tp)
        return read

    def _take(self, event: object, producer: AIOKafkaProducer) -> None:
        if isinstance(event, QueuedTicketWithdrawn):
            task = self._work.pop(str(event.assignment_id), None)
            if task is not None:
                task.cancel()
                self.counters.withdrawn += 1
        elif isinstance(event, QueuedTicket):
            if not self.answers(event):
                self.counters.left_unanswered += 1
                return
            key = str(event.assignment_id)
            if key not in self._work:
                self._work[key] = asyncio.create_task(self._handle(event, producer))

    async def _handle(self, ticket: QueuedTicket, producer: AIOKafkaProducer) -> None:
        agent = Actor(kind="agent", id=f"{ticket.team_id}-agent")
        delay = self.workforce.first_response_delay(ticket.ticket_id, ticket.channel)
        await self.clock.sleep(delay.total_seconds())
        await self._record(
            producer,
            ticket.ticket_id,
            lambda: FirstResponse(
                event_id=derive_id("desk.first_response", str(ticket.assignment_id)),
                occurred_at=self.clock.now(),
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                assignment_id=ticket.assignment_id,
                team_id=ticket.team_id,
                actor=agent,
            ).to_json_bytes(),
        )
        self.counters.answered += 1
        work = self.workforce.handle_time(ticket.ticket_id, ticket.channel, ticket.skill)
        await self.clock.sleep(max(0.0, (work - delay).total_seconds()))
        await self._record(
            producer,
            ticket.ticket_id,
            lambda: TicketResolved(
                event_id=derive_id("desk.resolved", str(ticket.assignment_id)),
                occurred_at=self.clock.now(),
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                assignment_id=ticket.assignment_id,
                team_id=ticket.team_id,
                actor=agent,
                resolution="resolved by the simulated desk",
            ).to_json_bytes(),
        )
        self.counters.resolved += 1
        self._work.pop(str(ticket.assignment_id), None)

    async def _record(
        self, producer: AIOKafkaProducer, ticket_id: str, event: Callable[[], bytes]
    ) -> None:
        """Send until Kafka has it; each attempt stamps the time it is recorded."""
        delay = 0.2
        while True:
            try:
                await producer.send_and_wait(
                    f"{self.prefix}tickets", event(), key=ticket_id.encode()
                )
                return
            except KafkaError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
