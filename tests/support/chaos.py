"""Chaos harness: a supervisor that restarts what died, a monkey that kills services
with SIGKILL (and restarts the broker once), the faults of a three-node cluster (the
leader of most ``tickets`` partitions killed and back, rolling restarts, services
killed with a broker), and a publisher that plays simulated traffic on the scaled
clock and keeps retrying while the broker is away."""

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
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    UnknownProducerId,
)

from plumbing.clock import Clock
from switchboard.launcher import Stack
from switchboard.simulator import SimMessage
from tests.support.broker import BrokerError, LocalBroker, LocalCluster


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
    broker: LocalBroker | None
    seed: int
    broker_restart_after: float = float("inf")
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
        restart: threading.Thread | None = None
        while not self.stop.wait(rng.uniform(*self.pause)):
            elapsed = time.monotonic() - started
            if self.broker is not None and restart is None and elapsed > self.broker_restart_after:
                # On a thread of its own: a slow restart must not stop the kills.
                self.log.append(f"{elapsed:6.1f}s restart the broker")
                restart = threading.Thread(target=self._restart_broker, args=(self.broker,))
                restart.start()
                self.broker_restarts += 1
                continue
            name = rng.choice(sorted(self.stack.services))
            service = self.stack.services[name]
            if service.running:
                self.log.append(f"{elapsed:6.1f}s kill -9 {name} (pid {service.pid})")
                service.kill()
                self.kills[name] += 1
        if restart is not None:
            restart.join()

    def _restart_broker(self, broker: LocalBroker) -> None:
        """A broker that is not ready in time is stopped by kafka.sh: start it again (a
        busy machine may need longer than kafka.sh waits), never leave it down."""
        broker.stop()
        for attempt in range(1, 4):
            try:
                broker.start()
                return
            except BrokerError as exc:
                self.log.append(f"broker start failed (attempt {attempt}): {str(exc)[:300]}")
        try:
            broker.start()
        except BrokerError as exc:  # on a thread of its own: the test reads errors
            self.errors.append(f"the broker would not start again: {str(exc)[:300]}")


#: What ``ClusterFaults`` can do, each step waiting until it is done.
KILL_LEADER = "kill-leader"  # SIGKILL the node leading most tickets partitions
KILL_LEADER_AND_SERVICES = "kill-leader-and-services"  # ... and router and SLA with it
RETURN = "return"  # start the node killed last
ROLLING_RESTART = "rolling-restart"  # each node in turn, waiting until all are in sync


@dataclass(eq=False)
class ClusterFaults(threading.Thread):
    """Runs a schedule of cluster faults: (seconds after the start, step). A step
    under way when ``stop`` is set is finished (no node is left down); later ones are
    skipped, and ``done`` says which ran. ``events`` has (what, real time) of each."""

    cluster: LocalCluster
    stack: Stack
    topic: str
    schedule: Sequence[tuple[float, str]]
    stop: threading.Event = field(default_factory=threading.Event)
    log: list[str] = field(default_factory=list)
    events: list[tuple[str, float]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    killed: int | None = None
    _began: float = 0.0

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        self._began = time.monotonic()
        for at, step in self.schedule:
            if self.stop.wait(max(0.0, self._began + at - time.monotonic())):
                return
            for attempt in range(1, 4):  # a busy machine may need longer than kafka.sh waits
                try:
                    self._do(step)
                    break
                except BrokerError as exc:
                    self.log.append(f"{step} failed (attempt {attempt}): {str(exc)[:300]}")
            else:
                return
            self.done.append(step)

    def _do(self, step: str) -> None:
        elapsed = time.monotonic() - self._began
        if step in (KILL_LEADER, KILL_LEADER_AND_SERVICES):
            node, led = asyncio.run(leader_of_most(self.cluster, self.topic))
            self.events.append((f"node {node} (leader of {led} partitions) killed", time.time()))
            self.cluster.kill_node(node)
            self.killed = node
            line = f"{elapsed:6.1f}s kill -9 node {node}, leader of {led} {self.topic} partitions"
            if step == KILL_LEADER_AND_SERVICES:
                for name in ("router", "sla"):
                    self.stack[name].kill()
                line += ", and router and sla with it"
            self.log.append(line)
        elif step == RETURN and self.killed is not None:
            self.events.append((f"node {self.killed} back", time.time()))
            self.cluster.start_node(self.killed)
            self.log.append(f"{elapsed:6.1f}s node {self.killed} started again")
            self.killed = None
        elif step == ROLLING_RESTART:
            for node in self.cluster.nodes:
                self.events.append((f"rolling restart: node {node}", time.time()))
                self.cluster.restart_node(node)
                done = time.monotonic() - self._began
                self.log.append(f"{done:6.1f}s node {node} restarted and in sync")


async def leader_of_most(cluster: LocalCluster, topic: str) -> tuple[int, int]:
    """The node leading most partitions of ``topic``, and how many it leads."""
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    leaders = Counter(int(p["leader"]) for p in description["partitions"])
    node, led = leaders.most_common(1)[0]
    return node, led


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
    connector = Connector(bootstrap)
    try:
        for index, message in enumerate(messages):
            wait = clock.real_seconds((message.at - clock.now()).total_seconds())
            if wait > 0:
                await asyncio.sleep(wait)
            await connector.send(
                f"{prefix}{message.topic}", message.payload_bytes(), message.key.encode()
            )
            while pending_bad and pending_bad[0][0] <= index:
                _, (topic, value) = pending_bad.pop(0)
                await connector.send(f"{prefix}{topic}", value, None)
    finally:
        await connector.close()


#: What an idempotent producer cannot get past by retrying: aiokafka, unlike the Java
#: client, does not bump its epoch after a gap in its sequence numbers (a batch lost
#: in a broker restart), so every later batch to that partition is refused for ever.
_STUCK = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch)


#: How long the connector retries one message before it takes the broker for gone: a
#: broker that never comes back fails the run instead of leaving it waiting for ever.
SEND_PATIENCE_SECONDS = 300.0


class Connector:
    """A channel connector: sends until Kafka has the record, starting a new producer
    (a new producer id) when the old one is stuck, as a connector would be restarted.
    A message sent again that way may arrive twice; ingest de-duplicates it."""

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
                if isinstance(exc, _STUCK):
                    await self.close()
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

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):  # a broken producer may raise its error
                await producer.stop()
