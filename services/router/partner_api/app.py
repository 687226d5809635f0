"""Wiring of the partner API process: nothing happens at import time.

One process of its own (``python -m services.router.partner_api``), so it can face
partners without exposing the router, scale on its own, and fail without stopping
routing. It runs, with its own consumer groups:

* the partner view: a transactional processor over ``tickets`` and ``sla``
  (co-partitioned by ticket id) writing ``partner.tickets-changelog``;
* partner capacity: a transactional processor over ``teams`` writing
  ``partner.capacity-changelog``;
* mirrors of both changelogs (every instance answers for every partner);
* webhooks, if any partner has one; a purge timer for expired records;
* the HTTP API, writing ``tickets``, ``teams`` and ``partner.audit``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from plumbing.clock import Clock
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from plumbing.table import GlobalTable
from schemas import topics
from schemas.audit import PartnerAction
from schemas.config import SwitchboardConfig, load_config
from schemas.sla import SlaEvent
from schemas.teams import TeamCapacity, TeamEvent
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec
from services.router.partner_api.api import APP_OPTIONS, install_api, presenters
from services.router.partner_api.codec import (
    checked_record,
    decode_capacity,
    encode_capacity,
    served,
)
from services.router.partner_api.context import Options, PartnerApi
from services.router.partner_api.domain.capacity import CapacityRecord
from services.router.partner_api.domain.minimise import Keep
from services.router.partner_api.handlers import CapacityHandler, Purge, ViewHandler
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics
from services.router.partner_api.settings import PartnerApiSettings
from services.router.partner_api.webhooks import WebhookSender, endpoints

SERVICE = "partner-api"
#: The mirrors are read barriers: a request waits at most about this long for the
#: position to pass a transaction marker (see ``GlobalTable.sync``).
BARRIER_POLL_MS = 20


@dataclass
class KafkaPublisher:
    """Writes through the service's FastStream broker: idempotent producer, acks=all;
    each call returns once Kafka has stored the record."""

    broker: KafkaBroker
    tickets_topic: str
    teams_topic: str
    audit_topic: str

    async def ticket_event(self, event: TicketEvent) -> None:
        await self.broker.publish(
            event.to_json_bytes(), self.tickets_topic, key=event.ticket_id.encode()
        )

    async def capacity(self, event: TeamCapacity) -> None:
        await self.broker.publish(
            event.to_json_bytes(), self.teams_topic, key=event.team_id.encode()
        )

    async def audit(self, event: PartnerAction) -> None:
        await self.broker.publish(
            event.to_json_bytes(), self.audit_topic, key=event.partner_id.encode()
        )


def _same(record: bytes) -> bytes:
    return record


def keep_for(config: SwitchboardConfig) -> Keep:
    return Keep.union(
        [access.fields for access in config.partner_api.partners.values()],
        config.outsourcing.data_policy,
    )


def build(
    settings: PartnerApiSettings, clock: Clock | None = None
) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            topics.TICKETS,
            dlq_spec(topics.TICKETS),
            topics.SLA,
            dlq_spec(topics.SLA),
            topics.TEAMS,
            topics.PARTNER_VIEW_CHANGELOG,
            topics.PARTNER_CAPACITY_CHANGELOG,
            topics.PARTNER_AUDIT,
        ],
    )
    if clock is not None:
        runtime.clock = clock
    metrics = PartnerApiMetrics(runtime.registry)
    tickets = runtime.topic(topics.TICKETS.name)
    sla = runtime.topic(topics.SLA.name)
    teams = runtime.topic(topics.TEAMS.name)
    view_changelog = runtime.topic(topics.PARTNER_VIEW_CHANGELOG.name)
    capacity_changelog = runtime.topic(topics.PARTNER_CAPACITY_CHANGELOG.name)

    # The store keeps the changelog records themselves (handlers.py): written as they are.
    view = TransactionalProcessor[bytes](
        service=SERVICE,
        group_id=settings.group("switchboard-partner-view"),
        handler=ViewHandler(tickets_topic=tickets, keep=keep_for(config)),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(topic=view_changelog, encode=_same, decode=checked_record),
        co_partitioned=(tickets, sla),
    )
    runtime.consume(
        view,
        [tickets, sla],
        payload=TicketEvent | SlaEvent,
        title="tickets+sla:partner-view",
        description="Keeps the partner view of tickets offered to partners (and the "
        "minimised facts of tickets that may be), with the SLA breaches while a partner "
        "held them.",
    )
    capacity = TransactionalProcessor[CapacityRecord](
        service=SERVICE,
        group_id=settings.group("switchboard-partner-capacity"),
        handler=CapacityHandler(frozenset(config.partner_api.partners), metrics),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=capacity_changelog, encode=encode_capacity, decode=decode_capacity
        ),
    )
    runtime.consume(
        capacity,
        [teams],
        payload=TeamEvent,
        title="teams:partner-capacity",
        description="Each partner's latest capacity and its recent announcement ids.",
    )

    index = ViewIndex(on_invalid=lambda _, __: metrics.invalid_records.labels(view_changelog).inc())
    view_table = GlobalTable[bytes | None](
        topic=view_changelog,
        decode=served,
        client_options=runtime.client_options,
        on_change=index.ticket_changed,
        poll_ms=BARRIER_POLL_MS,
        on_invalid=lambda record, _: metrics.invalid_records.labels(record.topic).inc(),
    )
    capacity_table = GlobalTable[CapacityRecord](
        topic=capacity_changelog,
        decode=decode_capacity,
        client_options=runtime.client_options,
        on_change=index.capacity_changed,
        poll_ms=BARRIER_POLL_MS,
        on_invalid=lambda record, _: metrics.invalid_records.labels(record.topic).inc(),
    )
    runtime.add_table(view_table)
    runtime.add_table(capacity_table)

    barrier_seconds = settings.partner_api_read_barrier_seconds

    async def barrier() -> bool:
        synced = await asyncio.gather(
            view_table.sync(barrier_seconds), capacity_table.sync(barrier_seconds)
        )
        return all(synced)

    margin = timedelta(seconds=settings.partner_api_accept_margin_seconds)
    secret = settings.partner_api_pseudonym_key.get_secret_value().encode()
    answers = presenters(config, secret, margin)
    api = PartnerApi(
        config=config,
        options=Options(
            confirm_timeout=settings.partner_api_confirm_timeout_seconds,
            barrier_timeout=barrier_seconds,
            accept_margin=margin,
        ),
        clock=runtime.clock,
        index=index,
        publisher=KafkaPublisher(
            runtime.broker, tickets, teams, runtime.topic(topics.PARTNER_AUDIT.name)
        ),
        metrics=metrics,
        presenters=answers,
        barrier=barrier,
        kafka_reachable=lambda: runtime.kafka_reachable,
    )
    app = create_http_app(runtime, **APP_OPTIONS)  # type: ignore[arg-type]
    install_api(
        app,
        api,
        max_body_bytes=settings.partner_api_max_body_bytes,
        auth_failure_limit=settings.partner_api_auth_failure_limit,
    )
    _document(runtime, tickets, teams)

    async def purge() -> None:
        work = Purge(settings.partner_api_view_retention, settings.partner_api_facts_retention)
        while True:
            await asyncio.sleep(settings.partner_api_purge_interval_seconds)
            for tp in view.owned_partitions():
                while await view.transact(tp, work) and work.more:
                    pass

    runtime.add_loop(purge)
    hooks = endpoints(config.partner_api.partners)
    if hooks:
        sender = WebhookSender(
            topic=view_changelog,
            group_id=settings.group("switchboard-partner-webhooks"),
            client_options=runtime.client_options,
            hooks=hooks,
            presenters=answers,
            index=index,
            clock=runtime.clock,
            metrics=metrics,
            timeout_seconds=settings.partner_api_webhook_timeout_seconds,
            max_backoff_seconds=settings.partner_api_webhook_max_backoff_seconds,
        )
        runtime.add_loop(sender.run)
    return app, runtime


def _document(runtime: ServiceRuntime, tickets: str, teams: str) -> None:
    runtime.document_publisher(
        tickets,
        payload=TicketEvent,
        title="tickets:partner-api",
        description="Partner actions: ticket.offer_accepted, .offer_rejected, .first_response, "
        ".resolved, .released, with actor kind 'partner' and the API key id; event ids "
        "derived from partner + Idempotency-Key.",
    )
    runtime.document_publisher(
        teams,
        payload=TeamEvent,
        title="teams:partner-api",
        description="team.capacity announced by a partner, keyed by team id.",
    )
    runtime.document_publisher(
        runtime.topic(topics.PARTNER_AUDIT.name),
        payload=PartnerAction,
        title="partner.audit:publish",
        description="Every request a partner made (refusals included), keyed by partner.",
    )
