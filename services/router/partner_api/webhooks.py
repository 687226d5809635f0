"""Webhooks: a new offer is POSTed to the partner's URL, signed, retried, never in the way.

Its own consumer group reads the partner view's changelog (``read_committed``): each
record that shows a live offer to a partner with a webhook, not yet delivered by this
instance, starts a delivery. Deliveries run beside the consumer (a slow partner delays
nobody, and routing runs in another process altogether). Offsets are committed up to
the oldest record whose deliveries are still running, so after a crash or a rebalance
they are made again: at least once, with a delivery id that stays the same
(``Switchboard-Delivery-Id``, also the body's ``id``) so receivers can drop repeats.
A delivery is retried with exponential backoff while the offer stands; once it was
accepted, rejected or expired there is nothing left to announce ("abandoned").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from plumbing.clock import Clock
from plumbing.logging import get_logger
from schemas.base import derive_id
from schemas.config.partner_api import PartnerAccess
from schemas.partner_api import AssignmentStatus
from services.router.partner_api.codec import decode_served
from services.router.partner_api.domain.present import Presenter
from services.router.partner_api.domain.signing import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    signature_header,
)
from services.router.partner_api.domain.view import AssignmentRecord, PartnerTicket
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics

log = get_logger(__name__)

#: Deliveries this instance remembers having made (older ones may be made again).
REMEMBERED = 50_000
FIRST_BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class Endpoint:
    team_id: str
    url: str
    secret: bytes


def endpoints(partners: dict[str, PartnerAccess]) -> dict[str, Endpoint]:
    """Each partner's webhook, with its signing secret from the environment."""
    found: dict[str, Endpoint] = {}
    for team_id, access in partners.items():
        hook = access.webhook
        if hook is None:
            continue
        secret = os.environ.get(hook.signing_secret_env, "")
        if len(secret) < 32:
            raise ValueError(
                f"partner_api.partners.{team_id}.webhook: set {hook.signing_secret_env} to the "
                "signing secret (at least 32 characters)"
            )
        found[team_id] = Endpoint(team_id, str(hook.url), secret.encode())
    return found


