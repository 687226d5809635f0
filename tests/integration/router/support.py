"""A router running in the test process on the real broker, a desk config, and a log of
what lands on the topics."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import TypeAdapter

from plumbing.clock import Clock
from plumbing.runtime import ServiceRuntime
from schemas.base import Channel, CustomerTier, Priority
from schemas.customers import Customer
from schemas.dlq import DeadLetter
from schemas.queue import QUEUE_EVENT
from schemas.sla import SLA_EVENT
from schemas.tickets import TICKET_EVENT, TicketAssigned, TicketOpened
from services.router.app import build
from services.router.settings import RouterSettings

#: Wednesday 25 November 2026, 12:00 in Tallinn: every team works.
WEDNESDAY_NOON = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
#: Friday 27 November 2026, 21:30 in Tallinn: the in-house team went home.
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
#: Monday 30 November 2026, 09:00 in Tallinn.
MONDAY_MORNING = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)

WORKDAYS = {day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def desk_config(
    path: Path,
    *,
    tallinn_agents: int = 2,
    manila_agents: int = 1,
    riga_agents: int = 2,
    first_response: dict[str, str] | None = None,
    share_limit: float = 1.0,
    offer_accept_timeout: str = "PT30S",
) -> Path:
    """One in-house team in Tallinn and two partners (Manila 24/7, cheaper; Riga)."""
    targets = {"chat": "PT2M", "default": "PT4H", **(first_response or {})}
    config = {
        "teams": [
            {
                "id": "tallinn",
                "name": "Tallinn Care",
                "kind": "in_house",
                "skills": {"orders_shipping": 1.0, "payments_billing": 1.0},
                "languages": ["en", "et"],
                "channels": ["email", "chat"],
                "agents": tallinn_agents,
                "concurrency": 1,
                "cost_per_ticket": "6.40",
                "mean_handle_time": "PT10M",
                "hours": {
                    "time_zone": "Europe/Tallinn",
                    "weekly": WORKDAYS,
                    "holidays_country": "EE",
                },
            },
            {
                "id": "manila",
                "name": "Manila BPO",
                "kind": "partner",
                "skills": {"orders_shipping": 0.7},
                "languages": ["en"],
                "channels": ["email", "chat"],
                "agents": manila_agents,
                "concurrency": 2,
                "cost_per_ticket": "2.60",
                "contract": {"offer_accept_timeout": offer_accept_timeout},
            },
            {
                "id": "riga",
                "name": "Riga BPO",
                "kind": "partner",
                "skills": {"orders_shipping": 0.8, "payments_billing": 0.8},
                "languages": ["en"],
                "channels": ["email", "chat"],
                "agents": riga_agents,
                "concurrency": 2,
                "cost_per_ticket": "3.90",
                "hours": {
                    "time_zone": "Europe/Riga",
                    "weekly": {d: ["07:00-23:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                },
                "contract": {"offer_accept_timeout": offer_accept_timeout},
            },
        ],
        "outsourcing": {
            "share_limit": share_limit,
            "data_policy": {"never_skills": ["payments_billing"], "never_tiers": ["vip"]},
        },
        "sla": {
            "policies": [
                {"id": "chat", "match": {"channels": ["chat"]}, "first_response": targets["chat"]},
                {"id": "default", "first_response": targets["default"]},
            ]
        },
    }
    path.write_text(yaml.safe_dump(config))
    return path


def router_settings(bootstrap: str, prefix: str, config: Path, **overrides: Any) -> RouterSettings:
    return RouterSettings.model_validate(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": prefix,
            "config_path": config,
            "router_tick_seconds": 0.05,
            **overrides,
        }
    )


@asynccontextmanager
async def running_router(
    settings: RouterSettings, clock: Clock | None = None
) -> AsyncIterator[ServiceRuntime]:
    app, runtime = build(settings, clock=clock)
    async with runtime.lifespan(app):
        yield runtime


def opened(
    *,
    ticket_id: str | None = None,
    at: datetime,
    channel: Channel = Channel.EMAIL,
    skill: str = "orders_shipping",
    language: str = "en",
    tier: CustomerTier = CustomerTier.STANDARD,
    priority: Priority = Priority.NORMAL,
    subject: str = "Where is my parcel?",
) -> TicketOpened:
    ticket_id = ticket_id or f"t-{uuid.uuid4().hex[:12]}"
    return TicketOpened(
        event_id=uuid.uuid4(),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        channel=channel,
        source_message_id=f"m-{ticket_id}",
        customer=Customer(customer_key=f"k-{ticket_id}", name="Kadri", tier=tier),
        subject=subject,
        text=f"{subject} Order 4711.",
        received_at=at,
        language=language,
        skill=skill,
        priority=priority,
    )


class Producer:
    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")

    async def __aenter__(self) -> Producer:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def send(self, topic: str, event: Any, key: str | None = None) -> None:
        key = key or event.ticket_id
        await self._producer.send_and_wait(topic, event.to_json_bytes(), key=key.encode())

    async def send_many(self, topic: str, events: list[Any]) -> None:
        """All at once (one producer batch), so consumers fetch them in large batches."""
        for event in events:
            await self._producer.send(topic, event.to_json_bytes(), key=event.ticket_id.encode())
        await self._producer.flush()

    async def send_raw(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        await self._producer.send_and_wait(topic, value, key=key)


def _adapter(topic: str) -> TypeAdapter[Any]:
    if topic.endswith(".dlq"):
        return TypeAdapter(DeadLetter)
    if ".queue." in f".{topic}":
        return QUEUE_EVENT
    if topic.endswith("sla"):
        return SLA_EVENT
    return TICKET_EVENT


class EventLog:
    """Everything committed on some topics, decoded, in arrival order."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.events: list[tuple[str, Any]] = []
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            enable_auto_commit=False,
            metadata_max_age_ms=1000,
        )
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> EventLog:
        await self._consumer.start()
        self._task = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _follow(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100)
            for records in batch.values():
                for record in records:
                    self.events.append(
                        (record.topic, _adapter(record.topic).validate_json(record.value))
                    )
            if batch:
                self._changed.set()

    def of(self, kind: type, ticket_id: str | None = None) -> list[Any]:
        return [
            e
            for _, e in self.events
            if isinstance(e, kind)
            and (ticket_id is None or getattr(e, "ticket_id", None) == ticket_id)
        ]

    def on(self, topic_suffix: str) -> list[Any]:
        return [e for topic, e in self.events if topic.endswith(topic_suffix)]

    async def wait_for(
        self, condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition"
    ) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = condition()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                kinds = [type(e).__name__ for _, e in self.events]
                raise AssertionError(f"timed out waiting for {what}; saw {kinds}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    def assignments(self, ticket_id: str) -> list[TicketAssigned]:
        return self.of(TicketAssigned, ticket_id)
