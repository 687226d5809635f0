"""Chaos harness: a supervisor that restarts what died, a monkey that kills services
with SIGKILL (and restarts the broker once), and a publisher that plays simulated
traffic on the scaled clock and keeps retrying while the broker is away."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, OutOfOrderSequenceNumber

from plumbing.clock import Clock
from switchboard.launcher import ServiceFailedError, Stack
from switchboard.simulator import SimMessage
from tests.support.broker import BrokerError, LocalBroker


@dataclass(eq=False)
class Supervisor(threading.Thread):
    """Restarts any service that is not running, as systemd or Kubernetes would."""

    stack: Stack
    stop: threading.Event = field(default_factory=threading.Event)
    restarts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for name, service in self.stack.services.items():
                if not service.running:
                    service.start()
                    self.restarts[name] += 1


@dataclass(eq=False)
class Monkey(threading.Thread):
    """Kills a random service every few seconds; restarts the broker once."""

    stack: Stack
    broker: LocalBroker
    seed: int
    broker_restart_after: float
    pause: tuple[float, float] = (2.0, 6.0)
    stop: threading.Event = field(default_factory=threading.Event)
    kills: Counter[str] = field(default_factory=Counter)
    broker_restarts: int = 0
    log: list[str] = field(default_factory=list)
    #: What went wrong in the monkey itself (a broker that would not start again).
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a thread's exception is only printed: keep it for the test
            self.errors.append(repr(exc))
            raise

    def _run(self) -> None:
        rng = random.Random(self.seed)
        started = time.monotonic()
        while not self.stop.wait(rng.uniform(*self.pause)):
            elapsed = time.monotonic() - started
            if not self.broker_restarts and elapsed > self.broker_restart_after:
                self.log.append(f"{elapsed:6.1f}s restart the broker")
                self._restart_broker()
                self.broker_restarts += 1
                continue
            name = rng.choice(sorted(self.stack.services))
            service = self.stack.services[name]
            if service.running:
                self.log.append(f"{elapsed:6.1f}s kill -9 {name} (pid {service.pid})")
                service.kill()
                self.kills[name] += 1

    def _restart_broker(self) -> None:
        """Restart the broker. On a busy machine it may not answer within kafka.sh's
        start timeout, which then stops it again: start it once more, as its supervisor
        would (a second failure is the monkey's error, and the test's)."""
        try:
            self.broker.restart()
        except BrokerError as exc:
            self.log.append(f"broker not back in time, starting it again: {str(exc)[:200]}")
            self.broker.start()

    def wait_all_ready(self, timeout: float = 120.0, attempts: int = 3) -> None:
        """Every service ready. One that exits while starting (the broker away, or too
        slow to answer on a busy machine) is started again by the supervisor: wait for
        that start, then for it to be ready, up to ``attempts`` starts."""
        for service in self.stack.services.values():
            for attempt in range(1, attempts + 1):
                starts = service.starts
                try:
                    service.wait_ready(timeout)
                    break
                except ServiceFailedError:
                    if attempt == attempts:
                        raise
                restarted_by = time.monotonic() + 10  # the supervisor looks twice a second
                while service.starts == starts and time.monotonic() < restarted_by:
                    time.sleep(0.1)


async def play(
    bootstrap: str,
    prefix: str,
    *,
    clock: Clock,
    messages: Sequence[SimMessage],
    bad_inputs: Sequence[tuple[str, bytes]],
    seed: int,
) -> None:
    """Publish each message when the scaled clock reaches its time, and the bad inputs
    at random moments in between; retry through broker restarts."""
    rng = random.Random(seed)
    bad_at = sorted(rng.randrange(len(messages)) for _ in bad_inputs)
    pending_bad = list(zip(bad_at, bad_inputs, strict=True))
    publisher = _Publisher(bootstrap)
    try:
        for index, message in enumerate(messages):
            wait = clock.real_seconds((message.at - clock.now()).total_seconds())
            if wait > 0:
                await asyncio.sleep(wait)
            await publisher.send(
                f"{prefix}{message.topic}", message.payload_bytes(), message.key.encode()
            )
            while pending_bad and pending_bad[0][0] <= index:
                _, (topic, value) = pending_bad.pop(0)
                await publisher.send(f"{prefix}{topic}", value, None)
    finally:
        await publisher.stop()


#: How long the publisher retries one message before it takes the broker for gone: a
#: broker that never comes back fails the run instead of leaving it waiting for ever.
SEND_PATIENCE_SECONDS = 300.0


class _Publisher:
    """A connector's producer that keeps publishing across broker restarts.

    After the broker's restart an idempotent producer may be answered
    OutOfOrderSequenceNumber (the broker lost its last batches); aiokafka then ends the
    producer's sender for good and every later send fails. Like a connector restarting,
    the publisher then starts a new producer (a new producer id) and sends again: a
    message delivered twice is the duplicate ingest de-duplicates.
    """

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def send(self, topic: str, value: bytes, key: bytes | None) -> None:
        loop = asyncio.get_running_loop()
        give_up = loop.time() + SEND_PATIENCE_SECONDS
        delay = 0.2
        while True:
            try:
                if self._producer is None:
                    self._producer = await self._started()
                await self._producer.send_and_wait(topic, value, key=key)
                return
            except KafkaError as exc:
                if isinstance(exc, OutOfOrderSequenceNumber):
                    await self.stop()
                if loop.time() > give_up:
                    raise AssertionError(
                        f"nothing could be published to {topic} for "
                        f"{SEND_PATIENCE_SECONDS:.0f} s (the last error is the cause)"
                    ) from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _started(self) -> AIOKafkaProducer:
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        return producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):  # a broken producer may raise its error
                await producer.stop()
