"""``switchboard agent`` as a real process on the real broker, driven through stdin."""

from __future__ import annotations

from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from schemas.base import Priority
from schemas.queue import QueuedTicket, QueuedTicketClosed, QueuedTicketWithdrawn
from schemas.tickets import (
    FirstResponse,
    TicketAssigned,
    TicketClaimed,
    TicketRated,
    TicketReleased,
    TicketResolved,
    TicketUnclaimed,
)
from tests.integration.router.claims_support import Agents, claims_config
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    opened,
    router_settings,
    running_router,
)
from tests.support.terminal import Terminal
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka]


async def test_an_agent_works_the_queue_from_the_terminal(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = claims_config(
        tmp_path / "c.yaml", limits={"anna": 3, "ben": 1}, respond_within="PT1H", tallinn_agents=3
    )
    settings = router_settings(kafka_bootstrap, topic_prefix, config)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CLOCK_SIM_START": WEDNESDAY_NOON.isoformat(),
        "AGENT_HEARTBEAT_SECONDS": "1",
    }
    tickets = f"{topic_prefix}tickets"
    urgent = opened(at=clock.now(), priority=Priority.URGENT, subject="Card charged twice")
    normal = opened(at=clock.now(), subject="Parcel stuck in Riga")
    low = opened(at=clock.now(), priority=Priority.LOW, subject="Gift wrap question")
    async with (
        running_router(settings, clock) as runtime,
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Producer(kafka_bootstrap) as producer,
        Agents(kafka_bootstrap, topic_prefix, clock) as agents,
    ):
        # Nobody of the team announced presence yet: its configured capacity applies.
        for ticket in (normal, low, urgent):
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: len(log.of(QueuedTicket)) == 3, what="three queued tickets")

        anna = await Terminal("tallinn", "anna", env).start()
        try:
            await anna.expect(r"^caught up: 3 open ticket\(s\)")
            # Online now: the team's distribution gives her all three (her limit is 3).
            await anna.run("wait 3 60", r"^3 ticket\(s\) yours")
            mark = len(anna.lines)
            await anna.send("list")
            await anna.expect(r"^3\. ", after=mark)
            listed = [line for line in anna.lines[mark:] if line[:3] in ("1. ", "2. ", "3. ")]
            assert listed[0].startswith(
                "1. [urgent] Card charged twice (en, email, orders_shipping) SLA 3h 5"
            )
            assert listed[1].startswith("2. [normal] Parcel stuck in Riga")
            assert listed[2].startswith("3. [low] Gift wrap question")
            assert all("held by you" in line for line in listed)

            await anna.run("respond 1", r"^first response recorded")
            await anna.run("rate 1 5 sorted in one call", r"^rating 5 recorded")
            await anna.run("rate 1 9", r"^usage: rate N SCORE")
            await anna.run("resolve 1 refunded the double charge", r"^resolved ")
            await anna.run("reroute 1 customer writes in Polish", r"^rerouted ")
            # A colleague comes online; Anna puts the last one back: it goes to him, the
            # one whose last ticket came longest ago.
            await agents.announce("ben")
            await anna.run("release 1", r"^released ")
            await log.wait_for(lambda: log.of(TicketClaimed, low.ticket_id)[1:], what="ben")
            # Anna's terminal reads the claim from queue.tallinn on its own: list until it has.
            await eventually(
                lambda: anna.run("list", r"^1\. "),
                until=lambda line: "held by ben" in line,
                interval=0.2,
                what="Anna's terminal showing Ben's claim",
            )
            assert await anna.quit() == 0
        finally:
            await anna.close()

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
        (rated,) = log.of(TicketRated, urgent.ticket_id)  # "rate 1 9" was refused
        assert (rated.score, rated.comment, rated.source) == (5, "sorted in one call", "agent")
        # The router counts the resolution and the rating for the team, per channel.
        labels = {"channel": "email", "team_id": "tallinn", "team_kind": "in_house"}
        sample = runtime.registry.get_sample_value
        await log.wait_for(
            lambda: (
                sample("switchboard_support_csat_score_sum", labels) == 5
                and sample("switchboard_support_resolutions_total", labels) == 1
            ),
            what="the rating and the resolution counted",
        )
        (released,) = log.of(TicketReleased, normal.ticket_id)
        assert released.reason == "customer writes in Polish"
        rerouted = await log.wait_for(lambda: log.assignments(normal.ticket_id)[1:])
        assert rerouted[0].team_id != "tallinn"
        (unclaimed,) = log.of(TicketUnclaimed, low.ticket_id)
        assert (unclaimed.agent_id, unclaimed.reason) == ("anna", "released")
        assert [c.agent_id for c in log.of(TicketClaimed, low.ticket_id)] == ["anna", "ben"]

        # Anna comes back: the terminal catches up and shows who holds what now.
        anna = await Terminal("tallinn", "anna", env).start()
        try:
            await anna.expect(r"^caught up: 1 open ticket\(s\), 0 waiting, 0 yours")
            line = await anna.run("list", r"^1\. ")
            assert "Gift wrap question" in line
            assert "held by ben" in line
            assert await anna.quit() == 0
        finally:
            await anna.close()
        assert len(log.of(TicketAssigned, low.ticket_id)) == 1
