"""Simulated in-house agents, working through the same path as people at their
terminals: each agent announces its presence with a heartbeat on ``agents.presence``,
the router gives it tickets (``queue.ticket_claimed``), and it answers and resolves each
one after the delays the simulated workforce draws, in simulated time.

Each team's queue is read whole, like a terminal reads it (``GlobalTable``). A ticket
taken back from an agent (released, returned for not answering, withdrawn, closed) stops
its work. Event ids are derived from the assignment, so a reply sent twice is one reply
to every reader, and a ticket answered before it moved to a colleague gets a later reply,
not a second first response. A send that fails (broker away) is retried; the event's
time is when it was recorded, as the terminal would record it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from plumbing.clock import Clock
from plumbing.table import GlobalTable
from schemas.agents import AgentPresence, AgentStatus, presence_key
from schemas.base import derive_id
from schemas.queue import (
    QUEUE_EVENT,
    QueuedTicket,
    QueuedTicketClaimed,
    QueuedTicketClosed,
    QueuedTicketUnclaimed,
    QueuedTicketWithdrawn,
    QueueEvent,
)
from schemas.tickets import Actor, AgentReplied, FirstResponse, TicketResolved
from schemas.topics import AGENT_PRESENCE, queue_name
from switchboard.simulator import Workforce

#: Real seconds between two presence announcements of each simulated agent.
HEARTBEAT_SECONDS = 2.0


@dataclass
class DeskCounters:
    answered: int = 0
    resolved: int = 0
    taken_back: int = 0
    left_unanswered: int = 0


@dataclass
class InHouseDesk:
    bootstrap: str
    prefix: str
    #: Team id -> how many agents of it are at work (the config's headcount).
    headcount: dict[str, int]
    workforce: Workforce
    clock: Clock
    #: Whether agents answer a ticket at all (the chaos suite leaves some to breach).
    answers: Callable[[QueuedTicket], bool] = lambda _: True
    counters: DeskCounters = field(default_factory=DeskCounters)
    _tickets: dict[uuid.UUID, QueuedTicket] = field(default_factory=dict)
    _work: dict[uuid.UUID, asyncio.Task[None]] = field(default_factory=dict)
    _producer: AIOKafkaProducer | None = None
    _queues: list[GlobalTable[QueueEvent]] = field(default_factory=list)

    def agents(self, team_id: str) -> list[str]:
        return [f"{team_id}-{n:02d}" for n in range(1, self.headcount[team_id] + 1)]

    async def run(self, stop: asyncio.Event) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        self._producer = producer
        queues = [
            GlobalTable[QueueEvent](
                topic=f"{self.prefix}{queue_name(team_id)}",
                decode=QUEUE_EVENT.validate_json,
                client_options={"bootstrap_servers": self.bootstrap},
                on_change=self._take,
                poll_ms=100,
            )
            for team_id in self.headcount
        ]
        try:
            await self._announce(AgentStatus.ONLINE)
            for queue in queues:
                await queue.start()
                self._queues.append(queue)
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), HEARTBEAT_SECONDS)
                if not stop.is_set():
                    await self._announce(AgentStatus.ONLINE)
        finally:
            for task in self._work.values():
                task.cancel()
            self._queues.clear()
            for queue in queues:
                await queue.stop()
            with contextlib.suppress(KafkaError, TimeoutError):
                await asyncio.wait_for(self._announce(AgentStatus.OFFLINE), 10)
            await producer.stop()

    async def positions(self) -> dict[TopicPartition, int] | None:
        """How far each team's queue has been read (None until every queue is followed):
        a driver that steps a lockstep clock compares it with the queues' ends to know
        every ticket queued and claimed so far was picked up."""
        if len(self._queues) < len(self.headcount):
            return None
        read: dict[TopicPartition, int] = {}
        for queue in self._queues:
            read.update(await queue.positions())
        return read

    async def _announce(self, status: AgentStatus) -> None:
        for team_id in self.headcount:
            for agent in self.agents(team_id):
                presence = AgentPresence(
                    event_id=uuid.uuid4(),
                    occurred_at=self.clock.now(),
                    correlation_id=f"desk-{agent}",
                    team_id=team_id,
                    agent_id=agent,
                    status=status,
                    heartbeat_seconds=HEARTBEAT_SECONDS,
                    session_id=f"desk-{agent}",
                )
                with contextlib.suppress(KafkaError):  # the next heartbeat tries again
                    await self._send(
                        f"{self.prefix}{AGENT_PRESENCE.name}",
                        presence.to_json_bytes(),
                        presence_key(team_id, agent),
                    )

    def _take(self, _: str, event: QueueEvent | None) -> None:
        match event:
            case QueuedTicket():
                self._tickets[event.assignment_id] = event
            case QueuedTicketClaimed() if event.assignment_id in self._tickets:
                self._stop_work(event.assignment_id, counted=False)
                ticket = self._tickets[event.assignment_id]
                if not self.answers(ticket):
                    self.counters.left_unanswered += 1
                    return
                self._work[event.assignment_id] = asyncio.create_task(
                    self._handle(ticket, event.agent_id, answered=event.answered)
                )
            case QueuedTicketUnclaimed():
                self._stop_work(event.assignment_id, counted=True)
            case QueuedTicketWithdrawn() | QueuedTicketClosed():
                self._stop_work(
                    event.assignment_id, counted=isinstance(event, QueuedTicketWithdrawn)
                )
                self._tickets.pop(event.assignment_id, None)
            case _:
                pass

    def _stop_work(self, assignment: uuid.UUID, *, counted: bool) -> None:
        task = self._work.pop(assignment, None)
        if task is not None and not task.done():
            task.cancel()
            if counted:
                self.counters.taken_back += 1

    async def _handle(self, ticket: QueuedTicket, agent_id: str, *, answered: bool) -> None:
        agent = Actor(kind="agent", id=agent_id)
        common = {
            "correlation_id": ticket.correlation_id,
            "ticket_id": ticket.ticket_id,
            "assignment_id": ticket.assignment_id,
            "team_id": ticket.team_id,
            "actor": agent,
        }
        assignment = str(ticket.assignment_id)
        delay = self.workforce.first_response_delay(ticket.ticket_id, ticket.channel)
        await self.clock.sleep(delay.total_seconds())
        if answered:  # a colleague answered before it came here: a later reply
            await self._record(
                ticket.ticket_id,
                lambda: AgentReplied(
                    event_id=derive_id("desk.reply", assignment, agent_id),
                    occurred_at=self.clock.now(),
                    **common,
                ).to_json_bytes(),
            )
        else:
            await self._record(
                ticket.ticket_id,
                lambda: FirstResponse(
                    event_id=derive_id("desk.first_response", assignment),
                    occurred_at=self.clock.now(),
                    **common,
                ).to_json_bytes(),
            )
        self.counters.answered += 1
        work = self.workforce.handle_time(ticket.ticket_id, ticket.channel, ticket.skill)
        await self.clock.sleep(max(0.0, (work - delay).total_seconds()))
        await self._record(
            ticket.ticket_id,
            lambda: TicketResolved(
                event_id=derive_id("desk.resolved", assignment),
                occurred_at=self.clock.now(),
                resolution="resolved by the simulated desk",
                **common,
            ).to_json_bytes(),
        )
        self.counters.resolved += 1
        self._work.pop(ticket.assignment_id, None)

    async def _send(self, topic: str, value: bytes, key: str) -> None:
        assert self._producer is not None
        await self._producer.send_and_wait(topic, value, key=key.encode())

    async def _record(self, ticket_id: str, event: Callable[[], bytes]) -> None:
        """Send until Kafka has it; each attempt stamps the time it is recorded."""
        delay = 0.2
        while True:
            try:
                await self._send(f"{self.prefix}tickets", event(), ticket_id)
                return
            except KafkaError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
