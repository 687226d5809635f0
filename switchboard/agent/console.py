"""The terminal: reads the team's queue as a consumer group, takes commands, writes
each action as an event on ``tickets``.

Commands (one per line, so a script can drive it through stdin)::

    list                   the open tickets, most urgent first
    show N                 the customer's message of ticket N
    respond N [waiting]    first response sent ("waiting": it asks the customer something)
    resolve N [note]       resolved
    release N reason       give it back; the router routes it again
    rate N SCORE [comment] the customer's satisfaction (CSAT 1-5), e.g. at the end of a call
    wait COUNT [SECONDS]   block until at least COUNT tickets are open (default 30 s)
    help, quit
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from pydantic import ValidationError

from plumbing.clock import Clock
from plumbing.kafka import client_options
from plumbing.settings import ServiceSettings
from schemas.base import derive_id
from schemas.queue import QUEUE_EVENT
from schemas.tickets import (
    Actor,
    FirstResponse,
    TicketEvent,
    TicketRated,
    TicketReleased,
    TicketResolved,
)
from schemas.topics import TICKETS, queue_name
from switchboard.agent.desk import AgentDesk, OpenTicket, describe

HELP = __doc__.split("::", 1)[1].rstrip() if __doc__ else ""


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, console: AgentConsole) -> None:
        self._console = console

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._console.commit()
        self._console.desk.drop_partitions({tp.partition for tp in revoked})

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        # What is already in the queue is catch-up: the agent sees the list, not news.
        if assigned:
            self._console.live_from.update(await self._console.consumer.end_offsets(assigned))


@dataclass
class AgentConsole:
    settings: ServiceSettings
    team_id: str
    agent_id: str
    clock: Clock
    out: TextIO = sys.stdout

    def __post_init__(self) -> None:
        self.desk = AgentDesk(self.team_id)
        self.queue_topic = self.settings.topic(queue_name(self.team_id))
        self.tickets_topic = self.settings.topic(TICKETS.name)
        self.actor = Actor(kind="agent", id=self.agent_id)
        self.changed = asyncio.Event()
        #: Per queue partition, the offset from which records are news (notices shown).
        self.live_from: dict[TopicPartition, int] = {}

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # -- Kafka ---------------------------------------------------------------------
    async def run(self, read_line: Callable[[], Any]) -> int:
        options = client_options(self.settings, f"switchboard-agent-{self.agent_id}")
        # A consumer group per team: each open ticket is on exactly one agent's screen.
        self.consumer = AIOKafkaConsumer(
            **options,
            group_id=self.settings.group(f"switchboard-agents-{self.team_id}"),
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self.producer = AIOKafkaProducer(**options, acks="all", enable_idempotence=True)
        await self.producer.start()
        await self.consumer.start()
        self.consumer.subscribe([self.queue_topic], listener=_Listener(self))
        follower = asyncio.create_task(self._follow())
        self.say(f"agent {self.agent_id} on {self.queue_topic}; 'help' lists the commands")
        try:
            while True:
                line = await read_line()
                if not line:  # end of input
                    return 0
                if not await self.execute(line.strip()):
                    return 0
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            await self.commit()
            await self.consumer.stop()
            await self.producer.stop()

    async def _follow(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                for record in records:
                    try:
                        event = QUEUE_EVENT.validate_json(record.value or b"")
                    except ValidationError as exc:
                        self.say(f"skipped a bad queue record at offset {record.offset}: {exc}")
                        continue
                    notice = self.desk.apply(event, tp.partition, record.offset)
                    if notice and record.offset >= self.live_from.get(tp, 0):
                        self.say(notice)
            if batches:
                self.changed.set()
                await self.commit()

    async def commit(self) -> None:
        offsets = {
            TopicPartition(self.queue_topic, partition): offset
            for partition, offset in self.desk.safe_offsets().items()
            if TopicPartition(self.queue_topic, partition) in self.consumer.assignment()
        }
        if offsets:
            await self.consumer.commit(offsets)

    async def _publish(self, event: TicketEvent) -> None:
        await self.producer.send_and_wait(
            self.tickets_topic, event.to_json_bytes(), key=event.ticket_id.encode()
        )

    # -- commands ------------------------------------------------------------------
    async def execute(self, line: str) -> bool:
        """Run one command; False means quit."""
        if not line:
            return True
        command, *args = line.split(maxsplit=2)
        match command:
            case "quit" | "exit":
                return False
            case "help":
                self.say(HELP)
            case "list":
                self._list()
            case "wait":
                await self._wait(args)
            case "show" | "respond" | "resolve" | "release" | "rate":
                await self._act(command, args)
            case _:
                self.say(f"unknown command {command!r}; 'help' lists the commands")
        return True

    def _list(self) -> None:
        tickets = self.desk.listing()
        if not tickets:
            self.say("no open tickets")
        now = self.clock.now()
        for position, ticket in enumerate(tickets, start=1):
            self.say(describe(position, ticket, now))

    async def _wait(self, args: list[str]) -> None:
        try:
            count = int(args[0]) if args else 1
            seconds = float(args[1]) if len(args) > 1 else 30.0
        except ValueError:
            self.say("usage: wait COUNT [SECONDS]")
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len(self.desk.listing()) < count and loop.time() < deadline:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), deadline - loop.time())
        self.say(f"{len(self.desk.listing())} open ticket(s)")

    def _pick(self, args: list[str]) -> OpenTicket | None:
        tickets = self.desk.listing()
        try:
            return tickets[int(args[0]) - 1]
        except (IndexError, ValueError):
            self.say(f"no ticket {args[0] if args else ''}; 'list' shows the numbers")
            return None

    async def _act(self, command: str, args: list[str]) -> None:
        chosen = self._pick(args)
        if chosen is None:
            return
        ticket = chosen.ticket
        rest = args[1] if len(args) > 1 else ""
        common: dict[str, Any] = {
            "occurred_at": self.clock.now(),
            "correlation_id": ticket.correlation_id,
            "ticket_id": ticket.ticket_id,
            "assignment_id": ticket.assignment_id,
            "team_id": ticket.team_id,
            "actor": self.actor,
        }
        ids = (str(ticket.assignment_id), self.agent_id)
        match command:
            case "show":
                self.say(f"{ticket.customer_name or 'customer'}: {ticket.text}")
            case "respond":
                await self._publish(
                    FirstResponse(
                        event_id=derive_id("agent.first_response", *ids),
                        awaiting_customer=rest == "waiting",
                        **common,
                    )
                )
                self.desk.mark_responded(ticket.assignment_id)
                self.say(f"first response recorded for {ticket.ticket_id}")
            case "resolve":
                await self._publish(
                    TicketResolved(
                        event_id=derive_id("agent.resolved", *ids), resolution=rest, **common
                    )
                )
                self.desk.finish(ticket.assignment_id)
                self.say(f"resolved {ticket.ticket_id}")
            case "release":
                if not rest:
                    self.say("usage: release N reason")
                    return
                await self._publish(
                    TicketReleased(
                        event_id=derive_id("agent.released", *ids), reason=rest, **common
                    )
                )
                self.desk.finish(ticket.assignment_id)
                self.say(f"released {ticket.ticket_id}: the router routes it again")
            case "rate":
                await self._rate(ticket.ticket_id, ticket.correlation_id, ids, rest)
        await self.commit()

    async def _rate(
        self, ticket_id: str, correlation_id: str, ids: tuple[str, str], rest: str
    ) -> None:
        score_text, _, comment = rest.partition(" ")
        if score_text not in {"1", "2", "3", "4", "5"}:
            self.say("usage: rate N SCORE [comment] (SCORE 1 to 5)")
            return
        await self._publish(
            TicketRated(
                event_id=derive_id("agent.rated", *ids),
                occurred_at=self.clock.now(),
                correlation_id=correlation_id,
                ticket_id=ticket_id,
                score=int(score_text),
                comment=comment.strip(),
                source="agent",
                team_id=self.team_id,
                actor=self.actor,
            )
        )
        self.say(f"rating {score_text} recorded for {ticket_id}")
