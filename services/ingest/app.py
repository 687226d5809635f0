"""Wiring of the ingest service: nothing happens at import time."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.codec import ModelCodec
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from schemas import topics
from schemas.config import load_config
from schemas.inbound import InboundPayload
from schemas.ingest import NormalisedMessage
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec
from services.ingest.domain.threads import CustomerMemory
from services.ingest.handlers import NormaliseHandler, ThreadHandler
from services.ingest.metrics import IngestMetrics
from services.ingest.settings import IngestSettings

SERVICE = "ingest"


def build(settings: IngestSettings) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            *topics.INBOUND.values(),
            *(dlq_spec(spec) for spec in topics.INBOUND.values()),
            topics.INGEST_MESSAGES,
            dlq_spec(topics.INGEST_MESSAGES),
            topics.INGEST_CUSTOMERS_CHANGELOG,
            topics.TICKETS,
        ],
    )
    metrics = IngestMetrics(runtime.registry)
    messages_topic = runtime.topic(topics.INGEST_MESSAGES.name)
    tickets_topic = runtime.topic(topics.TICKETS.name)
    channel_by_topic = {runtime.topic(spec.name): ch for ch, spec in topics.INBOUND.items()}

    normaliser = TransactionalProcessor[None](
        service=SERVICE,
        group_id=settings.group("switchboard-ingest-normalise"),
        handler=NormaliseHandler(
            channel_by_topic=channel_by_topic,
            messages_topic=messages_topic,
            max_bytes=settings.max_message_bytes,
            metrics=metrics,
        ),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
    )
    runtime.consume(
        normaliser,
        list(channel_by_topic),
        payload=InboundPayload,
        title="inbound:normalise",
        description="Validates raw channel payloads and re-keys them by customer; "
        "bad input goes to inbound.<channel>.dlq.",
    )

    codec = ModelCodec(CustomerMemory)
    threader = TransactionalProcessor[CustomerMemory](
        service=SERVICE,
        group_id=settings.group("switchboard-ingest-thread"),
        handler=ThreadHandler(config=config, tickets_topic=tickets_topic, metrics=metrics),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=runtime.topic(topics.INGEST_CUSTOMERS_CHANGELOG.name),
            encode=codec.encode,
            decode=codec.decode,
        ),
    )
    runtime.consume(
        threader,
        [messages_topic],
        payload=NormalisedMessage,
        title="ingest.messages:thread",
        description="De-duplicates and threads each customer's messages into ticket events.",
    )
    runtime.document_publisher(
        messages_topic,
        payload=NormalisedMessage,
        title="ingest.messages:publish",
        description="Normalised messages keyed by customer key.",
    )
    runtime.document_publisher(
        tickets_topic,
        payload=TicketEvent,
        title="tickets:ingest",
        description="ticket.opened and ticket.message_added, keyed by ticket id.",
    )
    app = create_http_app(runtime, title="Switchboard ingest")
    return app, runtime
