"""Eight agents of one team at their terminals (real processes) on a real broker, tickets
arriving, agents joining, leaving and killed with SIGKILL, and the router killed and
restarted once. Judged from the events alone: every ticket answered and resolved exactly
once, never held by two agents, no agent over its limit, and no agent with room left
idle while a ticket waits. ``AGENTS_TICKETS`` sets the length (``make agents`` runs a
long one)."""

from __future__ import annotations

import asyncio
import os
import random
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.agents import AGENT_EVENT
from schemas.queue import QUEUE_EVENT
from schemas.tickets import TICKET_EVENT
from schemas.topics import AGENT_PRESENCE, QUEUE_PARTITIONS, TICKET_PARTITIONS
from switchboard.launcher import Stack
from tests.integration.router.claims_support import claims_config
from tests.integration.router.support import Producer, opened
from tests.support.claims_judge import judge
from tests.support.terminal import Terminal

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

TICKETS = int(os.environ.get("AGENTS_TICKETS", "60"))
LIMIT = 2
PRESENCE_TIMEOUT = 5.0
SEED = 932
#: After the n-th ticket: who joins, leaves (quits), is killed; and the router's SIGKILL.
SCENE: dict[int, list[tuple[str, ...]]] = {
    8: [("kill", "a2")],
    14: [("leave", "a3")],
    18: [("join", "a7", "a8")],
    26: [("router",)],
    34: [("kill", "a5")],
    40: [("join", "a9", "a10")],
}
YOURS = re.compile(r"^yours now: .*ticket=(\S+)")


