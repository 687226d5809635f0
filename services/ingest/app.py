"""Wiring of the ingest service: nothing happens at import time.

Three transactional processors and an HTTP intake:

* normalise: ``inbound.<channel>`` -> ``ingest.messages`` (validated, re-keyed by customer);
* thread: ``ingest.messages`` -> ``tickets`` (dedup, threading, enrichment), per customer;
* ticket status: ``tickets`` -> ``ingest.messages`` (resolved/reopened, re-keyed by customer);
* ``POST /v1/inbound/{channel}`` -> ``inbound.<channel>``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import FastAPI

from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from plumbing.table import GlobalTable
from schemas import topics
from schemas.base import Channel
from schemas.config import ConfigError, SwitchboardConfig, load_config
from schemas.customers import CustomerProfile
from schemas.inbound import InboundPayload
from schemas.ingest import IngestRecord
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec, inbound_name
from services.ingest.csat import CsatHandler
from services.ingest.domain.encoding import (
    expire_link_record,
    expire_memory_record,
    restore_link,
    restore_memory,
)
from services.ingest.domain.enrich import Enricher
from services.ingest.domain.keywords import KeywordError
from services.ingest.domain.language import UnsupportedLanguageError
from services.ingest.domain.normalise import identity_key
from services.ingest.handlers import NormaliseHandler, ThreadHandler, TicketStatusHandler
from services.ingest.http import Intake, intake_router
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings
from services.ingest.sweep import sweeper

SERVICE = "ingest"


def build_enricher(config: SwitchboardConfig) -> Enricher:
    """The enricher, or a ConfigError naming what in the ingest rules cannot work."""
    try:
        return Enricher(config.ingest)
    except (UnsupportedLanguageError, KeywordError) as exc:
        raise ConfigError(f"ingest: {exc}") from None


def _same(record: bytes) -> bytes:
    return record


def build(settings: IngestSettings) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    enricher = build_enricher(config)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            *topics.INBOUND.values(),
            *(dlq_spec(spec) for spec in topics.INBOUND.values()),
            topics.INBOUND_CSAT,
            dlq_spec(topics.INBOUND_CSAT),
            topics.INGEST_MESSAGES,
            dlq_spec(topics.INGEST_MESSAGES),
            topics.INGEST_CUSTOMERS_CHANGELOG,
            topics.INGEST_TICKETS_CHANGELOG,
            topics.TICKETS,
            dlq_spec(topics.TICKETS),
            topics.CUSTOMERS,
        ],
    )
    metrics = IngestMetrics(runtime.registry)
    messages_topic = runtime.topic(topics.INGEST_MESSAGES.name)
    tickets_topic = runtime.topic(topics.TICKETS.name)
    channel_by_topic = {runtime.topic(spec.name): ch for ch, spec in topics.INBOUND.items()}
    csat_topic = runtime.topic(topics.INBOUND_CSAT.name)
    languages = config.ingest.languages
    common: dict[str, Any] = {
        "service": SERVICE,
        "dlq_topic": dlq_name,
        "client_options": runtime.client_options,
        "clock": runtime.clock,
        "metrics": runtime.metrics,
    }

    normaliser = TransactionalProcessor[None](
        group_id=settings.group("switchboard-ingest-normalise"),
        handler=NormaliseHandler(
            channel_by_topic=channel_by_topic,
            messages_topic=messages_topic,
            max_bytes=settings.max_message_bytes,
            languages=languages,
            metrics=metrics,
            surveys={csat_topic: CsatHandler(tickets_topic, settings.max_message_bytes, metrics)},
        ),
        **common,
    )
    runtime.consume(
        normaliser,
        [*channel_by_topic, csat_topic],
        payload=InboundPayload,
        title="inbound:normalise",
        description="Validates raw channel payloads and re-keys them by customer; "
        "bad input goes to inbound.<channel>.dlq.",
    )

    customers = GlobalTable[CustomerProfile](
        topic=runtime.topic(topics.CUSTOMERS.name),
        decode=CustomerProfile.model_validate_json,
        client_options=runtime.client_options,
    )
    runtime.add_table(customers)
    # State records are compact bytes (domain/encoding.py): stored and written as they are;
    # reading the changelog back upgrades the previous release's JSON records.
    threader = TransactionalProcessor[bytes](
        group_id=settings.group("switchboard-ingest-thread"),
        handler=ThreadHandler(
            config=config,
            enricher=enricher,
            tickets_topic=tickets_topic,
            metrics=metrics,
            configured_tiers={
                identity_key(identity): tier
                for identity, tier in config.ingest.customer_tiers.items()
            },
            profile=customers.get,
            max_clock_skew=settings.max_clock_skew,
        ),
        changelog=Changelog(
            topic=runtime.topic(topics.INGEST_CUSTOMERS_CHANGELOG.name),
            encode=_same,
            decode=restore_memory,
        ),
        **common,
    )
    runtime.consume(
        threader,
        [messages_topic],
        payload=IngestRecord,
        title="ingest.messages:thread",
        description="De-duplicates, threads and enriches each customer's messages into "
        "ticket events; applies the status changes of the customer's tickets.",
    )

    status = TransactionalProcessor[bytes](
        group_id=settings.group("switchboard-ingest-ticket-status"),
        handler=TicketStatusHandler(messages_topic=messages_topic),
        changelog=Changelog(
            topic=runtime.topic(topics.INGEST_TICKETS_CHANGELOG.name),
            encode=_same,
            decode=restore_link,
        ),
        **common,
    )
    runtime.consume(
        status,
        [tickets_topic],
        payload=TicketEvent,
        title="tickets:ingest-status",
        description="Joins ticket.resolved/ticket.reopened onto the ticket's customer and "
        "forwards them to ingest.messages, keyed by customer.",
    )

    threading = config.ingest.threading
    interval = settings.memory_sweep_interval_seconds
    runtime.add_loop(sweeper(threader, partial(expire_memory_record, config=threading), interval))
    runtime.add_loop(sweeper(status, partial(expire_link_record, config=threading), interval))

    async def warm_up() -> None:
        # Blocks the loop for the seconds lingua needs, before records are handled.
        enricher.warm_up()

    runtime.on_startup(warm_up)

    runtime.document_publisher(
        messages_topic,
        payload=IngestRecord,
        title="ingest.messages:publish",
        description="Normalised messages and ticket status changes, keyed by customer key.",
    )
    runtime.document_publisher(
        tickets_topic,
        payload=TicketEvent,
        title="tickets:ingest",
        description="ticket.opened, ticket.message_added, ticket.reopened and "
        "ticket.priority_changed, keyed by ticket id.",
    )

    async def publish(topic: str, value: bytes, key: bytes) -> None:
        await runtime.broker.publish(value, topic, key=key)

    app = create_http_app(runtime, title="Switchboard ingest")
    app.include_router(
        intake_router(
            Intake(
                publish=publish,
                kafka_reachable=lambda: runtime.kafka_reachable,
                topic_for=lambda channel: runtime.topic(inbound_name(Channel(channel))),
                max_bytes=settings.max_message_bytes,
                languages=languages,
                metrics=metrics,
                publish_timeout_seconds=settings.http_publish_timeout_seconds,
                csat_topic=csat_topic,
            )
        )
    )
    return app, runtime
