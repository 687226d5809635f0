"""The life of a service process: connect, run, notice a lost broker, shut down cleanly.

A service is a FastAPI app served by uvicorn. Its lifespan creates the topics,
starts the FastStream broker with a bounded timeout (FastStream's own app would
wait forever for an unreachable broker), starts the state tables and background
loops, and a watchdog that exits the process when the broker stays unreachable
longer than ``KAFKA_UNAVAILABLE_EXIT_AFTER_SECONDS``, so a supervisor restarts it
instead of it hanging silently.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

import uvicorn
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import LogicSubscriber
from faststream.middlewares import AckPolicy
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from pydantic import ValidationError

from plumbing.clock import Clock, LockstepClock, ScaledClock, SystemClock
from plumbing.kafka import KafkaUnavailableError, client_options, ensure_topics, make_broker
from plumbing.lockstep import LockstepReporter, TimerBeat
from plumbing.logging import configure_logging, get_logger
from plumbing.metrics import ProcessorMetrics
from plumbing.processor import CommitPolicy, TransactionalProcessor
from plumbing.settings import ServiceSettings
from plumbing.table import GlobalTable
from schemas.config import ConfigError
from schemas.topics import TopicSpec

log = get_logger(__name__)

#: Exit code when the broker stayed unreachable (EX_TEMPFAIL: try again later).
EXIT_KAFKA_UNAVAILABLE = 75
#: Exit code when start-up failed (uvicorn's own code for a failed lifespan start).
EXIT_STARTUP_FAILED = 3
#: Seconds the shutdown hooks and the Kafka clients get to stop, inside the 45-60 s
#: grace period compose and Kubernetes give a stopping container.
STOP_BUDGET_SECONDS = 25.0

#: How often every owned input partition's lag and position are measured.
LAG_SAMPLE_SECONDS = 5.0


def _raw_records(message: Any) -> Any:
    return message.raw_message


def make_clock(settings: ServiceSettings) -> Clock:
    if settings.clock_file is not None:
        return LockstepClock(settings.clock_file)
    if not settings.uses_scaled_clock():
        return SystemClock()
    sim_start = settings.clock_sim_start
    real_start = settings.clock_real_start if settings.clock_real_start is not None else time.time()
    if sim_start is None:
        raise ValueError("SWITCHBOARD_CLOCK_SPEED needs SWITCHBOARD_CLOCK_SIM_START")
    return ScaledClock(sim_start=sim_start, real_start=real_start, speed=settings.clock_speed)


def new_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


@dataclass
class _Readiness:
    kafka_reachable: bool = False
    unreachable_since: float | None = None
    started: bool = False


@dataclass
class ServiceRuntime:
    """Everything a service runs besides its HTTP routes."""

    name: str
    settings: ServiceSettings
    registry: CollectorRegistry = field(default_factory=new_registry)
    topics: list[TopicSpec] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock: Clock = make_clock(self.settings)
        self.broker: KafkaBroker = make_broker(self.settings, self.name, self.registry)
        self.metrics = ProcessorMetrics(self.registry, self.name)
        self.client_options: dict[str, Any] = client_options(
            self.settings, f"switchboard-{self.name}"
        )
        self._processors: list[tuple[TransactionalProcessor[Any], LogicSubscriber[Any]]] = []
        self._tables: list[GlobalTable[Any]] = []
        self._loops: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._beats: list[TimerBeat] = []
        self._startup: list[Callable[[], Awaitable[None]]] = []
        self._shutdown: list[Callable[[], Awaitable[None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._readiness = _Readiness()
        self.exit_code = 0
        self.request_exit: Callable[[int], None] = sys.exit

    # -- registration -------------------------------------------------------------
    def topic(self, logical_name: str) -> str:
        return self.settings.topic(logical_name)

    def consume(
        self,
        processor: TransactionalProcessor[Any],
        topics: list[str],
        *,
        payload: Any,
        title: str,
        description: str,
        max_records: int = 500,
    ) -> None:
        """Feed ``topics`` to ``processor`` through a FastStream batch subscriber.

        The subscriber only fetches: ``AckPolicy.MANUAL`` means FastStream never
        commits (the processor commits offsets inside its transactions), and the
        decoder hands over the raw records so that bytes which are not even JSON
        still reach the processor and, from there, the dead-letter topic.
        ``payload`` is the event type, for the AsyncAPI document only.
        """
        # Co-partitioned inputs must reach the same member partition by partition; the
        # range assignor lays out every topic's partitions alike (the default does not).
        assignors: dict[str, Any] = (
            {"partition_assignment_strategy": (RangePartitionAssignor,)}
            if processor.co_partitioned
            else {}
        )
        # Every processor commits on the service's interval (KAFKA_COMMIT_INTERVAL_MS).
        processor.commit_policy = CommitPolicy(
            interval_seconds=self.settings.kafka_commit_interval_ms / 1000,
            max_records=self.settings.kafka_max_transaction_records,
        )
        subscriber = self.broker.subscriber(
            *topics,
            group_id=processor.group_id,
            batch=True,
            max_records=max_records,
            batch_timeout_ms=20,
            fetch_max_wait_ms=25,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
            ack_policy=AckPolicy.MANUAL,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            listener=processor.listener,
            decoder=_raw_records,
            title=title,
            description=description,
            **assignors,
        )

        async def on_records(records: list[Any]) -> None:
            await processor.process(records)

        # Resolved by FastStream for the AsyncAPI document; set here because the
        # payload type is a runtime value.
        on_records.__annotations__["records"] = list[payload]

        subscriber(on_records)
        self._processors.append((processor, subscriber))

    def document_publisher(self, topic: str, *, payload: Any, title: str, description: str) -> None:
        """Describe a topic this service writes, in its AsyncAPI document.

        Writes themselves go through the processors' transactional producers, which
        FastStream publishers cannot join; this only documents the contract.
        """
        self.broker.publisher(topic, schema=payload, title=title, description=description)

    def add_table(self, table: GlobalTable[Any]) -> None:
        self._tables.append(table)

    def add_loop(self, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """A coroutine that runs for the life of the service (timers, forecasts)."""
        self._loops.append(loop)

    def timer_beat(self, name: str) -> TimerBeat:
        """A timer loop's heartbeat: under a lockstep clock the service reports a round
        settled only after each timer completed a pass begun in it (``plumbing.lockstep``)."""
        beat = TimerBeat(name)
        self._beats.append(beat)
        return beat

    def on_startup(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._startup.append(hook)

    def on_shutdown(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._shutdown.append(hook)

    # -- health -----------------------------------------------------------------
    def readiness(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {
            "started": self._readiness.started,
            "kafka_reachable": self._readiness.kafka_reachable,
            "tables_caught_up": all(table.caught_up.is_set() for table in self._tables),
            "partitions_healthy": all(processor.healthy for processor, _ in self._processors),
        }
        return all(checks.values()), checks

    @property
    def kafka_reachable(self) -> bool:
        return self._readiness.kafka_reachable

    # -- lifecycle ----------------------------------------------------------------
    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        settings = self.settings
        timeout = settings.kafka_connect_timeout_seconds
        try:
            await ensure_topics(settings, self.topics)
            # Tables first: a consumer whose handler reads a table (the router's load
            # view, customer tiers) must not process a record before it has caught up.
            for table in self._tables:
                await table.start()
            for table in self._tables:
                async with asyncio.timeout(timeout * 6):
                    await table.caught_up.wait()
            await asyncio.wait_for(self.broker.start(), timeout)
        except (KafkaUnavailableError, TimeoutError, OSError, Exception) as exc:
            log.error(
                "cannot start: Kafka is unreachable or refused the setup",
                bootstrap_servers=settings.kafka_bootstrap_servers,
                error=str(exc) or repr(exc),
            )
            await self._stop_quietly()
            raise
        for processor, subscriber in self._processors:
            processor.attach(subscriber.consumer)
        for hook in self._startup:
            await hook()
        self._readiness.kafka_reachable = True
        self._readiness.started = True
        self._tasks = [
            asyncio.create_task(self._watchdog()),
            asyncio.create_task(self._sample_lag()),
        ]
        self._tasks += [asyncio.create_task(loop()) for loop in self._loops]
        if isinstance(self.clock, LockstepClock):
            reporter = LockstepReporter(
                name=self.name,
                clock=self.clock,
                processors=[processor for processor, _ in self._processors],
                tables=self._tables,
                beats=self._beats,
            )
            self._tasks.append(asyncio.create_task(reporter.run()))
        log.info(
            "service started",
            bootstrap_servers=settings.kafka_bootstrap_servers,
            http_port=settings.http_port,
        )
        try:
            yield
        finally:
            log.info("service stopping")
            self._readiness.started = False
            for task in self._tasks:
                task.cancel()
            if self._tasks:
                # Bounded: a loop stuck in a client call must not keep the process alive.
                await asyncio.wait(self._tasks, timeout=STOP_BUDGET_SECONDS)
            try:
                # With the broker gone, aiokafka's clients can wait for it for ever while
                # stopping. Nothing is lost by giving up: an unfinished transaction is
                # aborted by its timeout or by the next owner's fencing.
                async with asyncio.timeout(STOP_BUDGET_SECONDS):
                    for hook in self._shutdown:
                        await hook()
                    await self._stop_quietly()
            except TimeoutError:
                log.error("service did not stop in time; exiting", budget_s=STOP_BUDGET_SECONDS)
            else:
                log.info("service stopped")

    async def _stop_quietly(self) -> None:
        try:
            await self.broker.stop()
        except Exception:
            log.debug("broker stop failed", exc_info=True)
        for processor, _ in self._processors:
            await processor.close()
        for table in self._tables:
            try:
                await table.stop()
            except Exception:
                log.debug("table stop failed", exc_info=True)

    async def _sample_lag(self, interval: float = LAG_SAMPLE_SECONDS) -> None:
        while True:
            await asyncio.sleep(interval)
            for processor, _ in self._processors:
                await processor.sample_lag()

    async def _watchdog(self, interval: float = 2.0) -> None:
        """Notice a lost broker, report it once, exit if it does not come back in time."""
        admin = AIOKafkaAdminClient(
            **client_options(self.settings, f"switchboard-{self.name}-watchdog"),
            request_timeout_ms=int(interval * 2000),
        )
        state = self._readiness
        try:
            await admin.start()
            while True:
                await asyncio.sleep(interval)
                try:
                    # A metadata request for no topics: the broker answers it without
                    # listing the cluster's topics (describe_cluster asks for all of
                    # them: ~70 ms and 36 ms of our CPU on a broker with 1,600 topics).
                    await asyncio.wait_for(admin.describe_topics([]), interval * 2)
                except Exception as exc:
                    self._on_unreachable(exc)
                else:
                    if not state.kafka_reachable:
                        log.warning(
                            "Kafka reachable again",
                            outage_seconds=round(
                                time.monotonic() - (state.unreachable_since or time.monotonic()), 1
                            ),
                        )
                    state.kafka_reachable = True
                    state.unreachable_since = None
        except Exception as exc:
            log.error("Kafka watchdog failed; exiting", error=repr(exc))
            self._exit(EXIT_KAFKA_UNAVAILABLE)
        finally:
            await admin.close()

    def _on_unreachable(self, exc: Exception) -> None:
        state = self._readiness
        now = time.monotonic()
        if state.unreachable_since is None:
            state.unreachable_since = now
            state.kafka_reachable = False
            log.error(
                "Kafka unreachable; retrying",
                bootstrap_servers=(self.settings.kafka_bootstrap_servers),
                error=repr(exc),
                exit_after_seconds=self.settings.kafka_unavailable_exit_after_seconds,
            )
        elif now - state.unreachable_since > self.settings.kafka_unavailable_exit_after_seconds:
            log.error(
                "Kafka unreachable for too long; exiting so a supervisor can restart us",
                outage_seconds=round(now - state.unreachable_since, 1),
            )
            self._exit(EXIT_KAFKA_UNAVAILABLE)

    def _exit(self, code: int) -> None:
        self.exit_code = code
        self.request_exit(code)


def create_http_app(
    runtime: ServiceRuntime, *, title: str, version: str = "1", **options: Any
) -> FastAPI:
    """The service's HTTP app with /metrics and health endpoints; services add routes.
    ``options`` go to FastAPI (e.g. no docs routes for an API exposed to others)."""
    app = FastAPI(title=title, version=version, lifespan=runtime.lifespan, **options)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(runtime.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        is_ready, checks = runtime.readiness()
        return JSONResponse(
            {"ready": is_ready, "checks": checks}, status_code=200 if is_ready else 503
        )

    return app


S = TypeVar("S", bound=ServiceSettings)

#: Exit code for a config file or environment that does not validate.
EXIT_BAD_CONFIG = 2


def run_service(
    name: str,
    settings_class: type[S],
    build: Callable[[S], tuple[FastAPI, ServiceRuntime]],
) -> NoReturn:
    """Entry point of ``python -m services.<name>``."""
    try:
        settings = settings_class()
    except ValidationError as exc:
        configure_logging(name)
        log.error("invalid settings in the environment", error=str(exc))
        sys.exit(EXIT_BAD_CONFIG)
    configure_logging(name, settings.log_level, settings.log_format)
    try:
        app, runtime = build(settings)
    except ConfigError as exc:
        log.error("invalid Switchboard config", config=str(settings.config_path), error=str(exc))
        sys.exit(EXIT_BAD_CONFIG)
    serve(app, runtime)


def serve(app: FastAPI, runtime: ServiceRuntime) -> NoReturn:
    """Run until SIGTERM/SIGINT (graceful) or a fatal condition; exit with its code."""
    settings = runtime.settings
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=10,
            access_log=False,
        )
    )

    def request_exit(code: int) -> None:
        runtime.exit_code = code
        server.should_exit = True

    runtime.request_exit = request_exit
    server.run()
    if not server.started:
        sys.exit(EXIT_STARTUP_FAILED)
    sys.exit(runtime.exit_code)
