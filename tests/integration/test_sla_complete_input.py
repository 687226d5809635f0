"""Breaches only on complete input: a reply that beat its deadline but sits behind another
producer's open transaction on ``tickets`` holds the breach announcement back; it never
becomes a wrongful breach. Once the transaction ends the ticket is judged on time. Both
paths replies take, in one run: the agent terminal (``switchboard agent``, its own
idempotent producer) and the partner API (its FastStream publisher).

The clock is a ManualClock shared by the in-process router, SLA service and partner API:
the deadlines pass when the test moves it, never by waiting.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from plumbing.clock import ManualClock
from plumbing.runtime import ServiceRuntime
from schemas.base import Channel, SlaMetric
from schemas.sla import SlaBreached
from schemas.tickets import TicketAssigned, TicketOpened
from schemas.topics import TICKETS
from services.sla.app import build as build_sla
from services.sla.domain import encoding
from services.sla.domain.clocks import Phase
from services.sla.settings import SlaSettings
from tests.integration.partner_api.support import (
    MANILA_KEY,
    RIGA_KEY,
    api_settings,
    http,
    partner_desk_config,
    running_api,
)
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    opened,
    router_settings,
    running_router,
)
from tests.support.kafka_io import read_until
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CHAT_TARGET = timedelta(minutes=2)  # desk_config: chat, 2 minutes to first response


def partition_of(ticket_id: str) -> int:
    return int(DefaultPartitioner()(ticket_id.encode(), list(range(TICKETS.partitions)), []))


class HeldTransaction:
    """Another producer's transaction, begun on one ``tickets`` partition and left open."""

    def __init__(self, bootstrap: str, topic: str, partition: int, at: datetime) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, transactional_id=f"held-{uuid.uuid4().hex}"
        )
        self._topic = topic
        self._partition = partition
        self._at = at

    async def begin(self) -> None:
        await self._producer.start()
        await self._producer.begin_transaction()
        # A valid ticket of its own, so a commit leaves the consumers nothing to refuse.
        record = opened(at=self._at, channel=Channel.EMAIL)
        await self._producer.send_and_wait(
            self._topic, record.to_json_bytes(), key=b"held", partition=self._partition
        )

    async def end(self, *, commit: bool) -> None:
        if commit:
            await self._producer.commit_transaction()
        else:
            await self._producer.abort_transaction()

    async def close(self) -> None:
        await self._producer.stop()


@asynccontextmanager
async def running_sla(
    bootstrap: str, prefix: str, config: Path, clock: ManualClock
) -> AsyncIterator[ServiceRuntime]:
    settings = SlaSettings.model_validate(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": prefix,
            "config_path": config,
            "write_grace_seconds": 0.3,
        }
    )
    app, runtime = build_sla(settings, clock=clock)
    async with runtime.lifespan(app):
        yield runtime


async def first_response_phase(bootstrap: str, prefix: str, ticket_id: str) -> Phase | None:
    """The first-response clock of a ticket as the SLA service last committed it."""
    records = await read_until(
        bootstrap, [f"{prefix}sla.clocks-changelog"], lambda _: False, timeout=2, grace=0
    )
    latest = [r for r in records if r.key == ticket_id.encode()]
    if not latest or latest[-1].value is None:
        return None
    return encoding.decode(ticket_id, latest[-1].value).first_response.phase


def breaches(log: EventLog, ticket_id: str) -> list[SlaBreached]:
    return [b for b in log.of(SlaBreached, ticket_id) if b.metric is SlaMetric.FIRST_RESPONSE]


def chats(at: datetime, count: int) -> list[TicketOpened]:
    """Chats on one partition but the last, which is on another; each due a second after
    the one before (chat: 2 minutes to first response)."""
    first = f"t-{uuid.uuid4().hex[:12]}"
    same, other = [first], None
    while len(same) < count - 1 or other is None:
        candidate = f"t-{uuid.uuid4().hex[:12]}"
        if partition_of(candidate) != partition_of(first):
            other = other or candidate
        elif len(same) < count - 1:
            same.append(candidate)
    return [
        opened(ticket_id=ticket_id, at=at + timedelta(seconds=n), channel=Channel.CHAT)
        for n, ticket_id in enumerate([*same, other])
    ]


