"""In-house agents' claims against a real broker: the router in this process, agents'
presence and requests written to the topics as their terminals would."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from schemas.agents import AgentStatus
from schemas.queue import QueuedTicket, QueuedTicketClaimed
from schemas.tickets import (
    ClaimRefused,
    TicketAssigned,
    TicketClaimed,
    TicketReleased,
    TicketUnclaimed,
)
from tests.integration.router.claims_support import Agents, claims_config
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    opened,
    router_settings,
    running_router,
)

pytestmark = [pytest.mark.kafka]

PRESENCE_TIMEOUT = 3.0


def _settings(bootstrap: str, prefix: str, config: Path):  # type: ignore[no-untyped-def]
    return router_settings(
        bootstrap, prefix, config, router_presence_timeout_seconds=PRESENCE_TIMEOUT
    )


def _holders(log: EventLog) -> dict[str, list[str]]:
    """Per ticket, the agents that held it, in order; fails if two held it at once."""
    held: dict[str, str | None] = {}
    history: dict[str, list[str]] = {}
    for _, event in log.events:
        if isinstance(event, TicketClaimed):
            assert held.get(event.ticket_id) is None, f"{event.ticket_id} held twice"
            held[event.ticket_id] = event.agent_id
            history.setdefault(event.ticket_id, []).append(event.agent_id)
        elif isinstance(event, TicketUnclaimed):
            held[event.ticket_id] = None
    return history


async def test_distribution_respects_each_agents_limit_and_the_least_loaded_gets_the_next(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = claims_config(tmp_path / "c.yaml", limits={"anna": 1, "ben": 2})
    tickets = f"{topic_prefix}tickets"
    # payments_billing never leaves the house: what Tallinn cannot take waits.
    four = [opened(at=clock.now(), skill="payments_billing") for _ in range(4)]
    async with (
        running_router(_settings(kafka_bootstrap, topic_prefix, config), clock),
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Agents(kafka_bootstrap, topic_prefix, clock) as agents,
    ):
        await agents.announce("anna")
        await agents.announce("ben")
        for ticket in four:
            await agents.send(ticket)
        claimed = await log.wait_for(
            lambda: len(log.of(TicketClaimed)) == 3 and log.of(TicketClaimed),
            what="three claims",
        )
        # Live capacity is the online agents' limits (1 + 2): the fourth waits centrally.
        assert Counter(c.agent_id for c in claimed) == {"anna": 1, "ben": 2}
        assert all(c.held <= c.limit for c in claimed)
        assert {c.how for c in claimed} == {"least_loaded"}
        assert len(log.of(QueuedTicket)) == 3
        anna_ticket = next(
            q for q in log.of(QueuedTicket) if q.ticket_id == claimed_by(log, "anna")
        )

        # Anna resolves: the waiting ticket is routed to Tallinn and goes to her (0 < 2).
        await agents.send(agents.resolve("anna", anna_ticket))
        fourth = await log.wait_for(
            lambda: len(log.of(TicketClaimed)) == 4 and log.of(TicketClaimed)[-1]
        )
        assert fourth.agent_id == "anna"
        assert fourth.ticket_id not in {c.ticket_id for c in claimed}
        _holders(log)


def claimed_by(log: EventLog, agent: str) -> str:
    claims: list[TicketClaimed] = log.of(TicketClaimed)
    return next(c.ticket_id for c in claims if c.agent_id == agent)


async def test_the_first_claim_wins_away_agents_ask_and_a_release_puts_it_back(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = claims_config(
        tmp_path / "c.yaml", limits={"anna": 1, "ben": 2, "carl": 1}, respond_within="PT24H"
    )
    tickets = f"{topic_prefix}tickets"
    three = [opened(at=clock.now(), skill="payments_billing") for _ in range(3)]
    async with (
        running_router(_settings(kafka_bootstrap, topic_prefix, config), clock) as runtime,
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Agents(kafka_bootstrap, topic_prefix, clock) as agents,
    ):
        for agent in ("anna", "ben", "carl"):
            await agents.announce(agent)
        for ticket in three:
            await agents.send(ticket)
        await log.wait_for(lambda: len(log.of(TicketClaimed)) == 3, what="three claims")
        # Past the deadline no other team can make it either: a waiting ticket stays.
        clock.advance(timedelta(hours=5))
        # Anna and Ben step away (they keep what they hold); Anna lets hers go.
        await agents.announce("anna", AgentStatus.AWAY)
        await agents.announce("ben", AgentStatus.AWAY)
        await log.wait_for(
            lambda: (
                runtime.registry.get_sample_value(
                    "switchboard_agents_present", {"team_id": "tallinn", "standing": "away"}
                )
                == 2
            ),
            what="the router to see both away",
        )
        queued = {q.ticket_id: q for q in log.of(QueuedTicket)}
        hers = queued[claimed_by(log, "anna")]
        await agents.send(agents.release("anna", hers))
        unclaimed = await log.wait_for(lambda: log.of(TicketUnclaimed))
        assert (unclaimed[0].agent_id, unclaimed[0].reason) == ("anna", "released")
        # Carl is online but at his limit: nobody gets it from the distribution. Ben (away,
        # room for one more) and Anna ask for it at once: the first in the partition wins.
        ben_asks, anna_asks = agents.claim("ben", hers), agents.claim("anna", hers)
        await agents.send(ben_asks)
        await agents.send(anna_asks)
        refused = await log.wait_for(lambda: log.of(ClaimRefused), what="the second claim refused")
        winner = log.of(TicketClaimed, hers.ticket_id)[-1]
        assert (winner.agent_id, winner.how, winner.request_id) == (
            "ben",
            "requested",
            ben_asks.event_id,
        )
        assert (refused[0].agent_id, refused[0].reason, refused[0].holder) == (
            "anna",
            "held_by_another",
            "ben",
        )
        # Every terminal of the team reads who holds it from the queue.
        await log.wait_for(
            lambda: [e for e in log.of(QueuedTicketClaimed, hers.ticket_id) if e.agent_id == "ben"]
        )
        # At his limit now, Ben asking for another is refused.
        other = queued[claimed_by(log, "carl")]
        await agents.send(agents.claim("ben", other))
        await log.wait_for(lambda: len(log.of(ClaimRefused)) == 2)
        assert log.of(ClaimRefused)[-1].reason in ("held_by_another", "at_limit")
        _holders(log)


async def test_a_quiet_agent_loses_the_ticket_to_a_colleague_and_an_answer_keeps_it(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = claims_config(tmp_path / "c.yaml", limits={}, respond_within="PT5M")
    tickets = f"{topic_prefix}tickets"
    ticket = opened(at=clock.now(), skill="payments_billing")
    async with (
        running_router(_settings(kafka_bootstrap, topic_prefix, config), clock) as runtime,
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Agents(kafka_bootstrap, topic_prefix, clock) as agents,
    ):
        await agents.announce("anna")
        await agents.announce("ben")
        await agents.send(ticket)
        first = (await log.wait_for(lambda: log.of(TicketClaimed)))[0]
        clock.advance(timedelta(minutes=5, seconds=1))
        back = await log.wait_for(lambda: log.of(TicketUnclaimed), what="the quiet return")
        assert (back[0].agent_id, back[0].reason) == (first.agent_id, "no_first_response")
        second = await log.wait_for(lambda: log.of(TicketClaimed)[1:])
        assert second[0].agent_id != first.agent_id  # a colleague, not the quiet one again
        queued = log.of(QueuedTicket)[0]
        await agents.send(agents.respond(second[0].agent_id, queued))
        await log.wait_for(
            lambda: runtime.registry.get_sample_value(
                "switchboard_agent_answered_total",
                {"team_id": "tallinn", "agent_id": second[0].agent_id},
            )
        )
        clock.advance(timedelta(minutes=30))
        # Answered: it stays. The router's gauges come from the same view.
        await log.wait_for(
            lambda: (
                runtime.registry.get_sample_value(
                    "switchboard_agent_held_tickets",
                    {"team_id": "tallinn", "agent_id": second[0].agent_id},
                )
                == 1
            )
        )
        assert len(log.of(TicketUnclaimed)) == 1
        returned = runtime.registry.get_sample_value(
            "switchboard_router_claims_returned_total",
            {"team_id": "tallinn", "reason": "no_first_response"},
        )
        assert returned == 1
        _holders(log)


async def test_presence_drives_capacity_and_departed_agents_tickets_move_on(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = claims_config(tmp_path / "c.yaml", limits={})
    tickets = f"{topic_prefix}tickets"
    first, second = (opened(at=clock.now()) for _ in range(2))
    async with (
        running_router(_settings(kafka_bootstrap, topic_prefix, config), clock),
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}queue.tallinn"]) as log,
        Agents(kafka_bootstrap, topic_prefix, clock) as agents,
    ):
        await agents.announce("anna")
        await agents.announce("ben")
        await agents.send(first)
        claim = (await log.wait_for(lambda: log.of(TicketClaimed)))[0]
        # The holder's terminal is killed: no goodbye, the heartbeat just stops.
        agents.silence(claim.agent_id)
        lost = await log.wait_for(
            lambda: log.of(TicketUnclaimed), timeout=PRESENCE_TIMEOUT + 30, what="lost agent"
        )
        assert (lost[0].agent_id, lost[0].reason) == (claim.agent_id, "agent_offline")
        survivor = "ben" if claim.agent_id == "anna" else "anna"
        again = await log.wait_for(lambda: log.of(TicketClaimed)[1:])
        assert again[0].agent_id == survivor
        # The survivor logs out: nobody of the team is online, so the ticket goes back to
        # the router, which sends it to a partner; and new tickets no longer come here.
        await agents.announce(survivor, AgentStatus.OFFLINE)
        logout = await log.wait_for(lambda: log.of(TicketUnclaimed)[1:])
        assert logout[0].reason == "logout"
        released = await log.wait_for(lambda: log.of(TicketReleased, first.ticket_id))
        assert released[0].actor.kind == "system"
        assert released[0].reason == "team_gave_up: no_agent_online"
        moved = await log.wait_for(lambda: log.assignments(first.ticket_id)[1:])
        assert moved[0].team_kind == "partner"
        await agents.send(second)
        (routed,) = await log.wait_for(lambda: log.of(TicketAssigned, second.ticket_id))
        assert routed.team_id != "tallinn"
        tallinn = next(a for a in routed.alternatives if a.team_id == "tallinn")
        assert not tallinn.eligible or "capacity" in tallinn.note or "full" in tallinn.note
        _holders(log)
