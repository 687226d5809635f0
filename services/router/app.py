"""Wiring of the router service: nothing happens at import time."""

from __future__ import annotations

from fastapi import FastAPI

from plumbing.codec import ModelCodec
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from schemas import topics
from schemas.config import load_config
from schemas.queue import QueueEvent
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec, queue_name, queue_spec
from services.router.domain.state import RoutedTicket
from services.router.handlers import RouteHandler
from services.router.metrics import RouterMetrics
from services.router.settings import RouterSettings

SERVICE = "router"


def build(settings: RouterSettings) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            topics.TICKETS,
            dlq_spec(topics.TICKETS),
            topics.ROUTER_CHANGELOG,
            *(queue_spec(team_id) for team_id in config.in_house_team_ids),
        ],
    )
    tickets_topic = runtime.topic(topics.TICKETS.name)
    codec = ModelCodec(RoutedTicket)
    router = TransactionalProcessor[RoutedTicket](
        service=SERVICE,
        group_id=settings.group("switchboard-router"),
        handler=RouteHandler(
            config=config,
            tickets_topic=tickets_topic,
            topic=runtime.topic,
            metrics=RouterMetrics(runtime.registry),
        ),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(
            topic=runtime.topic(topics.ROUTER_CHANGELOG.name),
            encode=codec.encode,
            decode=codec.decode,
        ),
    )
    runtime.consume(
        router,
        [tickets_topic],
        payload=TicketEvent,
        title="tickets:route",
        description="Routes every opened ticket to a team.",
    )
    runtime.document_publisher(
        tickets_topic,
        payload=TicketEvent,
        title="tickets:router",
        description="ticket.assigned and ticket.routing_stalled, keyed by ticket id.",
    )
    for team_id in config.in_house_team_ids:
        runtime.document_publisher(
            runtime.topic(queue_name(team_id)),
            payload=QueueEvent,
            title=f"{queue_name(team_id)}:publish",
            description=f"Tickets for the in-house team {team_id}.",
        )
    app = create_http_app(runtime, title="Switchboard router")
    return app, runtime