async def agent(bootstrap: str, prefix: str, config: Path, now: datetime) -> str:
    """``switchboard agent`` of the in-house team answers its ticket, its clock at ``now``."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": prefix,
        "SWITCHBOARD_CONFIG": str(config),
        "SWITCHBOARD_CLOCK_SIM_START": now.isoformat(),
    }
    args = [sys.executable, "-m", "switchboard.cli", "agent", "--team", "tallinn"]
    result = await asyncio.to_thread(
        subprocess.run,
        [*args, "--agent-id", "anna"],
        input="wait 1 30\nrespond 1\nquit\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_replies_behind_an_open_transaction_are_judged_on_time_once_it_ends(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    # One in-house agent: the first chat is queued for Tallinn (the agent terminal's
    # path), the second overflows to a partner (the partner API's path).
    config = partner_desk_config(tmp_path / "desk.yaml", tallinn_agents=1)
    tickets = f"{topic_prefix}tickets"
    by_agent, by_partner, control, elsewhere = chats(clock.now(), 4)
    held = HeldTransaction(kafka_bootstrap, tickets, partition_of(by_agent.ticket_id), clock.now())
    # The API's write is in the log at once; its confirmation waits for the view, which
    # reads behind the held transaction too: a short wait, then 503 "pending".
    settings = api_settings(
        kafka_bootstrap, topic_prefix, config, partner_api_confirm_timeout_seconds=0.5
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            running_router(router_settings(kafka_bootstrap, topic_prefix, config), clock)
        )
        await stack.enter_async_context(running_sla(kafka_bootstrap, topic_prefix, config, clock))
        app, _ = await stack.enter_async_context(running_api(settings, clock))
        log = await stack.enter_async_context(
            EventLog(kafka_bootstrap, [tickets, f"{topic_prefix}sla"])
        )
        producer = await stack.enter_async_context(Producer(kafka_bootstrap))
        for ticket in (by_agent, by_partner):
            await producer.send(tickets, ticket)
            await log.wait_for(partial(log.of, TicketAssigned, ticket.ticket_id))
        (queued,) = log.of(TicketAssigned, by_agent.ticket_id)
        (offer,) = log.of(TicketAssigned, by_partner.ticket_id)
        assert (queued.team_id, offer.mode) == ("tallinn", "offer")
        partner = await stack.enter_async_context(
            http(app, {"manila": MANILA_KEY, "riga": RIGA_KEY}[offer.team_id])
        )
        path = f"/v1/assignments/{offer.assignment_id}"

        async def offered() -> bool:
            return (await partner.get(path)).status_code == 200

        await eventually(offered, what="the offer in the partner's view")

        async def accept() -> httpx.Response:
            return await partner.post(f"{path}/accept", headers={"Idempotency-Key": "a-1"})

        # On a busy machine the confirmation may take longer than the API waits (503
        # confirmation_pending): a partner retries with the same key, as documented.
        accepted = await eventually(
            accept, until=lambda r: r.status_code != 503, what="the accept confirmed"
        )
        assert accepted.status_code == 200, accepted.text
        for ticket in (control, elsewhere):
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: log.of(TicketAssigned, elsewhere.ticket_id))
        stack.push_async_callback(held.close)
        await held.begin()

        # Both answer a minute before their deadlines, behind the open transaction.
        clock.set(by_agent.received_at + CHAT_TARGET - timedelta(minutes=1))
        out = await agent(kafka_bootstrap, topic_prefix, config, clock.now())
        assert f"first response recorded for {by_agent.ticket_id}" in out
        reply = await partner.post(f"{path}/first-response", headers={"Idempotency-Key": "fr-1"})
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"]["code"] == "confirmation_pending"

        clock.set(elsewhere.received_at + CHAT_TARGET + timedelta(minutes=3))
        # The timer judges the other partition past every deadline: its ticket breaches...
        await log.wait_for(lambda: breaches(log, elsewhere.ticket_id), what="the other breach")
        # ... and goes on judging it for a while (well past the tick that would have
        # announced the held partition's breaches without the watermark).
        for _ in range(10):
            await asyncio.sleep(0.2)
            for answered in (by_agent, by_partner):
                assert not breaches(log, answered.ticket_id), "a ticket answered in time"
            assert not breaches(log, control.ticket_id), "judged before the input was complete"

        await held.end(commit=True)
        # The control ticket on the same partition is due after the answered ones: once
        # it breaches, their deadlines were judged with their replies applied.
        await log.wait_for(lambda: breaches(log, control.ticket_id), what="the control breach")
        for answered in (by_agent, by_partner):
            assert not breaches(log, answered.ticket_id), "a ticket answered in time"
            phase = await eventually(
                partial(first_response_phase, kafka_bootstrap, topic_prefix, answered.ticket_id),
                what="the answered ticket's clock",
            )
            assert phase is Phase.STOPPED
