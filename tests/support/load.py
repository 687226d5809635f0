"""Black Friday traffic through the services while faults run beside it, then the audit:
the harness the chaos suite (one broker) and the cluster fault tests share.

The traffic is the simulator's Black Friday morning on a clock 120x faster than real
time, published on ``inbound.<channel>`` with hostile records between; the simulated
in-house desk answers 70 % of what it is given. Faults are threads started once the
services are up and stopped when the traffic ends. Afterwards the harness waits until
every inbound message reached the books, then reads the topics from the beginning and
checks them with ``switchboard.ledger`` against what it knows: who wrote each message,
the bad inputs it planted, the SLA policy's first-response deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from plumbing.clock import ScaledClock
from schemas import topics
from schemas.base import Priority
from schemas.config import load_config
from schemas.tickets import TICKET_EVENT, TicketAssigned, TicketOpened
from services.router.domain.budget import SlaTargets
from switchboard.desk.in_house import DeskCounters, InHouseDesk
from switchboard.launcher import Stack
from switchboard.ledger import (
    Books,
    DeadlineOracle,
    Expectations,
    check,
    read_books,
    source_message_id,
    summary,
)
from switchboard.simulator import SimMessage, Workforce, generate_traffic
from tests.conftest import SAMPLE_CONFIG
from tests.support.chaos import Supervisor, play

SPEED = 120.0  # two simulated hours per real minute
SIM_START = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Black Friday, 09:00 in Tallinn
SEED = 20261127
#: What the faults draw (which service is killed, and when): the same traffic under a
#: different sequence of kills for each value (``make chaos CHAOS_RUNS=10`` sets one per run).
FAULT_SEED = int(os.environ.get("CHAOS_SEED", str(SEED)))

NESTED = ("[" * 5000 + "]" * 5000).encode()
BAD_INPUTS: list[tuple[str, bytes]] = [
    ("inbound.email", b"\xff\xfe\x00 definitely not a message"),
    ("inbound.chat", b'{"message_id": 42, "conversation_id": [], "text": null}'),
    ("inbound.marketplace", b'{"marketplace": "allegro", "message_id": "m-1"'),
    ("inbound.social", NESTED),
    ("inbound.phone", json.dumps({"call_id": "x", "transcript": "a" * 300_000}).encode()),
    ("tickets", b'{"type": "ticket.teleported", "ticket_id": "t-1", "event_id": "nope"}'),
]

#: How long the simulated desk may take to stop before it is cancelled.
DESK_STOP_SECONDS = 60.0


class Fault(Protocol):
    """A thread that does harm until told to stop, and says what it did."""

    stop: threading.Event
    log: list[str]

    def start(self) -> None: ...
    def join(self, timeout: float | None = None) -> None: ...


@dataclass
class Run:
    """What a run left in the topics, and what the harness saw."""

    books: Books
    problems: list[str]
    totals: dict[str, int]
    #: Real times (Kafka record timestamps, seconds) of every ticket.assigned, sorted.
    assignments: list[float]
    desk: DeskCounters
    restarts: Counter[str] = field(default_factory=Counter)
    messages: list[SimMessage] = field(default_factory=list)
    #: The SLA service's input watermark per tickets partition when the books were read
    #: (None: not reported), and the last deadline the books judge.
    watermarks: dict[int, datetime | None] = field(default_factory=dict)
    horizon: datetime | None = None

    def report(self) -> str:
        return "\n".join(
            [
                json.dumps(self.totals, indent=2),
                f"supervisor restarts {dict(self.restarts)}",
                f"desk: {self.desk}",
                f"audit horizon {_when(self.horizon)}; SLA input watermarks "
                + ", ".join(f"p{p} {_when(w)}" for p, w in sorted(self.watermarks.items())),
            ]
        )


def deadline_oracle(targets: SlaTargets) -> DeadlineOracle:
    def due(opened: TicketOpened, priority: Priority) -> datetime:
        return targets.first_response_deadline(
            channel=opened.channel,
            priority=priority,
            tier=opened.customer.tier,
            marketplace=opened.marketplace,
            received_at=opened.received_at,
            reply_deadline=opened.reply_deadline,
        )

    return due


async def black_friday(
    *,
    bootstrap: str,
    tmp_path: Path,
    seconds: float,
    env: Mapping[str, str],
    faults: Callable[[Stack], Sequence[Fault]] = lambda _: (),
    sim_start: datetime = SIM_START,
    speed: float = SPEED,
) -> Run:
    """Play ``seconds`` of Black Friday (from ``sim_start``, ``speed`` times faster than
    real time) through ingest, router and SLA on ``bootstrap`` while the ``faults`` made
    for the running services act, then audit the topics."""
    prefix = "chaos."
    # Deadlines this close to the end may not be judged yet: the SLA service waits its
    # write grace, and a partition's watermark a little more.
    margin = timedelta(seconds=speed * (10 + float(env.get("WRITE_GRACE_SECONDS", "2"))))
    config_path = tmp_path / "switchboard.yaml"
    config_path.write_text(SAMPLE_CONFIG.read_text())
    config = load_config(config_path)
    sim_end = sim_start + timedelta(seconds=seconds * speed)
    messages = generate_traffic(sim_start, sim_end, seed=SEED)
    real_start = time.time() + 25  # the services are up and restored by then
    clock = ScaledClock(sim_start=sim_start, real_start=real_start, speed=speed)
    stack = Stack(
        env={
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SWITCHBOARD_TOPIC_PREFIX": prefix,
            "SWITCHBOARD_CONFIG": str(config_path),
            "SWITCHBOARD_CLOCK_SPEED": str(speed),
            "SWITCHBOARD_CLOCK_SIM_START": sim_start.isoformat(),
            "SWITCHBOARD_CLOCK_REAL_START": str(real_start),
            "LOG_LEVEL": "WARNING",
            **env,
        },
        log_dir=tmp_path / "logs",
    )
    supervisor = Supervisor(stack)
    stop_desk = asyncio.Event()
    desk = InHouseDesk(
        bootstrap=bootstrap,
        prefix=prefix,
        headcount={t.id: t.agents for t in config.teams if t.id in config.in_house_team_ids},
        workforce=Workforce(SEED),
        clock=clock,
        answers=lambda ticket: int(ticket.ticket_id[-2:], 16) % 10 < 7,  # 70% are answered
    )
    desk_task: asyncio.Task[None] | None = None
    try:
        # The supervisor from the start: on a busy machine a fresh broker may not offer
        # a group coordinator within a service's start-up budget, and the service exits
        # (code 3) to be started again, as under systemd or Kubernetes.
        for service in stack.services.values():
            service.start()
        supervisor.start()
        await asyncio.to_thread(wait_all_ready, stack)
        # The services created the topics: the desk reads its teams' queues.
        desk_task = asyncio.create_task(desk.run(stop_desk))
        harm = faults(stack)
        for fault in harm:
            fault.start()
        await play(
            bootstrap,
            prefix,
            clock=clock,
            messages=messages,
            bad_inputs=BAD_INPUTS,
            seed=SEED,
        )
        for fault in harm:
            fault.stop.set()
        for fault in harm:
            await asyncio.to_thread(fault.join)
        await asyncio.to_thread(wait_all_ready, stack)
        await settle(bootstrap, prefix)
        ended_at = clock.now()
        # Where the SLA service's input watermarks stand when the books are read: a
        # missing breach reads differently behind a watermark than past it.
        watermarks = await sla_watermarks(stack)
        books = await off_the_loop(bootstrap, prefix)
        stuck = await stuck_partitions(stack)
    finally:
        stop_desk.set()
        if desk_task is not None:
            # Leaving its consumer groups waits on the broker: when a fault left none, the
            # run must fail with its own error, not hang here (seen: 17 min at load 55).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(desk_task, DESK_STOP_SECONDS)
        supervisor.stop.set()
        if supervisor.is_alive():
            supervisor.join()
        stack.stop()

    customer_of = {
        source_message_id(message.channel, message.payload): message.truth.customer_id
        for message in messages
    }
    expect = Expectations(
        ended_at=ended_at,
        bad_inputs=frozenset(value for _, value in BAD_INPUTS),
        customer_of=customer_of,
        first_response_deadline=deadline_oracle(SlaTargets.from_config(config.sla)),
        margin=margin,
    )
    return Run(
        books=books,
        problems=check(books, expect) + stuck,
        totals=summary(books),
        assignments=await assignment_times(bootstrap, prefix),
        desk=desk.counters,
        restarts=supervisor.restarts,
        messages=list(messages),
        watermarks=watermarks,
        horizon=ended_at - margin,
    )


def wait_all_ready(stack: Stack, timeout: float = 600.0) -> None:
    """Every service answers ready (one that exited while starting is restarted by the
    supervisor: wait once more)."""
    for service in stack.services.values():
        deadline = time.monotonic() + timeout
        while True:
            try:
                service.wait_ready(max(1.0, deadline - time.monotonic()))
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)


async def off_the_loop(bootstrap: str, prefix: str) -> Books:
    """The books, read on a thread of their own: parsing thousands of records would
    otherwise hold up this loop, and with it the desk's replies (stamped, then sent)."""
    return await asyncio.to_thread(asyncio.run, read_books(bootstrap, prefix))


