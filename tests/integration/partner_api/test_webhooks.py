"""Webhooks on a real broker with a local receiver: new offers arrive signed, retried with
the same delivery id until accepted, and a dead endpoint holds up nobody."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from plumbing.runtime import ServiceRuntime
from schemas.partner_api import WebhookEvent
from schemas.tickets import OfferExpired, TicketAssigned
from tests.integration.partner_api.support import (
    MANILA_KEY,
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
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Receiver, webhook_receiver

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SECRET = "it-webhook-secret-for-manila-0123456789"


async def test_offers_are_pushed_signed_retried_and_never_in_the_way(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IT_MANILA_WEBHOOK_SECRET", SECRET)
    clock = ManualClock(FRIDAY_EVENING)
    tickets = f"{topic_prefix}tickets"
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(
            webhook_receiver(SECRET.encode(), refuse_first=2)
        )
        config = partner_desk_config(tmp_path / "desk.yaml", webhook_url=receiver.url)
        settings = api_settings(
            kafka_bootstrap, topic_prefix, config, partner_api_webhook_max_backoff_seconds=0.5
        )
        await stack.enter_async_context(
            running_router(router_settings(kafka_bootstrap, topic_prefix, config), clock)
        )
        app, runtime = await stack.enter_async_context(running_api(settings, clock))
        log = await stack.enter_async_context(EventLog(kafka_bootstrap, [tickets]))
        producer = await stack.enter_async_context(Producer(kafka_bootstrap))
        manila = await stack.enter_async_context(http(app, MANILA_KEY))

        # 1. An offer is pushed; the first two attempts are refused, the third lands.
        first = opened(at=clock.now())
        await producer.send(tickets, first)
        await eventually(_count(receiver, 3), what="three attempts")
        attempts = receiver.deliveries[:3]
        assert [a.answered for a in attempts] == [500, 500, 204]
        assert all(a.signed for a in attempts)
        assert len({a.delivery_id for a in attempts}) == 1, "one delivery id for every retry"
        event = WebhookEvent.model_validate_json(attempts[-1].body)
        assert str(event.id) == attempts[0].delivery_id
        assert (event.type, event.data.ticket_id, event.data.status.value) == (
            "assignment.offered",
            first.ticket_id,
            "offered",
        )
        assert event.data.customer is not None
        assert event.data.customer.name == "Kadri"
        got = (await manila.get(f"/v1/assignments/{event.data.id}")).json()
        assert json.loads(attempts[-1].body)["data"]["id"] == got["id"]

        # 2. Accepted: nothing more is pushed for it.
        accepted = await manila.post(
            f"/v1/assignments/{event.data.id}/accept", headers={"Idempotency-Key": "a"}
        )
        assert accepted.status_code == 200

        # 3. The endpoint goes down for good: the next offer still expires on time and the
        #    ticket moves on; the delivery is given up once the offer is over.
        receiver.refuse_first = 10_000
        second = opened(at=clock.now())
        await producer.send(tickets, second)
        await eventually(_count(receiver, 4), what="the second offer's first attempt")
        clock.advance(timedelta(seconds=31))
        await log.wait_for(lambda: log.of(OfferExpired, second.ticket_id), what="expiry")
        rerouted = await log.wait_for(lambda: log.of(TicketAssigned, second.ticket_id)[1:])
        assert rerouted[0].team_id == "riga"
        await eventually(
            _abandoned(runtime), what="the dead endpoint's delivery given up", timeout=10
        )
        delivered = runtime.registry.get_sample_value(
            "switchboard_partner_api_webhook_deliveries_total",
            {"partner": "manila", "outcome": "delivered"},
        )
        assert delivered == 1


def _count(receiver: Receiver, n: int) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return len(receiver.deliveries) >= n

    return probe


def _abandoned(runtime: ServiceRuntime) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        value = runtime.registry.get_sample_value(
            "switchboard_partner_api_webhook_deliveries_total",
            {"partner": "manila", "outcome": "abandoned"},
        )
        return bool(value)

    return probe
