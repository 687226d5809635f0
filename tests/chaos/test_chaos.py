"""Chaos: a Black Friday morning plays through the services while a monkey kills them
with SIGKILL every few seconds and restarts the broker once; then the books must
balance. ``CHAOS_SECONDS`` sets the length of the run (``make chaos`` runs a long one)."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plumbing.clock import ScaledClock
from schemas.base import Channel, Priority
from schemas.config import load_config
from schemas.tickets import TicketOpened
from services.router.domain.budget import SlaTargets
from switchboard.desk.in_house import InHouseDesk
from switchboard.launcher import Stack
from switchboard.ledger import Expectations, check, read_books, source_message_id, summary
from switchboard.simulator import Workforce, generate_traffic
from tests.conftest import SAMPLE_CONFIG
from tests.support.broker import LocalBroker, start_private_broker
from tests.support.chaos import Monkey, Supervisor, play

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

SECONDS = float(os.environ.get("CHAOS_SECONDS", "150"))
SPEED = 120.0  # two simulated hours per real minute
SIM_START = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Black Friday, 09:00 in Tallinn
SEED = 20261127

NESTED = ("[" * 5000 + "]" * 5000).encode()
BAD_INPUTS: list[tuple[str, bytes]] = [
    ("inbound.email", b"\xff\xfe\x00 definitely not a message"),
    ("inbound.chat", b'{"message_id": 42, "conversation_id": [], "text": null}'),
    ("inbound.marketplace", b'{"marketplace": "allegro", "message_id": "m-1"'),
    ("inbound.social", NESTED),
    ("inbound.phone", json.dumps({"call_id": "x", "transcript": "a" * 300_000}).encode()),
    ("tickets", b'{"type": "ticket.teleported", "ticket_id": "t-1", "event_id": "nope"}'),
]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    local = start_private_broker(tmp_path / "kafka")
    try:
        yield local
    finally:
        local.stop()


def deadline_oracle(targets: SlaTargets):  # type: ignore[no-untyped-def]
    def due(opened: TicketOpened, priority: Priority) -> datetime:
        return targets.first_response_deadline(
            channel=opened.channel,
            priority=priority,
            tier=opened.customer.tier,
            marketplace=opened.marketplace,
            received_at=opened.received_at,
            reply_deadline=opened.reply_deadline,
        )

    return due


async def test_books_balance_after_kills_and_a_broker_restart(
    broker: LocalBroker, tmp_path: Path
) -> None:
    prefix = "chaos."
    config_path = tmp_path / "switchboard.yaml"
    config_path.write_text(SAMPLE_CONFIG.read_text())
    config = load_config(config_path)
    sim_end = SIM_START + timedelta(seconds=SECONDS * SPEED)
    messages = generate_traffic(SIM_START, sim_end, seed=SEED)
    real_start = time.time() + 25  # the services are up and restored by then
    clock = ScaledClock(sim_start=SIM_START, real_start=real_start, speed=SPEED)
    stack = Stack(
        env={
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "SWITCHBOARD_TOPIC_PREFIX": prefix,
            "SWITCHBOARD_CONFIG": str(config_path),
            "SWITCHBOARD_CLOCK_SPEED": str(SPEED),
            "SWITCHBOARD_CLOCK_SIM_START": SIM_START.isoformat(),
            "SWITCHBOARD_CLOCK_REAL_START": str(real_start),
            "LOG_LEVEL": "WARNING",
        },
        log_dir=tmp_path / "logs",
    )
    supervisor = Supervisor(stack)
    monkey = Monkey(stack, broker, seed=SEED, broker_restart_after=SECONDS * 0.4)
    stop_desk = asyncio.Event()
    desk = InHouseDesk(
        bootstrap=broker.bootstrap,
        prefix=prefix,
        headcount={t.id: t.agents for t in config.teams if t.id in config.in_house_team_ids},
        workforce=Workforce(SEED),
        clock=clock,
        answers=lambda ticket: int(ticket.ticket_id[-2:], 16) % 10 < 7,  # 70% are answered
    )
    desk_task = asyncio.create_task(desk.run(stop_desk))
    try:
        # Under its supervisor from the first start, as in production: a service that
        # gives up on a broker slow to answer (a busy machine) is started again.
        for service in stack.services.values():
            service.start()
        supervisor.start()
        await asyncio.to_thread(monkey.wait_all_ready)
        monkey.start()
        await play(
            broker.bootstrap,
            prefix,
            clock=clock,
            messages=messages,
            bad_inputs=BAD_INPUTS,
            seed=SEED,
        )
        monkey.stop.set()
        monkey.join()
        await asyncio.to_thread(monkey.wait_all_ready)
        # Let everything in flight settle: every inbound message reaches the books.
        for _ in range(60):
            books = await read_books(broker.bootstrap, prefix)
            if all(books.ticket_of_message.get(m) for m in books.inbound):
                break
            await asyncio.sleep(2)
        await asyncio.sleep(15)
        ended_at = clock.now()
        books = await read_books(broker.bootstrap, prefix)
    finally:
        monkey.stop.set()
        if monkey.is_alive():
            monkey.join()
        stop_desk.set()
        await desk_task
        supervisor.stop.set()
        if supervisor.is_alive():
            supervisor.join()
        stack.stop()

    customer_of = {
        source_message_id(message.channel, message.payload): message.truth.customer_id
        for message in messages
    }
    expect = Expectations(
        ended_at=ended_at,
        bad_inputs=frozenset(value for _, value in BAD_INPUTS),
        customer_of=customer_of,
        first_response_deadline=deadline_oracle(SlaTargets.from_config(config.sla)),
        margin=timedelta(seconds=SPEED * 10),
    )
    problems = check(books, expect)
    print("\n".join(monkey.log))
    print(json.dumps(summary(books), indent=2))
    print(f"kills {dict(monkey.kills)}, supervisor restarts {dict(supervisor.restarts)}")
    print(f"desk: {desk.counters}")
    assert not monkey.errors, monkey.errors
    assert not problems, "\n".join(problems[:40])
    assert sum(monkey.kills.values()) >= SECONDS / 10, "the monkey hardly killed anything"
    assert monkey.broker_restarts == 1
    totals = summary(books)
    assert totals["tickets opened"] > 100
    assert totals["first-response breaches"] > 0, "no deadline ever passed: nothing was tested"
    assert totals["tickets answered"] > 0
    assert {Channel(m.channel) for m in messages} == set(Channel)
