"""Breaches only on complete input: a reply that beat its deadline but sits behind another
producer's open transaction on ``tickets`` holds the breach announcement back; it never
becomes a wrongful breach. Once the transaction ends (committed or aborted) the ticket is
judged on time. Both paths replies take: the agent terminal (``switchboard agent``, its
own idempotent producer) and the partner API (its FastStream publisher).

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
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from plumbing.clock import ManualClock
from plumbing.runtime import ServiceRuntime
from schemas.base import Channel, Priority, SlaMetric
from schemas.queue import QueuedTicket
from schemas.sla import SlaBreached
from schemas.tickets import OfferAccepted, TicketAssigned, TicketOpened
from schemas.topics import TICKETS
from services.sla.app import build as build_sla
from services.sla.domain import encoding
from services.sla.domain.clocks import Phase
from services.sla.settings import SlaSettings
from tests.integration.partner_api.support import (
    MANILA_KEY,
    RIGA_KEY,
    api_settings,
    eventually,
    http,
    partner_desk_config,
    running_api,
)
from tests.integration.router.support import (
    FRIDAY_EVENING,
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
    router_settings,
    running_router,
)
from tests.support.kafka_io import read_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CHAT_TARGET = timedelta(minutes=2)  # desk_config: chat, 2 minutes to first response


def partition_of(ticket_id: str) -> int:
    return int(DefaultPartitioner()(ticket_id.encode(), list(range(TICKETS.partitions)), []))


def ticket_ids() -> tuple[str, str, str]:
    """Two tickets on one partition (the answered one and a control), one elsewhere."""
    answered = f"t-{uuid.uuid4().hex[:12]}"
    same = other = None
    while same is None or other is None:
        candidate = f"t-{uuid.uuid4().hex[:12]}"
        if partition_of(candidate) == partition_of(answered):
            same = same or candidate
        else:
            other = other or candidate
    return answered, same, other


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


async def judge_on_time(
    *,
    log: EventLog,
    clock: ManualClock,
    held: HeldTransaction,
    commit: bool,
    answered: TicketOpened,
    control: TicketOpened,
    elsewhere: TicketOpened,
    bootstrap: str,
    prefix: str,
) -> None:
    """The reply is in the log, behind the held transaction: move past every deadline."""
    clock.set(elsewhere.received_at + CHAT_TARGET + timedelta(minutes=3))
    # The timer judges the other partition: its unanswered ticket breaches...
    await log.wait_for(lambda: breaches(log, elsewhere.ticket_id), what="the other breach")
    # ... and goes on judging it for a while (well past the tick that would have
    # announced the held partition's breaches without the watermark).
    for _ in range(10):
        await asyncio.sleep(0.2)
        assert not breaches(log, answered.ticket_id), "a breach for a ticket answered in time"
        assert not breaches(log, control.ticket_id), "judged before the input was complete"

    await held.end(commit=commit)
    # The control ticket on the same partition is due after the answered one: once it
    # breaches, the answered one's deadline was judged with its reply applied.
    await log.wait_for(lambda: breaches(log, control.ticket_id), what="the control breach")
    assert not breaches(log, answered.ticket_id), "a breach for a ticket answered in time"
    phase = await eventually(
        lambda: first_response_phase(bootstrap, prefix, answered.ticket_id),
        what="the answered ticket's clock",
    )
    assert phase is Phase.STOPPED


def chats(at: datetime, **fields: Any) -> tuple[TicketOpened, TicketOpened, TicketOpened]:
    """The answered ticket (due first), its control on the same partition (due a second
    later) and one on another partition (due a second after that)."""
    answered_id, same_id, other_id = ticket_ids()
    return (
        opened(ticket_id=answered_id, at=at, channel=Channel.CHAT, **fields),
        opened(ticket_id=same_id, at=at + timedelta(seconds=1), channel=Channel.CHAT),
        opened(ticket_id=other_id, at=at + timedelta(seconds=2), channel=Channel.CHAT),
    )


@pytest.mark.parametrize("commit", [True, False], ids=["committed", "aborted"])
async def test_an_agent_reply_behind_an_open_transaction_is_not_a_breach(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, commit: bool
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    config = desk_config(tmp_path / "desk.yaml", tallinn_agents=3)
    tickets = f"{topic_prefix}tickets"
    answered, control, elsewhere = chats(clock.now(), priority=Priority.URGENT)
    held = HeldTransaction(kafka_bootstrap, tickets, partition_of(answered.ticket_id), clock.now())
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            running_router(router_settings(kafka_bootstrap, topic_prefix, config), clock)
        )
        await stack.enter_async_context(running_sla(kafka_bootstrap, topic_prefix, config, clock))
        log = await stack.enter_async_context(
            EventLog(
                kafka_bootstrap, [tickets, f"{topic_prefix}sla", f"{topic_prefix}queue.tallinn"]
            )
        )
        producer = await stack.enter_async_context(Producer(kafka_bootstrap))
        for ticket in (answered, control, elsewhere):
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: len(log.of(QueuedTicket)) == 3, what="three queued tickets")
        stack.push_async_callback(held.close)
        await held.begin()

        # The agent answers the most urgent ticket a minute before its deadline.
        clock.set(answered.received_at + CHAT_TARGET - timedelta(minutes=1))
        out = await agent(kafka_bootstrap, topic_prefix, config, clock.now(), "respond 1")
        assert f"first response recorded for {answered.ticket_id}" in out

        await judge_on_time(
            log=log,
            clock=clock,
            held=held,
            commit=commit,
            answered=answered,
            control=control,
            elsewhere=elsewhere,
            bootstrap=kafka_bootstrap,
            prefix=topic_prefix,
        )


async def agent(bootstrap: str, prefix: str, config: Path, now: datetime, command: str) -> str:
    """``switchboard agent`` of the in-house team, its clock starting at ``now``."""
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
        input=f"wait 3 30\n{command}\nquit\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_a_partner_reply_behind_an_open_transaction_is_not_a_breach(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(FRIDAY_EVENING)  # the in-house team went home: partners answer
    config = partner_desk_config(tmp_path / "desk.yaml")
    tickets = f"{topic_prefix}tickets"
    answered, control, elsewhere = chats(clock.now())
    held = HeldTransaction(kafka_bootstrap, tickets, partition_of(answered.ticket_id), clock.now())
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
        await producer.send(tickets, answered)
        offer = await log.wait_for(lambda: log.of(TicketAssigned, answered.ticket_id))
        key = {"manila": MANILA_KEY, "riga": RIGA_KEY}[offer[0].team_id]
        partner = await stack.enter_async_context(http(app, key))
        path = f"/v1/assignments/{offer[0].assignment_id}"

        async def offered() -> bool:
            return (await partner.get(path)).status_code == 200

        await eventually(offered, what="the offer in the partner's view")
        accepted = await partner.post(f"{path}/accept", headers={"Idempotency-Key": "a-1"})
        assert accepted.status_code == 200, accepted.text
        await log.wait_for(lambda: log.of(OfferAccepted, answered.ticket_id))
        for ticket in (control, elsewhere):
            await producer.send(tickets, ticket)
        stack.push_async_callback(held.close)
        await held.begin()

        # The partner answers a minute before the deadline; the API cannot confirm yet.
        clock.set(answered.received_at + CHAT_TARGET - timedelta(minutes=1))
        reply = await partner.post(f"{path}/first-response", headers={"Idempotency-Key": "fr-1"})
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"]["code"] == "confirmation_pending"

        await judge_on_time(
            log=log,
            clock=clock,
            held=held,
            commit=False,
            answered=answered,
            control=control,
            elsewhere=elsewhere,
            bootstrap=kafka_bootstrap,
            prefix=topic_prefix,
        )
