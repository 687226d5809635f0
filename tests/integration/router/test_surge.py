"""Black Friday: in-house saturates and the router overflows before the first SLA breach;
and the router's figures on /metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from plumbing.clock import ManualClock, ScaledClock
from schemas.base import Channel, TeamKind
from schemas.sla import SlaBreached
from schemas.tickets import FirstResponse, OfferAccepted, RoutingStalled, TicketAssigned
from services.sla.app import build as build_sla
from services.sla.settings import SlaSettings
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
    router_settings,
    running_router,
)
from tests.support.waiting import equals, eventually

pytestmark = [pytest.mark.kafka]

#: One simulated minute per 6 real seconds. Every real delay (a fetch, a commit, the
#: machine busy elsewhere) counts SPEED times on the services' clock: an agent's answer
#: has about 10 real seconds to be read before a 2-minute chat target passes (at 60x, a
#: loaded machine spent the 2 s it had before the answer was read).
SPEED = 10.0
#: How long (simulated) an agent takes to answer, and between two chats of the surge.
ANSWER_SECONDS = 18
ARRIVAL_SECONDS = 6
BLACK_FRIDAY_MORNING = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 10:00 in Tallinn


async def answer_everything(
    log: EventLog, producer: Producer, tickets: str, clock: ScaledClock
) -> None:
    """The agents: partners accept offers at once; every team answers ANSWER_SECONDS
    (simulated) later."""
    handled: set[uuid.UUID] = set()
    while True:
        for assigned in log.of(TicketAssigned):
            if assigned.assignment_id in handled:
                continue
            handled.add(assigned.assignment_id)
            asyncio.get_running_loop().create_task(_answer(assigned, producer, tickets, clock))
        await asyncio.sleep(0.02)


async def _answer(
    assigned: TicketAssigned, producer: Producer, tickets: str, clock: ScaledClock
) -> None:
    common = {
        "correlation_id": assigned.correlation_id,
        "ticket_id": assigned.ticket_id,
        "assignment_id": assigned.assignment_id,
        "team_id": assigned.team_id,
    }
    if assigned.mode == "offer":
        await producer.send(
            tickets, OfferAccepted(event_id=uuid.uuid4(), occurred_at=clock.now(), **common)
        )
    await asyncio.sleep(clock.real_seconds(ANSWER_SECONDS))
    await producer.send(
        tickets, FirstResponse(event_id=uuid.uuid4(), occurred_at=clock.now(), **common)
    )


async def test_black_friday_overflow_starts_before_the_first_breach(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    # Chat: 2 minutes to first response. The partners accept at once; an offer that
    # expired because the acceptance was read late would be another scenario (expiry is
    # test_scenarios'): their offers do not expire while this test runs.
    config = desk_config(tmp_path / "c.yaml", offer_accept_timeout="PT1H")
    real_start = time.time() + 4  # when both services are up
    clock = ScaledClock(BLACK_FRIDAY_MORNING, real_start, SPEED)
    shared = {
        "clock_speed": SPEED,
        "clock_sim_start": BLACK_FRIDAY_MORNING,
        "clock_real_start": real_start,
    }
    router = router_settings(kafka_bootstrap, topic_prefix, config, **shared)
    sla = SlaSettings.model_validate(
        {
            "kafka_bootstrap_servers": kafka_bootstrap,
            "topic_prefix": topic_prefix,
            "config_path": config,
            **shared,
        }
    )
    sla_app, sla_runtime = build_sla(sla)
    tickets = f"{topic_prefix}tickets"
    async with (
        running_router(router),
        sla_runtime.lifespan(sla_app),
        EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}sla"]) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        await asyncio.sleep(max(0.0, real_start - time.time()))
        agents = asyncio.create_task(answer_everything(log, producer, tickets, clock))
        try:
            # 20 chats, one every 6 simulated seconds, against 2 in-house and 6 partner
            # slots: the desk saturates and tickets wait.
            surge = [opened(at=clock.now(), channel=Channel.CHAT) for _ in range(20)]
            for ticket in surge:
                await producer.send(tickets, ticket.model_copy(update={"received_at": clock.now()}))
                await asyncio.sleep(clock.real_seconds(ARRIVAL_SECONDS))
            await log.wait_for(lambda: log.of(SlaBreached), timeout=60, what="a breach")
        finally:
            agents.cancel()

    assignments = log.of(TicketAssigned)
    in_house = [a for a in assignments if a.team_kind is TeamKind.IN_HOUSE]
    overflow = [a for a in assignments if a.team_kind is TeamKind.PARTNER]
    breaches = log.of(SlaBreached)
    assert [a.team_id for a in in_house] == ["tallinn", "tallinn"]
    assert overflow, "nothing overflowed to the partners"
    assert "Tallinn Care at capacity (2/2)" in overflow[0].reason
    first_overflow = min(a.occurred_at for a in overflow)
    first_breach = min(b.occurred_at for b in breaches)
    assert first_overflow < first_breach - timedelta(minutes=1)
    # Only tickets nobody had room for breached; every assigned ticket was answered in time.
    assigned_ids = {a.ticket_id for a in assignments if a.occurred_at < first_breach}
    assert not assigned_ids & {b.ticket_id for b in breaches}
    assert {b.ticket_id for b in breaches} <= {s.ticket_id for s in log.of(RoutingStalled)}


async def test_the_router_exposes_its_figures(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    settings = router_settings(kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml"))
    tickets = f"{topic_prefix}tickets"
    async with (
        running_router(settings, clock) as runtime,
        EventLog(kafka_bootstrap, [tickets]) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        # Tallinn's two slots fill, the third ticket overflows to the cheapest partner.
        burst = [opened(at=clock.now()) for _ in range(3)]
        for ticket in burst:
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: all(log.assignments(t.ticket_id) for t in burst))
        routed = [log.assignments(t.ticket_id)[0] for t in burst]
        # (the three are in different partitions: which one overflows is not fixed)
        assert sorted(a.team_id for a in routed) == ["manila", "tallinn", "tallinn"]
        registry = runtime.registry
        sample = registry.get_sample_value
        assert sample("switchboard_router_overflow_total", {"reason": "in_house_full"}) == 1
        assert (
            sample(
                "switchboard_router_tickets_routed_total",
                {"team_id": "tallinn", "team_kind": "in_house"},
            )
            == 2
        )
        # The gauges are refreshed by the router's timer, twice a second.
        await eventually(
            lambda: (
                sample(
                    "switchboard_router_team_utilisation",
                    {"team_id": "tallinn", "team_kind": "in_house"},
                ),
                sample("switchboard_router_partner_daily_volume", {"team_id": "manila"}),
            ),
            until=equals((1.0, 1)),
            what="the gauges refreshed after the three assignments",
        )
        exposed = generate_latest(registry).decode()
        for name in (
            "switchboard_router_tickets_routed_total",
            "switchboard_router_pending_backlog",
            "switchboard_router_overflow_total",
            "switchboard_router_predicted_wait_seconds",
            "switchboard_router_team_utilisation",
            "switchboard_router_offers_total",
            "switchboard_router_partner_daily_volume",
            "switchboard_router_partner_daily_cap",
            "switchboard_router_outsourcing_share_limit",
        ):
            assert f"\n{name}" in exposed, name
        assert (
            sample(
                "switchboard_router_team_utilisation",
                {"team_id": "tallinn", "team_kind": "in_house"},
            )
            == 1.0
        )
        assert sample("switchboard_router_partner_daily_volume", {"team_id": "manila"}) == 1
        assert (
            sample("switchboard_router_offers_total", {"team_id": "manila", "outcome": "offered"})
            == 1
        )