async def settle(bootstrap: str, prefix: str, timeout: float = 180.0) -> None:
    """Wait until every inbound message reached the books, then for the last replies
    and breaches in flight (the SLA service's write grace)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        books = await off_the_loop(bootstrap, prefix)
        if all(books.ticket_of_message.get(m) for m in books.inbound):
            break
        await asyncio.sleep(2)
    await asyncio.sleep(15)


def _when(moment: datetime | None) -> str:
    return "unknown" if moment is None else f"{moment:%d %H:%M:%S}"


async def sla_watermarks(stack: Stack) -> dict[int, datetime | None]:
    """The SLA service's input watermark of every ``tickets`` partition (the gauge
    ``switchboard_sla_input_watermark_seconds``): every deadline before it is judged."""
    marks: dict[int, datetime | None] = dict.fromkeys(range(topics.TICKETS.partitions))
    async with httpx.AsyncClient(timeout=5) as client:
        try:
            text = (await client.get(f"{stack['sla'].url}/metrics")).text
        except httpx.HTTPError:
            return marks
    for sample in _samples(text, "switchboard_sla_input_watermark_seconds"):
        if not math.isnan(sample.value):
            marks[int(sample.labels["partition"])] = datetime.fromtimestamp(sample.value, UTC)
    return marks


def _samples(metrics_text: str, family: str) -> Iterator[Sample]:
    """The samples of one metric family in a ``/metrics`` page."""
    for found in text_string_to_metric_families(metrics_text):
        if found.name == family:
            yield from found.samples


async def stuck_partitions(stack: Stack, timeout: float = 90.0) -> list[str]:
    """What ``ConsumerStuck`` would page on: partitions a service's consumer has not read
    to the end (``switchboard_consumer_lag`` above 0, sampled every 5 s). Waits until
    every series is 0, or says which are not."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    behind: list[str] = []
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            behind = []
            for name, service in stack.services.items():
                try:
                    text = (await client.get(f"{service.url}/metrics")).text
                except httpx.HTTPError as exc:
                    behind.append(f"{name}: metrics not served ({exc!r})")
                    continue
                for sample in _samples(text, "switchboard_consumer_lag"):
                    if sample.value > 0:
                        labels = sample.labels
                        behind.append(
                            f"{name} {labels['group']} {labels['topic']}-"
                            f"{labels['partition']}: {sample.value:.0f} records behind"
                        )
            if not behind or loop.time() > deadline:
                return [f"stuck: {line}" for line in behind]
            await asyncio.sleep(2)