async def read_to_end(bootstrap: str, topics: list[tuple[str, int]]) -> list[Any]:
    """Every committed record of ``topics`` (name, partitions), up to their ends (last
    stable offsets) now."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, isolation_level="read_committed", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for topic, count in topics for p in range(count)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            batch = await consumer.getmany(timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


class Person:
    """An agent at the terminal: takes each ticket the router gives it, answers, works a
    moment and resolves it."""

    def __init__(self, terminal: Terminal, rng: random.Random) -> None:
        self.terminal = terminal
        self.rng = rng
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._work())

    async def _work(self) -> None:
        terminal, done = self.terminal, 0
        await terminal.expect(r"^caught up", timeout=120)
        handled: set[str] = set()
        while True:
            await terminal.expect(r"^yours now: ", after=done, timeout=3600)
            for index in range(done, len(terminal.lines)):
                match = YOURS.match(terminal.lines[index])
                if match and match.group(1) not in handled:
                    handled.add(match.group(1))
                    await self._handle(match.group(1))
                done = index + 1

    async def _handle(self, ticket: str) -> None:
        await asyncio.sleep(self.rng.uniform(0.1, 0.5))
        answer = await self.terminal.run(
            f"respond {ticket}", r"^(first response recorded|reply recorded|not yours|no ticket)"
        )
        if answer.startswith(("not yours", "no ticket")):
            return
        await asyncio.sleep(self.rng.uniform(0.5, 2.5))
        await self.terminal.run(f"resolve {ticket}", r"^(resolved|not yours|no ticket)")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


async def test_eight_agents_share_one_queue_through_kills_and_a_router_restart(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    agents = [f"a{n}" for n in range(1, 11)]
    config = claims_config(
        tmp_path / "c.yaml",
        limits=dict.fromkeys(agents, LIMIT),
        respond_within="PT10M",
        tallinn_agents=8,
        # The run is on the real clock (the judge compares event time with the moments
        # terminals were killed), so the team must be open whenever the test runs.
        open_all_hours=True,
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(config),
        "ROUTER_PRESENCE_TIMEOUT_SECONDS": str(PRESENCE_TIMEOUT),
        "ROUTER_TICK_SECONDS": "0.1",
        "AGENT_HEARTBEAT_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    stack = Stack(env=env, log_dir=tmp_path / "logs", names=("router",))
    people: dict[str, Person] = {}
    gone_at: dict[str, datetime] = {}
    # payments_billing never leaves the house: every ticket is Tallinn's to work.
    tickets = [opened(at=datetime.now(UTC), skill="payments_billing") for _ in range(TICKETS)]

    async def join(agent: str) -> None:
        terminal = await Terminal("tallinn", agent, env).start()
        people[agent] = Person(terminal, random.Random(f"{SEED}-{agent}"))
        people[agent].start()
        # At work once the terminal has read the queue (it announced itself before).
        await terminal.expect(r"^caught up", timeout=180)

    async def kill(agent: str) -> None:
        people[agent].terminal.kill()
        gone_at[agent] = datetime.now(UTC)
        await people[agent].stop()

    async def leave(agent: str) -> None:
        await people[agent].stop()
        await people[agent].terminal.quit()

    try:
        await asyncio.to_thread(stack.start, 180)
        await asyncio.gather(*(join(agent) for agent in agents[:6]))
        async with Producer(kafka_bootstrap) as producer:
            for index, ticket in enumerate(tickets):
                await producer.send(
                    f"{topic_prefix}tickets",
                    ticket.model_copy(
                        update={"occurred_at": datetime.now(UTC), "received_at": datetime.now(UTC)}
                    ),
                )
                await asyncio.sleep(rng.uniform(0.2, 0.6))
                for action, *who in SCENE.get(index, ()):
                    if action == "router":
                        await asyncio.to_thread(stack["router"].kill)
                        await asyncio.sleep(2)
                        stack["router"].start()
                    for agent in who:
                        await {"join": join, "kill": kill, "leave": leave}[action](agent)
        # Wait for the state asserted: every ticket resolved, as the events tell.
        topics = [
            (f"{topic_prefix}tickets", TICKET_PARTITIONS),
            (f"{topic_prefix}agents.presence", AGENT_PRESENCE.partitions),
        ]
        resolved: set[str] = set()
        for _ in range(600):
            records = await read_to_end(kafka_bootstrap, topics[:1])
            resolved = {
                e.ticket_id
                for e in (TICKET_EVENT.validate_json(r.value) for r in records)
                if e.type == "ticket.resolved"
            }
            if len(resolved) >= TICKETS:
                break
            await asyncio.sleep(1)
        for agent in list(people):
            if agent not in gone_at:
                await leave(agent)
    finally:
        for person in people.values():
            await person.stop()
            await person.terminal.close()
        stack.stop()

    events = [
        *(
            TICKET_EVENT.validate_json(r.value)
            for r in await read_to_end(kafka_bootstrap, topics[:1])
        ),
        *(
            AGENT_EVENT.validate_json(r.value)
            for r in await read_to_end(kafka_bootstrap, topics[1:])
        ),
        *(
            QUEUE_EVENT.validate_json(r.value)
            for r in await read_to_end(
                kafka_bootstrap, [(f"{topic_prefix}queue.tallinn", QUEUE_PARTITIONS)]
            )
        ),
    ]
    verdict = judge(events, limits=dict.fromkeys(agents, LIMIT), gone_at=gone_at, team_id="tallinn")
    print(
        f"events {dict(Counter(e.type for e in events))}\n"
        f"claims {verdict.claims}, returns {dict(verdict.returns)}, "
        f"peak held {verdict.peak_held}, longest idle with room {verdict.longest_idle:.2f} s"
    )
    assert not verdict.problems, "\n".join(verdict.problems[:20])
    ids = {t.ticket_id for t in tickets}
    assert set(verdict.resolved) == ids, "every ticket resolved"
    assert set(verdict.resolved.values()) == {1}, "and once"
    assert set(verdict.answered) == ids, "every ticket answered"
    assert set(verdict.answered.values()) == {1}, "exactly once"
    assert verdict.returns["agent_offline"] >= 1 or verdict.returns["logout"] >= 1
    # No agent with room idle while a ticket waits: every such stretch ends with the
    # router giving a waiting ticket out (or the room going away), never with a ticket
    # leaving the queue unworked (judged above), and at least eight agents got work.
    # How long a stretch lasted is the router's reaction time on this machine: printed.
    assert len(verdict.peak_held) >= 8, "the work was shared by every agent there"
