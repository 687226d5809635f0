"""Wiring of the SLA service: nothing happens at import time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from aiokafka import TopicPartition
from fastapi import FastAPI

from plumbing.clock import Clock, LockstepClock
from plumbing.processor import Changelog, TransactionalProcessor
from plumbing.runtime import ServiceRuntime, create_http_app
from plumbing.table import GlobalTable
from plumbing.watermark import HighWatermarks, InputWatermarks
from schemas import topics
from schemas.config import SwitchboardConfig, load_config
from schemas.sla import SlaEvent, SlaForecastEvent
from schemas.teams import TEAM_EVENT, TeamCapacity
from schemas.tickets import TicketEvent
from schemas.topics import dlq_name, dlq_spec
from services.sla.domain.clocks import SlaRules, to_ms
from services.sla.domain.history import QueueTally
from services.sla.handlers import ClockHandler
from services.sla.metrics import SlaMetrics
from services.sla.partitions import SlaState
from services.sla.settings import SlaSettings
from services.sla.ticker import DeadlineTicker, PartitionHooks
from services.sla.timers import Forecast

SERVICE = "sla"
#: Real seconds between forecasts at least, however fast a simulated clock runs (a
#: lockstep clock aside: its time moves only when its driver says).
MIN_FORECAST_PAUSE = 0.5


def _same(value: bytes) -> bytes:
    return value


def _team_capacity(value: bytes) -> TeamCapacity:
    return TEAM_EVENT.validate_json(value)


def build(settings: SlaSettings, clock: Clock | None = None) -> tuple[FastAPI, ServiceRuntime]:
    config = load_config(settings.config_path)
    runtime = ServiceRuntime(
        SERVICE,
        settings,
        topics=[
            topics.TICKETS,
            dlq_spec(topics.TICKETS),
            topics.SLA,
            topics.SLA_FORECASTS,
            topics.SLA_CHANGELOG,
            topics.SLA_QUEUE_STATS,
            topics.TEAMS,
        ],
    )
    if clock is not None:
        runtime.clock = clock
    metrics = SlaMetrics(runtime.registry)
    metrics.start_counters_at_zero(config.teams, config.outsourcing.day_time_zone)
    rules = SlaRules.from_config(config.sla)
    state = SlaState()
    tickets_topic = runtime.topic(topics.TICKETS.name)

    highs = HighWatermarks(runtime.client_options)
    watermarks = InputWatermarks(
        now_ms=lambda: to_ms(runtime.clock.now()),
        highs=highs,
        grace_seconds=settings.write_grace_seconds,
    )
    runtime.on_shutdown(highs.close)

    def known_until(partition: int) -> int | None:
        return watermarks.value_ms(TopicPartition(tickets_topic, partition))

    processor = TransactionalProcessor[bytes](
        service=SERVICE,
        group_id=settings.group("switchboard-sla"),
        handler=ClockHandler(
            rules=rules,
            state=state,
            sla_topic=runtime.topic(topics.SLA.name),
            metrics=metrics,
            known_until=known_until,
        ),
        dlq_topic=dlq_name,
        client_options=runtime.client_options,
        clock=runtime.clock,
        metrics=runtime.metrics,
        # Clock records are already compact bytes (services/sla/domain/encoding.py).
        changelog=Changelog(
            topic=runtime.topic(topics.SLA_CHANGELOG.name), encode=_same, decode=_same
        ),
        hooks=PartitionHooks(state, watermarks, metrics, tickets_topic),
    )
    runtime.consume(
        processor,
        [tickets_topic],
        payload=TicketEvent,
        title="tickets:sla",
        description="Starts, pauses, stops and re-targets the SLA clocks of every ticket.",
    )
    sla_topic = runtime.topic(topics.SLA.name)
    stats_topic = runtime.topic(topics.SLA_QUEUE_STATS.name)
    forecasts_topic = runtime.topic(topics.SLA_FORECASTS.name)
    runtime.document_publisher(
        sla_topic,
        payload=SlaEvent,
        title="sla:publish",
        description="sla.at_risk and sla.breached, keyed by ticket id.",
    )
    runtime.document_publisher(
        forecasts_topic,
        payload=SlaForecastEvent,
        title="sla.forecasts:publish",
        description="Next-hour forecast per queue (team x skill), keyed by queue id.",
    )
    stats = GlobalTable[QueueTally](
        topic=stats_topic,
        decode=QueueTally.model_validate_json,
        client_options=runtime.client_options,
    )
    capacity = GlobalTable[TeamCapacity](
        topic=runtime.topic(topics.TEAMS.name),
        decode=_team_capacity,
        client_options=runtime.client_options,
    )
    runtime.add_table(stats)
    runtime.add_table(capacity)

    async def make_forecast() -> None:
        leader = TopicPartition(tickets_topic, 0)
        if leader not in processor.owned_partitions():
            metrics.clear_forecasts()
            return
        work = Forecast(
            config=config, stats=stats, capacity=capacity, forecasts_topic=forecasts_topic
        )
        if await processor.transact(leader, work):
            metrics.show_forecasts(work.forecasts)

    ticker = DeadlineTicker(
        processor=processor,
        watermarks=watermarks,
        state=state,
        rules=rules,
        metrics=metrics,
        clock=runtime.clock,
        sla_topic=sla_topic,
        stats_topic=stats_topic,
        tick_seconds=settings.tick_seconds,
        beat=runtime.timer_beat("announce"),
    )
    runtime.add_loop(ticker.run)
    runtime.add_loop(partial(_forecast_loop, runtime, settings, make_forecast))
    app = create_http_app(runtime, title="Switchboard SLA")
    return app, runtime


async def _forecast_loop(
    runtime: ServiceRuntime, settings: SlaSettings, make_forecast: Callable[[], Awaitable[None]]
) -> None:
    """Forecast whenever ``FORECAST_INTERVAL_SECONDS`` of the service's clock passed.

    A lockstep clock's driver waits for this loop's next pass in every step, so under
    one it looks every tick rather than every half second."""
    beat = runtime.timer_beat("forecast")
    lockstep = isinstance(runtime.clock, LockstepClock)
    pause = settings.tick_seconds if lockstep else MIN_FORECAST_PAUSE
    every = timedelta(seconds=settings.forecast_interval_seconds)
    due = runtime.clock.now() + every
    while True:
        await asyncio.sleep(pause)
        started = time.monotonic()
        if runtime.clock.now() >= due:
            due = runtime.clock.now() + every
            await make_forecast()
        beat.passed(started)


__all__ = ["SERVICE", "SwitchboardConfig", "build"]
