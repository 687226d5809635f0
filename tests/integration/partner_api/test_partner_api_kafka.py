"""The partner API on a real broker, beside the real router: offers appear, partners work
them over HTTP through two API instances, races and retries resolve the way the router
does, and a restarted instance rebuilds its view from Kafka."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from plumbing.clock import ManualClock
from schemas.teams import TEAM_EVENT
from schemas.tickets import (
    FirstResponse,
    OfferAccepted,
    OfferRejected,
    TicketAssigned,
    TicketResolved,
)
from services.router.domain import packing
from tests.integration.partner_api.support import (
    MANILA_KEY,
    RIGA_KEY,
    api_settings,
    http,
    partner_desk_config,
    running_api,
)
from tests.integration.router.support import (
    FRIDAY_EVENING,
    EventLog,
    Producer,
    opened,
    router_settings,
    running_router,
)
from tests.support.kafka_io import read_until
from tests.support.waiting import equals, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def offers(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    answer = await client.get("/v1/assignments", params={"status": "offered"})
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


def counter(runtime: Any, name: str, **labels: str) -> float:
    return runtime.registry.get_sample_value(name, labels) or 0.0


async def test_partners_work_offers_over_two_instances_and_the_router_agrees(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(FRIDAY_EVENING)  # Tallinn has gone home: offers go to partners
    config = partner_desk_config(tmp_path / "desk.yaml")
    settings = api_settings(kafka_bootstrap, topic_prefix, config)
    tickets = f"{topic_prefix}tickets"
    async with AsyncExitStack() as stack:
        router = await stack.enter_async_context(
            running_router(router_settings(kafka_bootstrap, topic_prefix, config), clock)
        )
        app_a, _ = await stack.enter_async_context(running_api(settings, clock))
        app_b, _ = await stack.enter_async_context(running_api(settings, clock))
        log = await stack.enter_async_context(EventLog(kafka_bootstrap, [tickets]))
        producer = await stack.enter_async_context(Producer(kafka_bootstrap))
        a = await stack.enter_async_context(http(app_a, MANILA_KEY))
        b = await stack.enter_async_context(http(app_b, MANILA_KEY))
        riga = await stack.enter_async_context(http(app_b, RIGA_KEY))

        # 1. The router offers a ticket to Manila; Manila sees it, Riga does not.
        first = opened(at=clock.now())
        await producer.send(tickets, first)
        (offer,) = await eventually(lambda: offers(a), what="Manila's offer")
        assert (offer["ticket_id"], offer["subject"]) == (first.ticket_id, "Where is my parcel?")
        path = f"/v1/assignments/{offer['id']}"
        assert (await riga.get(path)).status_code == 404

        # 2. Accept on A, read on B at once (read barrier), answer on B, resolve on A.
        accepted = await a.post(f"{path}/accept", headers={"Idempotency-Key": "acc-1"})
        assert accepted.status_code == 200, accepted.text
        assert (await b.get(path)).json()["status"] == "accepted"
        responded = await b.post(f"{path}/first-response", headers={"Idempotency-Key": "fr-1"})
        assert responded.json()["status"] == "responded"
        resolved = await a.post(
            f"{path}/resolve",
            json={"resolution": "refund sent"},
            headers={"Idempotency-Key": "r-1"},
        )
        assert resolved.json()["status"] == "resolved"
        retried = await b.post(f"{path}/accept", headers={"Idempotency-Key": "acc-1"})
        assert retried.status_code == 200, "a retry on another instance replays the outcome"
        await log.wait_for(lambda: log.of(TicketResolved, first.ticket_id), what="resolution")
        kinds = [
            type(e).__name__
            for e in log.of(object, first.ticket_id)
            if isinstance(e, OfferAccepted | FirstResponse | TicketResolved)
        ]
        assert kinds == ["OfferAccepted", "FirstResponse", "TicketResolved"], "acted once each"
        # The router's store has the ticket from its opening on ("offered", "accepted"):
        # wait for the resolution itself, not for the first status found.
        route = await eventually(
            lambda: _route_status(router, first.ticket_id),
            until=equals(("resolved", "manila")),
            what="the router's resolution",
        )
        assert route == ("resolved", "manila")
        assert (
            counter(router, "switchboard_router_offers_total", team_id="manila", outcome="accepted")
            == 1
        )

        # 3. Two instances race on one offer: one 200, one 409; the router agrees.
        second = opened(at=clock.now())
        await producer.send(tickets, second)
        (offer2,) = await eventually(lambda: offers(a), what="the second offer")
        path2 = f"/v1/assignments/{offer2['id']}"
        accept, reject = await asyncio.gather(
            a.post(f"{path2}/accept", headers={"Idempotency-Key": "race-a"}),
            b.post(
                f"{path2}/reject", json={"reason": "full"}, headers={"Idempotency-Key": "race-b"}
            ),
        )
        assert sorted([accept.status_code, reject.status_code]) == [200, 409]
        winner = "accepted" if accept.status_code == 200 else "rejected"
        loser = reject if accept.status_code == 200 else accept
        assert loser.json()["error"]["code"] in (
            "lost_race",
            "already_accepted",
            "not_allowed_while_accepted",
            "assignment_rejected",
        )
        assert loser.json()["error"]["status"] == winner
        # Accepted by Manila, or re-offered to Riga (while Manila's offer is still open
        # the router's state is ("offered", "manila"): the wait must not stop there).
        expected_route = ("accepted", "manila") if winner == "accepted" else ("offered", "riga")
        route2 = await eventually(
            lambda: _route_status(router, second.ticket_id),
            until=equals(expected_route),
            what="the router following the winner",
        )
        assert route2 == expected_route
        if winner == "rejected":
            again = await log.wait_for(lambda: log.assignments(second.ticket_id)[1:])
            assert again[0].team_id == "riga"

        # 4. Capacity announced on A reaches `teams` and B's answer.
        plan = {"agents_on_shift": 3, "planned": [{"day": "2026-11-28", "agents": 5}]}
        announced = await a.post("/v1/capacity", json=plan, headers={"Idempotency-Key": "cap-1"})
        assert announced.status_code == 200, announced.text
        assert (await b.get("/v1/capacity")).json()["agents_on_shift"] == 3
        records = await read_until(
            kafka_bootstrap, [f"{topic_prefix}teams"], lambda rs: len(rs) >= 1, grace=0.5
        )
        team_event = TEAM_EVENT.validate_json(records[-1].value)
        assert (team_event.team_id, team_event.agents_on_shift) == ("manila", 3)
        assert team_event.announced_by == "partner-api/manila-it"
        assert (
            counter(router, "switchboard_router_stale_events_total", type="ticket.offer_accepted")
            <= 1
        )

    # 5. A new instance rebuilds everything from Kafka.
    async with running_api(settings, clock) as (app_c, _), http(app_c, MANILA_KEY) as c:
        done = (await c.get(path)).json()
        assert (done["status"], done["first_response_at"] is not None) == ("resolved", True)
        stats = (await c.get("/v1/stats", params={"from": "2026-11-27", "to": "2026-11-27"})).json()
        assert (stats["total"]["offered"], stats["total"]["resolved"]) == (2, 1)
        assert (await c.get("/v1/capacity")).json()["agents_on_shift"] == 3


def _route_status(router: Any, ticket_id: str) -> tuple[str, str | None] | None:
    """The router's own state of a ticket (what its handler decided), from its stores:
    its status and the team it is with."""
    processor = router._processors[0][0]
    for tp in processor.owned_partitions():
        store = processor.store(tp)
        value = store.get(ticket_id) if store is not None else None
        if isinstance(value, bytes):  # the router keeps tickets packed (domain/packing.py)
            route = packing.unpack(ticket_id, value)
            return route.status, route.team_id
    return None


__all__ = ["OfferRejected", "TicketAssigned"]
