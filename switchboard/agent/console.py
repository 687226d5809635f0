"""The terminal: the team's queue, who holds what, and the agent's commands; each action
is an event on ``tickets``.

Commands (one per line, so a script can drive it through stdin; N is a number from
``list`` or a ticket id)::

    list                   the team's open tickets, most urgent first, and who holds each
    mine                   the tickets you hold
    next                   take the most urgent ticket nobody holds
    claim N                take ticket N (if nobody holds it)
    show N                 the customer's message of ticket N
    respond N [waiting]    reply sent ("waiting": it asks the customer something)
    resolve N [note]       resolved
    release N [reason]     put it back in the team's queue for a colleague
    reroute N reason       give it back to the router for another team
    rate N SCORE [comment] the customer's satisfaction (CSAT 1-5), e.g. at the end of a call
    away, online           stop or start getting new tickets (you keep yours)
    wait COUNT [SECONDS]   block until you hold at least COUNT tickets (default 30 s)
    help, quit
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from aiokafka.errors import UnknownTopicOrPartitionError

from plumbing.clock import Clock
from plumbing.kafka import client_options
from plumbing.settings import ServiceSettings
from schemas.agents import AgentStatus
from schemas.base import derive_id
from schemas.tickets import (
    Actor,
    AgentReplied,
    ClaimRequested,
    FirstResponse,
    TicketRated,
    TicketReleased,
    TicketResolved,
    UnclaimRequested,
)
from schemas.topics import AGENT_PRESENCE, TICKETS, queue_name
from switchboard.agent.desk import QueueEntry, TeamQueue, describe
from switchboard.agent.session import AgentSession

HELP = __doc__.split("::", 1)[1].rstrip() if __doc__ else ""
#: How long a command waits for the router's answer to a claim.
ANSWER_SECONDS = 15.0
#: Tickets ``next`` tries when colleagues take the first ones at the same moment.
NEXT_TRIES = 3


@dataclass
class AgentConsole:
    settings: ServiceSettings
    team_id: str
    agent_id: str
    clock: Clock
    heartbeat_seconds: float = 2.0
    out: TextIO = sys.stdout

    def __post_init__(self) -> None:
        self.queue = TeamQueue(self.team_id, self.agent_id)
        self.queue_topic = self.settings.topic(queue_name(self.team_id))
        self.actor = Actor(kind="agent", id=self.agent_id)
        self.session = AgentSession(
            client_options=client_options(self.settings, f"switchboard-agent-{self.agent_id}"),
            queue_topic=self.queue_topic,
            tickets_topic=self.settings.topic(TICKETS.name),
            presence_topic=self.settings.topic(AGENT_PRESENCE.name),
            queue=self.queue,
            clock=self.clock,
            heartbeat_seconds=self.heartbeat_seconds,
            on_notice=self.say,
        )

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def run(self, read_line: Callable[[], Any]) -> int:
        try:
            await self.session.start()
        except (UnknownTopicOrPartitionError, RuntimeError) as exc:
            self.say(
                f"cannot open {self.queue_topic} ({exc!r}): is {self.team_id!r} an in-house "
                "team of the router's config, and has the router started once?"
            )
            await self.session.stop()
            return 2
        self.say(f"agent {self.agent_id} online on {self.queue_topic}; 'help' lists the commands")
        self.say("catching up on the team's queue ...")
        try:
            if await self.session.wait_caught_up(ANSWER_SECONDS):
                self._report_caught_up()
            while True:
                line = await read_line()
                if not line:  # end of input
                    return 0
                if not await self.execute(line.strip()):
                    return 0
        finally:
            await self.session.stop()

    def _report_caught_up(self) -> None:
        listing = self.queue.listing()
        waiting = sum(1 for entry in listing if entry.holder is None)
        self.say(
            f"caught up: {len(listing)} open ticket(s), {waiting} waiting, "
            f"{len(self.queue.mine())} yours"
        )

    # -- commands ------------------------------------------------------------------
    async def execute(self, line: str) -> bool:
        """Run one command; False means quit."""
        if not line:
            return True
        command, *args = line.split(maxsplit=2)
        if command in ("quit", "exit"):
            return False
        if command in ("help", "away", "online"):
            await self._session_command(command)
        elif await self._ready():
            await self._queue_command(command, args)
        return True

    async def _session_command(self, command: str) -> None:
        if command == "help":
            self.say(HELP)
            return
        await self.session.set_status(AgentStatus(command))
        if command == "away":
            self.say("away: you keep your tickets and get no new ones")
        else:
            self.say("online")

    async def _ready(self) -> bool:
        """Before the whole queue is read, a list would be a lie and a claim a guess."""
        if self.session.caught_up:
            return True
        if not await self.session.wait_caught_up(ANSWER_SECONDS):
            self.say("still catching up on the team's queue; try again in a moment")
            return False
        self._report_caught_up()
        return True

    async def _queue_command(self, command: str, args: list[str]) -> None:
        match command:
            case "list":
                self._list(self.queue.listing())
            case "mine":
                self._list(self.queue.mine())
            case "wait":
                await self._wait(args)
            case "next":
                await self._next()
            case "claim":
                if (entry := self._pick(args)) is not None:
                    await self._claim(entry)
            case "show" | "respond" | "resolve" | "release" | "reroute" | "rate":
                await self._act(command, args)
            case _:
                self.say(f"unknown command {command!r}; 'help' lists the commands")

    def _list(self, entries: list[QueueEntry]) -> None:
        if not entries:
            self.say("no open tickets")
        now = self.clock.now()
        for position, entry in enumerate(entries, start=1):
            self.say(describe(position, entry, self.agent_id, now))

    async def _wait(self, args: list[str]) -> None:
        try:
            count = int(args[0]) if args else 1
            seconds = float(args[1]) if len(args) > 1 else 30.0
        except ValueError:
            self.say("usage: wait COUNT [SECONDS]")
            return
        await self.session.wait_for(lambda: len(self.queue.mine()) >= count, seconds)
        self.say(f"{len(self.queue.mine())} ticket(s) yours")

    def _pick(self, args: list[str]) -> QueueEntry | None:
        listing = self.queue.listing()
        wanted = args[0] if args else ""
        for position, entry in enumerate(listing, start=1):
            if wanted in (str(position), entry.ticket.ticket_id):
                return entry
        self.say(f"no ticket {wanted}; 'list' shows the numbers")
        return None

    async def _next(self) -> None:
        for _ in range(NEXT_TRIES):
            waiting = self.queue.waiting()
            if not waiting:
                self.say("nothing waiting")
                return
            if await self._claim(waiting[0]):
                return

    async def _claim(self, entry: QueueEntry) -> bool:
        if entry.holder == self.agent_id:
            self.say(f"already yours: {entry.ticket.ticket_id}")
            return True
        ticket = entry.ticket
        request = ClaimRequested(
            event_id=uuid.uuid4(),
            occurred_at=self.clock.now(),
            correlation_id=ticket.correlation_id,
            ticket_id=ticket.ticket_id,
            assignment_id=ticket.assignment_id,
            team_id=ticket.team_id,
            actor=self.actor,
        )
        await self.session.publish(request, ticket.ticket_id)

        def answered() -> bool:
            current = self.queue.entry(ticket.assignment_id)
            return (
                current is None
                or current.holder is not None
                or request.event_id in self.queue.refusals
            )

        if not await self.session.wait_for(answered, ANSWER_SECONDS):
            self.say(f"no answer from the router about {ticket.ticket_id} yet")
            return False
        current = self.queue.entry(ticket.assignment_id)
        if current is not None and current.holder == self.agent_id:
            self.say(f"yours: {describe(1, current, self.agent_id, self.clock.now())[3:]}")
            return True
        refusal = self.queue.refusals.get(request.event_id)
        reason = refusal.reason if refusal is not None else "taken by a colleague"
        holder = current.holder if current is not None else None
        self.say(
            f"not yours: {ticket.ticket_id} ({reason}{f', held by {holder}' if holder else ''})"
        )
        return False

    async def _act(self, command: str, args: list[str]) -> None:
        entry = self._pick(args)
        if entry is None:
            return
        ticket = entry.ticket
        if command == "show":
            self.say(f"{ticket.customer_name or 'customer'}: {ticket.text}")
            return
        if entry.holder != self.agent_id:
            self.say(f"not yours: {ticket.ticket_id}; 'claim' it first")
            return
        if not self.session.connected():
            # The router may have given it to a colleague while we could not reach Kafka.
            self.say("not connected to Kafka: your tickets may be back in the queue; try again")
            return
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
        key = ticket.ticket_id
        match command:
            case "respond" if entry.answered:
                reply = AgentReplied(
                    event_id=uuid.uuid4(), awaiting_customer=rest == "waiting", **common
                )
                await self.session.publish(reply, key)
                self.say(f"reply recorded for {key}")
            case "respond":
                first = FirstResponse(
                    event_id=derive_id("agent.first_response", *ids),
                    awaiting_customer=rest == "waiting",
                    **common,
                )
                await self.session.publish(first, key)
                self.queue.mark_answered(ticket.assignment_id)
                self.say(f"first response recorded for {key}")
            case "resolve":
                resolved = TicketResolved(
                    event_id=derive_id("agent.resolved", *ids), resolution=rest, **common
                )
                await self.session.publish(resolved, key)
                self.queue.finish(ticket.assignment_id)
                self.say(f"resolved {key}")
            case "release":
                release = UnclaimRequested(
                    event_id=uuid.uuid4(), reason=rest or "released", **common
                )
                await self.session.publish(release, key)
                self.say(f"released {key}: back in the team's queue")
            case "reroute":
                if not rest:
                    self.say("usage: reroute N reason")
                    return
                released = TicketReleased(
                    event_id=derive_id("agent.released", *ids), reason=rest, **common
                )
                await self.session.publish(released, key)
                self.queue.finish(ticket.assignment_id)
                self.say(f"rerouted {key}: the router routes it to another team")
            case "rate":
                await self._rate(ticket.ticket_id, ticket.correlation_id, ids, rest)

    async def _rate(
        self, ticket_id: str, correlation_id: str, ids: tuple[str, str], rest: str
    ) -> None:
        score_text, _, comment = rest.partition(" ")
        if score_text not in {"1", "2", "3", "4", "5"}:
            self.say("usage: rate N SCORE [comment] (SCORE 1 to 5)")
            return
        rated = TicketRated(
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
        await self.session.publish(rated, ticket_id)
        self.say(f"rating {score_text} recorded for {ticket_id}")
