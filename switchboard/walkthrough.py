"""A short guided run: a handful of messages through the real services on local Kafka,
simulated partners working their offers through the partner API, then what happened to
each message."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console
from rich.table import Table

from plumbing.clock import ScaledClock
from schemas.dlq import DeadLetter
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import TICKET_EVENT, FirstResponse, TicketAssigned, TicketOpened
from switchboard.launcher import ALL_SERVICES, PARTNER_API, Stack
from switchboard.simulated_partners import SimulatedPartners, demo_config

#: Simulated seconds per real second: a 4-hour email target passes in 8 seconds.
SPEED = 1800.0
# Black Friday. The services start up to 10 real s (5 simulated hours) before this
# instant, and the messages go out then: late enough that the in-house teams in
# Tallinn and Warsaw are at work when they arrive.
SIM_START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _samples(clock: ScaledClock) -> list[tuple[str, dict[str, Any] | bytes, bool]]:
    """(topic, payload, answered in time?) for each sample message."""
    now = clock.now().isoformat()
    email = {
        "message_id": "<bf-1@mail.example.com>",
        "from": "kadri.tamm@example.com",
        "to": ["help@shop.example.com"],
        "subject": "Tellimus 88231 pole kohale jõudnud",
        "text": "Tere! Tellisin esmaspäeval, pakk pole siiani kohal. Kus see on?",
        "received_at": now,
        "in_reply_to": None,
    }
    return [
        ("inbound.email", email, False),
        ("inbound.email", email, False),  # the same email delivered twice
        (
            "inbound.email",
            {
                "message_id": "<bf-2@mail.example.com>",
                "from": "jan.novak@example.com",
                "to": ["help@shop.example.com"],
                "subject": "Wrong size",
                "text": "The jacket from order 88240 is size M, I ordered L. How do I swap it?",
                "received_at": now,
                "in_reply_to": None,
            },
            True,
        ),
        (
            "inbound.marketplace",
            {
                "marketplace": "allegro",
                "message_id": "a-77120",
                "order_id": "ALG-1-55120",
                "buyer_id": "buyer-3391",
                "buyer_name": "Ola",
                "text": "Dzień dobry, kiedy wyślecie moje zamówienie?",
                "sent_at": now,
            },
            False,
        ),
        (
            "inbound.email",
            {
                "message_id": "<bf-3@posta.example.com.tr>",
                "from": "ayse.yilmaz@example.com.tr",
                "to": ["help@shop.example.com"],
                "subject": "Kargom nerede?",
                "text": "Merhaba, kargom hâlâ gelmedi, sipariş 88245 nerede? Lütfen yardım edin.",  # noqa: RUF001
                "received_at": now,
                "in_reply_to": None,
            },
            False,  # no in-house team writes Turkish: a partner answers, through its API
        ),
        ("inbound.email", b"\x00\xff this is not JSON", False),
    ]


async def _publish(bootstrap: str, prefix: str, clock: ScaledClock) -> list[bool]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic, payload, _ in _samples(clock):
            value = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            await producer.send_and_wait(f"{prefix}{topic}", value)
    finally:
        await producer.stop()
    return [answered for _, _, answered in _samples(clock)]


async def _collect(bootstrap: str, prefix: str, seconds: float, clock: ScaledClock) -> list[Any]:
    """Read what the services wrote, answering the tickets the samples mark as answered."""
    to_answer = {"<bf-2@mail.example.com>"}
    consumer = AIOKafkaConsumer(
        f"{prefix}tickets",
        f"{prefix}sla",
        f"{prefix}inbound.email.dlq",
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    events: list[Any] = []
    opened: dict[str, TicketOpened] = {}
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for record in (r for records in batch.values() for r in records):
                if record.topic.endswith(".dlq"):
                    events.append(DeadLetter.model_validate_json(record.value))
                    continue
                adapter = SLA_EVENT if record.topic == f"{prefix}sla" else TICKET_EVENT
                event = adapter.validate_json(record.value)
                events.append(event)
                if isinstance(event, TicketOpened):
                    opened[event.ticket_id] = event
                if isinstance(event, TicketAssigned) and (
                    opened[event.ticket_id].source_message_id in to_answer
                ):
                    reply = FirstResponse(
                        event_id=uuid.uuid4(),
                        occurred_at=clock.now(),
                        correlation_id=event.correlation_id,
                        ticket_id=event.ticket_id,
                        assignment_id=event.assignment_id,
                        team_id=event.team_id,
                    )
                    await producer.send_and_wait(
                        f"{prefix}tickets", reply.to_json_bytes(), key=event.ticket_id.encode()
                    )
    finally:
        await consumer.stop()
        await producer.stop()
    return events


def _report(
    console: Console, events: list[Any], partners: SimulatedPartners, figures: dict[str, Any]
) -> None:
    table = Table(title="What happened to each message")
    for column in ("message", "ticket", "team", "first response", "SLA"):
        table.add_column(column)
    opened = [e for e in events if isinstance(e, TicketOpened)]
    for ticket in opened:
        assigned = next(
            (
                e
                for e in events
                if isinstance(e, TicketAssigned) and e.ticket_id == ticket.ticket_id
            ),
            None,
        )
        answered = any(
            isinstance(e, FirstResponse) and e.ticket_id == ticket.ticket_id for e in events
        )
        breach = next(
            (e for e in events if isinstance(e, SlaBreached) and e.ticket_id == ticket.ticket_id),
            None,
        )
        table.add_row(
            f"{ticket.channel.value}: {ticket.subject or ticket.text[:40]}",
            ticket.ticket_id[:8],
            f"{assigned.team_id} ({assigned.team_kind.value})" if assigned else "-",
            "answered" if answered else "none",
            f"BREACHED at {breach.deadline:%H:%M} (sim)"
            if breach
            else "met"
            if answered
            else "clock running",
        )
    console.print(table)
    letters = [e for e in events if isinstance(e, DeadLetter)]
    deliveries = len(_samples(ScaledClock(SIM_START, time.time(), SPEED)))
    console.print(
        f"{len(opened)} tickets from {deliveries} deliveries (one was a duplicate); "
        f"{len(letters)} message(s) in the dead-letter topic: "
        + ", ".join(f"{letter.error_kind} ({letter.source_topic})" for letter in letters)
    )
    _report_partners(console, partners, figures)


def _report_partners(
    console: Console, partners: SimulatedPartners, figures: dict[str, Any]
) -> None:
    if not partners.actions:
        console.print("No ticket went to a partner this time.")
        return
    table = Table(title="Partners, through the partner API (HTTP)")
    for column in ("partner", "ticket", "what it did", "its figures today"):
        table.add_column(column)
    done: dict[tuple[str, str], list[str]] = {}
    for team_id, ticket, step in partners.actions:
        done.setdefault((team_id, ticket), []).append(step)
    for (team_id, ticket), steps in done.items():
        total = figures.get(team_id, {})
        table.add_row(
            team_id,
            ticket[:8],
            " -> ".join(steps),
            f"{total.get('offered', 0)} offered, {total.get('resolved', 0)} resolved, "
            f"{total.get('first_response_met', 0)} answered in time",
        )
    console.print(table)


def run_walkthrough(bootstrap: str, config: Path, log_dir: Path) -> None:
    console = Console()
    prefix = f"walkthrough-{int(time.time())}."
    # The simulated clock reads SIM_START about when the services are up and the
    # first message goes out.
    real_start = time.time() + 10
    clock = ScaledClock(sim_start=SIM_START, real_start=real_start, speed=SPEED)
    keys = demo_config(config, log_dir / "switchboard.yaml")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SWITCHBOARD_CONFIG": str(log_dir / "switchboard.yaml"),
        "PARTNER_API_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "SWITCHBOARD_TOPIC_PREFIX": prefix,
        "SWITCHBOARD_CLOCK_SPEED": str(SPEED),
        "SWITCHBOARD_CLOCK_SIM_START": SIM_START.isoformat(),
        "SWITCHBOARD_CLOCK_REAL_START": str(real_start),
    }
    stack = Stack(env=env, log_dir=log_dir, names=ALL_SERVICES)
    console.print(
        f"Starting ingest, router, SLA and the partner API on {bootstrap} (logs in {log_dir}) ..."
    )
    try:
        stack.start()
        console.print(
            f"Simulated time runs {SPEED:.0f}x faster, from {SIM_START:%a %d %b %H:%M} UTC: "
            "a 4-hour email target passes in 8 seconds."
        )
        partners = SimulatedPartners(stack[PARTNER_API].url, keys)
        asyncio.run(_publish(bootstrap, prefix, clock))
        wait = timedelta(hours=4, minutes=30).total_seconds() / SPEED + 4
        console.print(
            f"Published the messages; partners work their offers at {partners.api_url}; "
            f"watching the topics for {wait:.0f} s ..."
        )
        events, figures = asyncio.run(_watch(bootstrap, prefix, wait, clock, partners))
    finally:
        stack.stop()
    _report(console, events, partners, figures)


async def _watch(
    bootstrap: str, prefix: str, seconds: float, clock: ScaledClock, partners: SimulatedPartners
) -> tuple[list[Any], dict[str, Any]]:
    events, _ = await asyncio.gather(
        _collect(bootstrap, prefix, seconds, clock), partners.work(seconds)
    )
    figures = await partners.stats(clock.now().date().isoformat())
    return events, figures
