"""Wiring of the router service: nothing happens at import time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from plumbing.clock import Clock
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from plumbing.store import StateStore
from plumbing.table import GlobalTable
from schemas import topics
from schemas.agents import AGENT_EVENT, AgentPresence
from schemas.base import TeamKind
from schemas.config import load_config
from schemas.queue import QueueEvent
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec, queue_name, queue_spec
from services.router.changelog import RouterRecord, decode_record, encode_record
from services.router.claim_metrics import ClaimMetrics
from services.router.claim_timer import ClaimTimer
from services.router.claims import ClaimDesk
from services.router.domain.presence import Roster
from services.router.domain.registry import Registry
from services.router.handlers import RouteHandler
from services.router.holdings import Holdings
from services.router.loadbook import LoadBook, MirrorRecord, decode_mirror
from services.router.loop import TimerLoop
from services.router.metrics import RouterMetrics
from services.router.routing import Router
from services.router.settings import RouterSettings
from services.router.tables import TableDeadLetters, capacity_decoder

SERVICE = "router"


@dataclass
class _Hooks:
    """Keep the load view and backlog index in step with the partitions this instance owns."""

    router: Router
    wake: asyncio.Event
    holdings: Holdings
    clock: Clock

    def on_ready(self, partition: int, store: StateStore[Any]) -> None:
        self.router.partition_ready(partition, store, self.clock.now())
        self.wake.set()

    def on_revoked(self, partition: int) -> None:
        self.router.partition_revoked(partition)
        self.holdings.revoked(partition)


@dataclass
class _Presence:
    """The presence mirror feeds the roster; any change wakes the claims' timer."""

    roster: Roster
    wake: asyncio.Event

    def changed(self, key: str, record: AgentPresence | None) -> None:
        if record is None:
            team_id, _, agent_id = key.partition("/")
            self.roster.forget(team_id, agent_id)
        else:
            self.roster.heard(
                record.team_id,
                record.agent_id,
                record.status,
                record.heartbeat_seconds,
                time.monotonic(),
            )
        self.wake.set()


def build(settings: RouterSettings, clock: Clock | None = None) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            topics.TICKETS,
            dlq_spec(topics.TICKETS),
            topics.ROUTER_CHANGELOG,
            topics.TEAMS,
            dlq_spec(topics.TEAMS),
            topics.AGENT_PRESENCE,
            *(queue_spec(team_id) for team_id in config.in_house_team_ids),
        ],
    )
    if clock is not None:
        runtime.clock = clock
    metrics = RouterMetrics(runtime.registry)
    wake = asyncio.Event()
    claims_wake = asyncio.Event()
    registry = Registry(config.teams, config.outsourcing)
    tickets_topic = runtime.topic(topics.TICKETS.name)
    changelog_topic = runtime.topic(topics.ROUTER_CHANGELOG.name)
    roster = Roster(settings.router_presence_timeout_seconds)
    holdings = Holdings(on_change=claims_wake.set)
    in_house = {team.id: team for team in config.teams if team.kind is TeamKind.IN_HOUSE}
    live_slots: list[ClaimDesk] = []  # the desk needs the router, the router the book
    book = LoadBook(
        registry,
        max_unconfirmed=settings.router_max_unconfirmed_per_team,
        on_change=wake.set,
        observe_confirmation=metrics.load_view_lag.observe,
        partition_count=lambda: mirror.partition_count,  # read once the tables started
        needs_current_view=True,
        live_slots=lambda team_id: live_slots[0].live_slots(team_id) if live_slots else None,
    )
    # The changelog is partitioned as tickets is.
    mirror = GlobalTable(
        topic=changelog_topic,
        decode=decode_mirror,
        client_options=runtime.client_options,
        on_change=lambda key, record: _mirrored(book, holdings, key, record),
        retain=False,  # the load view and the holdings keep what they need
        on_invalid=lambda record, _: metrics.invalid_table_records.labels(record.topic).inc(),
    )
    router = Router(
        config=config,
        registry=registry,
        book=book,
        tickets_topic=tickets_topic,
        topic=runtime.topic,
        metrics=metrics,
        on_waiting=wake.set,
        watchers=[holdings],
    )
    desk = ClaimDesk(
        router=router,
        teams=in_house,
        roster=roster,
        holdings=holdings,
        metrics=ClaimMetrics(runtime.registry),
    )
    live_slots.append(desk)
    processor = TransactionalProcessor[RouterRecord](
        service=SERVICE,
        group_id=settings.group("switchboard-router"),
        handler=RouteHandler(router, desk),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        changelog=Changelog(topic=changelog_topic, encode=encode_record, decode=decode_record),
        hooks=_Hooks(router, wake, holdings, runtime.clock),
    )
    runtime.consume(
        processor,
        [tickets_topic],
        payload=TicketEvent,
        title="tickets:route",
        description="Routes opened, reopened and given-back tickets; tracks offers and "
        "resolutions.",
    )
    dead_letters = TableDeadLetters(
        SERVICE, lambda topic: metrics.invalid_table_records.labels(topic).inc()
    )
    runtime.add_table(mirror)
    presence = GlobalTable(
        topic=runtime.topic(topics.AGENT_PRESENCE.name),
        decode=AGENT_EVENT.validate_json,
        client_options=runtime.client_options,
        on_change=_Presence(roster, claims_wake).changed,
        on_invalid=lambda record, _: metrics.invalid_table_records.labels(record.topic).inc(),
        poll_ms=100,
    )
    runtime.add_table(presence)
    runtime.add_table(
        GlobalTable(
            topic=runtime.topic(topics.TEAMS.name),
            decode=capacity_decoder(registry),
            client_options=runtime.client_options,
            on_change=book.capacity_changed,
            on_invalid=dead_letters.on_invalid,
        )
    )
    _document(runtime, tickets_topic, config.in_house_team_ids)
    metrics.outsourcing_share_limit.set(config.outsourcing.share_limit)

    timers = TimerLoop(
        router=router,
        processor=processor,
        dead_letters=dead_letters,
        clock=runtime.clock,
        wake=wake,
        mirror=mirror,
        tick_seconds=settings.router_tick_seconds,
        resolved_retention=settings.router_resolved_retention,
        tickets_topic=tickets_topic,
        beat=runtime.timer_beat("timer"),
    )
    runtime.add_loop(timers.run)
    claim_timer = ClaimTimer(
        desk=desk,
        processor=processor,
        presence=presence,  # type: ignore[arg-type]
        clock=runtime.clock,
        wake=claims_wake,
        tick_seconds=settings.router_tick_seconds,
        beat=runtime.timer_beat("claims"),
        give_up_checks=settings.router_give_up_checks_per_tick,
    )
    runtime.add_loop(claim_timer.run)
    app = create_http_app(runtime, title="Switchboard router")
    return app, runtime


def _mirrored(book: LoadBook, holdings: Holdings, key: str, record: MirrorRecord | None) -> None:
    book.mirror_changed(key, record)
    holdings.mirror_changed(key, record)


def _document(runtime: ServiceRuntime, tickets_topic: str, in_house: list[str]) -> None:
    runtime.document_publisher(
        tickets_topic,
        payload=TicketEvent,
        title="tickets:router",
        description="ticket.assigned, ticket.routing_stalled and ticket.offer_expired, keyed "
        "by ticket id.",
    )
    for team_id in in_house:
        runtime.document_publisher(
            runtime.topic(queue_name(team_id)),
            payload=QueueEvent,
            title=f"{queue_name(team_id)}:publish",
            description=f"Tickets for the in-house team {team_id}: assigned, withdrawn, closed.",
        )