@dataclass
class WebhookSender:
    topic: str
    group_id: str
    client_options: dict[str, Any]
    hooks: dict[str, Endpoint]
    presenters: dict[str, Presenter]
    index: ViewIndex
    clock: Clock
    metrics: PartnerApiMetrics
    timeout_seconds: float = 5.0
    max_backoff_seconds: float = 60.0
    _delivered: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _running: dict[TopicPartition, dict[int, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    _read: dict[TopicPartition, int] = field(default_factory=dict)
    _tasks: dict[TopicPartition, set[asyncio.Task[None]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            **self.client_options,
            group_id=self.group_id,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        consumer.subscribe([self.topic], listener=_Listener(self, consumer))
        async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
            try:
                while True:
                    try:
                        batch = await consumer.getmany(timeout_ms=500)
                    except Exception as exc:  # keep following; aiokafka reconnects
                        log.warning("webhook consumer fetch failed", error=repr(exc))
                        await asyncio.sleep(1.0)
                        continue
                    for tp, records in batch.items():
                        for record in records:
                            self._take(client, tp, record)
                    await self.commit(consumer)
            finally:
                for tasks in self._tasks.values():
                    for task in tasks:
                        task.cancel()
                with contextlib.suppress(Exception):
                    await self.commit(consumer)
                await consumer.stop()

    # -- records -----------------------------------------------------------------------
    def _take(self, client: httpx.AsyncClient, tp: TopicPartition, record: Any) -> None:
        self._read[tp] = record.offset + 1
        if record.value is None:
            return
        try:
            ticket = decode_served(record.value)
        except Exception as exc:
            log.error("unreadable partner view record", offset=record.offset, error=repr(exc))
            return
        if ticket is None:
            return
        now = self.clock.now()
        for assignment in ticket.assignments:
            hook = self.hooks.get(assignment.team_id)
            delivery = _delivery_id(assignment)
            if (
                hook is None
                or assignment.status is not AssignmentStatus.OFFERED
                or (assignment.offer_expires_at is not None and assignment.offer_expires_at <= now)
                or delivery in self._delivered
            ):
                continue
            self._remember(delivery)
            running = self._running[tp]
            running[record.offset] = running.get(record.offset, 0) + 1
            task = asyncio.create_task(self._deliver(client, hook, ticket, assignment, delivery))
            self._tasks[tp].add(task)
            task.add_done_callback(functools.partial(self._done, tp, record.offset))

    def _remember(self, delivery: str) -> None:
        self._delivered[delivery] = None
        while len(self._delivered) > REMEMBERED:
            self._delivered.popitem(last=False)

    def _done(self, tp: TopicPartition, offset: int, task: asyncio.Task[None]) -> None:
        self._tasks[tp].discard(task)
        running = self._running.get(tp)
        if running is None or offset not in running:
            return
        running[offset] -= 1
        if running[offset] <= 0:
            del running[offset]

    async def commit(self, consumer: AIOKafkaConsumer) -> None:
        """Up to the oldest record whose deliveries still run (or all that was read)."""
        offsets = {}
        for tp, read in self._read.items():
            if tp not in consumer.assignment():
                continue
            running = self._running.get(tp)
            offsets[tp] = min(running) if running else read
        if offsets:
            await consumer.commit(offsets)

    def revoked(self, partitions: set[TopicPartition]) -> None:
        for tp in partitions:
            for task in self._tasks.pop(tp, set()):
                task.cancel()
            self._running.pop(tp, None)
            self._read.pop(tp, None)

    # -- one delivery ------------------------------------------------------------------
    async def _deliver(
        self,
        client: httpx.AsyncClient,
        hook: Endpoint,
        ticket: PartnerTicket,
        assignment: AssignmentRecord,
        delivery: str,
    ) -> None:
        presenter = self.presenters[hook.team_id]
        body = json.dumps(
            {
                "id": delivery,
                "object": "event",
                "type": "assignment.offered",
                "created_at": assignment.offered_at.isoformat(),
                "data": presenter.detail(ticket, assignment, self.clock.now()),
            }
        ).encode()
        backoff = FIRST_BACKOFF_SECONDS
        while True:
            if not self._still_offered(hook.team_id, assignment):
                self.metrics.webhooks.labels(hook.team_id, "abandoned").inc()
                return
            if await self._attempt(client, hook, body, delivery):
                self.metrics.webhooks.labels(hook.team_id, "delivered").inc()
                return
            self.metrics.webhooks.labels(hook.team_id, "failed").inc()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_seconds)

    def _still_offered(self, team_id: str, assignment: AssignmentRecord) -> bool:
        expires = assignment.offer_expires_at
        if expires is not None and self.clock.now() >= expires:
            return False
        current = self.index.assignment(team_id, assignment.assignment_id)
        return current is None or current[1].status is AssignmentStatus.OFFERED

    async def _attempt(
        self, client: httpx.AsyncClient, hook: Endpoint, body: bytes, delivery: str
    ) -> bool:
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: delivery,
            SIGNATURE_HEADER: signature_header(hook.secret, int(time.time()), body),
        }
        try:
            response = await client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("webhook delivery failed", team_id=hook.team_id, error=repr(exc))
            return False
        if response.is_success:
            return True
        log.warning(
            "webhook refused", team_id=hook.team_id, status=response.status_code, delivery=delivery
        )
        return False


def _delivery_id(assignment: AssignmentRecord) -> str:
    return str(derive_id("webhook.assignment.offered", str(assignment.assignment_id)))


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, sender: WebhookSender, consumer: AIOKafkaConsumer) -> None:
        self._sender = sender
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        with contextlib.suppress(Exception):
            await self._sender.commit(self._consumer)
        self._sender.revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return None
