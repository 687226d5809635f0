"""``switchboard agent`` as a real process on the real broker, driven through stdin."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from schemas.base import Priority
from schemas.queue import QueuedTicket, QueuedTicketClosed, QueuedTicketWithdrawn
from schemas.tickets import FirstResponse, TicketAssigned, TicketReleased, TicketResolved
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
    router_settings,
    running_router,
)

pytestmark = [pytest.mark.kafka]


async def agent(env: dict[str, str], commands: str) -> str:
    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "switchboard.cli",
                "agent",
                "--team",
                "tallinn",
                "--agent-id",
                "anna",
            ],
            input=commands,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    result = await asyncio.to_thread(run)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_an_agent_answers_resolves_and_releases_from_the_terminal(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    settings = router_settings(
        kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml", tallinn_agents=3)
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CLOCK_SIM_START": WEDNESDAY_NOON.isoformat(),
    }
    tickets = f"{topic_prefix}tickets"
    urgent = opened(at=clock.now(), priority=Priority.URGENT, subject="Card charged twice")
    normal = opened(at=clock.now(), subject="Parcel stuck in Riga")
    low = opened(at=clock.now(), priority=Priority.LOW, subject="Gift wrap question")
    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        for ticket in (normal, low, urgent):
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: len(log.of(QueuedTicket)) == 3, what="three queued tickets")

        out = await agent(
            env,
            "wait 3 30\nlist\nrespond 1\nresolve 1 refunded the double charge\n"
            "release 1 customer writes in Polish\nlist\nquit\n",
        )
        lines = out.splitlines()
        listed = [line for line in lines if line[:3] in ("1. ", "2. ", "3. ")]
        assert listed[0].startswith(
            "1. [urgent] Card charged twice (en, email, orders_shipping) SLA 3h 5"
        )
        assert listed[1].startswith("2. [normal] Parcel stuck in Riga")
        assert listed[2].startswith("3. [low] Gift wrap question")
        assert listed[-1].startswith("1. [low] Gift wrap question")  # what is left

        # Each action is an event on tickets, and the router acts on it (on queue.tallinn,
        # which the log may read before tickets: wait for both sides).
        await log.wait_for(
            lambda: (
                log.of(QueuedTicketClosed)
                and log.of(QueuedTicketWithdrawn)
                and log.of(FirstResponse, urgent.ticket_id)
                and log.of(TicketResolved, urgent.ticket_id)
                and log.of(TicketReleased, normal.ticket_id)
            ),
            what="the agent's actions and the router's answers to them",
        )
        (response,) = log.of(FirstResponse, urgent.ticket_id)
        assert (response.actor.kind, response.actor.id) == ("agent", "anna")
        (resolved,) = log.of(TicketResolved, urgent.ticket_id)
        assert resolved.resolution == "refunded the double charge"
        (released,) = log.of(TicketReleased, normal.ticket_id)
        assert released.reason == "customer writes in Polish"
        rerouted = await log.wait_for(lambda: log.assignments(normal.ticket_id)[1:])
        assert rerouted[0].team_id != "tallinn"
        assert log.of(QueuedTicketClosed)[0].ticket_id == urgent.ticket_id

        # The agent comes back: only the ticket still open is shown.
        out = await agent(env, "wait 1 20\nlist\nquit\n")
        assert "1 open ticket(s)" in out
        assert "Gift wrap question" in out
        assert "Card charged twice" not in out
        assert "Parcel stuck in Riga" not in out
        assert len(log.of(TicketAssigned, low.ticket_id)) == 1
