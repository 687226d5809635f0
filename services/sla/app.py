"""Wiring of the SLA service: nothing happens at import time."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from plumbing.codec import ModelCodec
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from schemas import topics
from schemas.config import load_config
from schemas.sla import SlaEvent
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec
from services.sla.domain.clocks import TicketClocks
from services.sla.handlers import BreachTimer, ClockHandler
from services.sla.metrics import SlaMetrics
from services.sla.settings import SlaSettings

SERVICE = "sla"


def build(settings: SlaSettings) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[topics.TICKETS, dlq_spec(topics.TICKETS), topics.SLA, topics.SLA_CHANGELOG],
    )
    metrics = SlaMetrics(runtime.registry)
    tickets_topic = runtime.topic(topics.TICKETS.name)
    sla_topic = runtime.topic(topics.SLA.name)
    codec = ModelCodec(TicketClocks)
    clocks = TransactionalProcessor[TicketClocks](
        service=SERVICE,
        group_id=settings.group("switchboard-sla"),
        handler=ClockHandler(config=config),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=runtime.topic(topics.SLA_CHANGELOG.name),
            encode=codec.encode,
            decode=codec.decode,
        ),
    )
    runtime.consume(
        clocks,
        [tickets_topic],
        payload=TicketEvent,
        title="tickets:sla",
        description="Starts, updates and stops the SLA clocks of every ticket.",
    )
    runtime.document_publisher(
        sla_topic,
        payload=SlaEvent,
        title="sla:publish",
        description="sla.at_risk and sla.breached, keyed by ticket id.",
    )
    timer = BreachTimer(sla_topic=sla_topic, metrics=metrics)

    async def announce_due_breaches() -> None:
        while True:
            await asyncio.sleep(settings.tick_seconds)
            for tp in clocks.owned_partitions():
                await clocks.transact(tp, timer)
            metrics.open_clocks.set(
                sum(len(store) for tp in clocks.owned_partitions() if (store := clocks.store(tp)))
            )

    runtime.add_loop(announce_due_breaches)
    app = create_http_app(runtime, title="Switchboard SLA")
    return app, runtime