async def assignment_times(bootstrap: str, prefix: str) -> list[float]:
    """When the router wrote each ticket.assigned (record timestamps, seconds)."""

    def assigned(value: bytes | None) -> bool:
        return b'"ticket.assigned"' in (value or b"") and isinstance(
            TICKET_EVENT.validate_json(value or b""), TicketAssigned
        )

    topic = f"{prefix}tickets"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    times: list[float] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=10_000)
            times += [r.timestamp / 1000 for rs in batch.values() for r in rs if assigned(r.value)]
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return sorted(times)


def pauses(assignments: Sequence[float], faults: Sequence[tuple[str, float]]) -> list[str]:
    """For each fault (what, real time): the longest gap between assignments from the
    last one before it to 60 s after it, against the longest gap in the minute before
    the first fault (the pause the load alone makes)."""
    lines = []
    if faults:
        first = faults[0][1]
        before = [t for t in assignments if first - 60 <= t < first]
        quiet = max((b - a for a, b in itertools.pairwise(before)), default=0.0)
        lines.append(f"longest gap between assignments in the minute before: {quiet:.2f} s")
    for what, at in faults:
        earlier = [t for t in assignments if t < at]
        window = ([earlier[-1]] if earlier else []) + [t for t in assignments if at <= t < at + 60]
        gap = max((b - a for a, b in itertools.pairwise(window)), default=float("nan"))
        lines.append(f"{what}: assignments paused {gap:.2f} s (longest gap within 60 s)")
    return lines
