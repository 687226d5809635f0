"""In-house agents for the claims tests: presence with a heartbeat, and their requests."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import Any

import yaml
from aiokafka import AIOKafkaProducer

from plumbing.clock import Clock
from schemas.agents import AgentPresence, AgentStatus, presence_key
from schemas.queue import QueuedTicket
from schemas.tickets import Actor, ClaimRequested, FirstResponse, TicketResolved, UnclaimRequested
from tests.integration.router.support import desk_config

HEARTBEAT_SECONDS = 0.3


def claims_config(
    path: Path,
    *,
    limits: dict[str, int],
    respond_within: str = "PT5M",
    open_all_hours: bool = False,
    **desk: Any,
) -> Path:
    """The desk config, with Tallinn's agents limited per agent (concurrency 1 otherwise);
    ``open_all_hours`` drops Tallinn's working hours, for tests on the real clock."""
    desk_config(path, **desk)
    config = yaml.safe_load(path.read_text())
    tallinn = config["teams"][0]
    tallinn["claims"] = {"agent_limits": limits, "respond_within": respond_within}
    if open_all_hours:
        del tallinn["hours"]
    path.write_text(yaml.safe_dump(config))
    return path


class Agents:
    """Agents of the team ``tallinn`` announcing presence, each with its own heartbeat."""

    def __init__(self, bootstrap: str, prefix: str, clock: Clock) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self._prefix = prefix
        self._clock = clock
        self._beats: dict[str, asyncio.Task[None]] = {}
        self.status: dict[str, AgentStatus] = {}

    async def __aenter__(self) -> Agents:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        for agent in list(self._beats):
            self.silence(agent)
        await self._producer.stop()

    async def announce(self, agent: str, status: AgentStatus = AgentStatus.ONLINE) -> None:
        self.status[agent] = status
        await self._send(agent)
        if status is not AgentStatus.OFFLINE and agent not in self._beats:
            self._beats[agent] = asyncio.create_task(self._beat(agent))
        if status is AgentStatus.OFFLINE:
            self.silence(agent)

    def silence(self, agent: str) -> None:
        """The terminal dies: its heartbeat stops without a word."""
        task = self._beats.pop(agent, None)
        if task is not None:
            task.cancel()

    async def _beat(self, agent: str) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):
                await self._send(agent)

    async def _send(self, agent: str) -> None:
        presence = AgentPresence(
            event_id=uuid.uuid4(),
            occurred_at=self._clock.now(),
            correlation_id="test",
            team_id="tallinn",
            agent_id=agent,
            status=self.status[agent],
            heartbeat_seconds=HEARTBEAT_SECONDS,
            session_id="test",
        )
        await self._producer.send_and_wait(
            f"{self._prefix}agents.presence",
            presence.to_json_bytes(),
            key=presence_key("tallinn", agent).encode(),
        )

    async def send(self, event: Any) -> None:
        await self._producer.send_and_wait(
            f"{self._prefix}tickets", event.to_json_bytes(), key=event.ticket_id.encode()
        )

    def _common(self, agent: str, queued: QueuedTicket) -> dict[str, Any]:
        return {
            "event_id": uuid.uuid4(),
            "occurred_at": self._clock.now(),
            "correlation_id": queued.correlation_id,
            "ticket_id": queued.ticket_id,
            "assignment_id": queued.assignment_id,
            "team_id": queued.team_id,
            "actor": Actor(kind="agent", id=agent),
        }

    def claim(self, agent: str, queued: QueuedTicket) -> ClaimRequested:
        return ClaimRequested(**self._common(agent, queued))

    def release(self, agent: str, queued: QueuedTicket) -> UnclaimRequested:
        return UnclaimRequested(**self._common(agent, queued))

    def respond(self, agent: str, queued: QueuedTicket) -> FirstResponse:
        return FirstResponse(**self._common(agent, queued))

    def resolve(self, agent: str, queued: QueuedTicket) -> TicketResolved:
        return TicketResolved(**self._common(agent, queued))
