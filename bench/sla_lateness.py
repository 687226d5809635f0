"""Breach lateness with 100,000 deadlines falling due within one minute.

Part 1, the timer alone (no Kafka), over a store of 1,000,000 open tickets of which
100,000 fall due within one minute, in real time: the service's timer work
(``AnnounceDue`` with the deadline index, batches of at most 5,000) against the
baseline of the walking skeleton's timer, which scanned every ticket each tick.
Lateness = when the breach was announced minus its deadline.

Part 2, end to end: ``python -m services.sla`` on a real broker gets 100,000
``ticket.opened`` whose first responses fall due within one minute (and their at-risk
warnings the minute before); a read_committed consumer of ``sla`` measures, per
breach, commit-visible time minus deadline, and the announcement time in the event
minus deadline. Baseline in the same run: the broker's produce-to-consume latency for
plain records (the floor under any announcement).

Run: ``.venv/bin/python -m bench.sla_lateness [--part 1|2|both]``
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import Figure, kafka
from bench.sla_common import CONFIG, percentile, rules, tickets
from bench.sla_restore import delete_topics
from plumbing.kafka import ensure_topics
from plumbing.processor import Step
from plumbing.settings import ServiceSettings
from plumbing.store import StateStore
from schemas.customers import Customer
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import TicketOpened
from schemas.topics import TopicSpec
from services.sla.domain import encoding
from services.sla.domain.announcements import due, to_event
from services.sla.domain.clocks import to_ms
from services.sla.partitions import SlaState
from services.sla.timers import AnnounceDue
from switchboard.launcher import ServiceProcess, free_port

FLOOR = TopicSpec("bench.floor", partitions=1, description="produce-to-consume baseline")
TICK_S = 0.1
DUE = 100_000
MINUTE_MS = 60_000


# -- part 1: the timer alone ---------------------------------------------------------------
def _store(total: int, first_due_ms: int, due: int, spread_ms: int) -> StateStore[bytes]:
    store = StateStore[bytes]()
    for key, raw in tickets(due, first_due_ms, spread_ms, warned=True):
        store.restore(key, raw)
    for key, raw in tickets(total - due, first_due_ms + 86_400_000, 86_400_000):
        store.restore(key, raw)
    return store


def _full_scan(store: StateStore[bytes], now: datetime) -> list[SlaBreached]:
    """The walking skeleton's timer: look at every ticket on every tick."""
    now_ms = int(now.timestamp() * 1000)
    announced: list[SlaBreached] = []
    keys = list(store.keys())
    for key in keys:
        raw = store.get(key)
        if raw is None:
            continue
        next_due = encoding.next_due_ms(raw)
        if next_due is None or next_due > now_ms:
            continue
        clocks, announcements = due(rules(), encoding.decode(key, raw), now_ms)
        for announcement in announcements:
            event = to_event(clocks, announcement, now)
            event.to_json_bytes()
            if isinstance(event, SlaBreached):
                announced.append(event)
        store.put(key, encoding.encode(clocks))
    store.commit()
    return announced


def _indexed(state: SlaState, store: StateStore[bytes], now: datetime) -> list[SlaBreached]:
    announced: list[SlaBreached] = []
    while True:
        step = Step[bytes](partition=0, store=store, now=now)
        work = AnnounceDue(
            rules=rules(),
            state=state,
            sla_topic="sla",
            stats_topic="stats",
            known_ms=to_ms(now),  # the timer alone: the input is complete
        )
        work(step)
        for output in step.outputs:
            output.value  # noqa: B018  (serialised already, as for the producer)
        store.commit()
        announced += [e for e in work.announced if isinstance(e, SlaBreached)]
        if not work.saturated:
            return announced
        now = datetime.now(UTC)


def timer_alone(
    total: int, lead_s: float, due: int = DUE, spread_ms: int = MINUTE_MS
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    for name in ("index (service)", "full scan (baseline)"):
        first_due = time.time() + lead_s
        store = _store(total, int(first_due * 1000), due, spread_ms)
        state = SlaState()
        state.on_ready(0, store)
        wait = first_due - time.time()
        if wait < 1:
            raise SystemExit(
                f"building the store took too long; raise --lead (short by {-wait:.0f} s)"
            )
        time.sleep(wait - 0.5)
        lateness: list[float] = []
        give_up = first_due + spread_ms / 1000 + 30
        while len(lateness) < due and time.time() < give_up:
            started = time.monotonic()
            now = datetime.now(UTC)
            if name.startswith("index"):
                announced = _indexed(state, store, now)
            else:
                announced = _full_scan(store, now)
            done = time.time()
            lateness += [done - b.deadline.timestamp() for b in announced]
            time.sleep(max(0.0, TICK_S - (time.monotonic() - started)))
        results[name] = lateness
    return results


# -- part 2: the service on a real broker --------------------------------------------------
async def kafka_floor(bootstrap: str, topic: str, count: int = 5_000) -> list[float]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        isolation_level="read_committed",
    )
    await consumer.start()
    await asyncio.sleep(1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    latencies: list[float] = []

    async def send() -> None:
        for _ in range(count):
            await producer.send(topic, str(time.time()).encode())
            await asyncio.sleep(60 / count / 5)  # spread over ~12 s

    sender = asyncio.create_task(send())
    try:
        while len(latencies) < count:
            batch = await consumer.getmany(timeout_ms=500)
            now = time.time()
            latencies += [now - float(r.value) for rs in batch.values() for r in rs]
    finally:
        await sender
        await producer.stop()
        await consumer.stop()
    return latencies


def _bench_config(path: Path) -> Path:
    config = yaml.safe_load(CONFIG.read_text())
    sla = config["sla"]
    sla["at_risk_share"] = 0.5
    for policy in [*sla["policies"], *(p for s in sla.get("seasons", []) for p in s["policies"])]:
        policy["first_response"] = "PT2M"
        policy.pop("business_hours", None)
    path.write_text(yaml.safe_dump(config))
    return path


async def _open(bootstrap: str, topic: str, deadlines: list[datetime]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        for deadline in deadlines:
            ticket_id = str(uuid.uuid4())
            received = deadline - timedelta(minutes=2)
            event = TicketOpened(
                event_id=uuid.uuid4(),
                occurred_at=received,
                correlation_id=str(uuid.uuid4()),
                ticket_id=ticket_id,
                channel="email",
                source_message_id=f"<{ticket_id}@example.com>",
                customer=Customer(customer_key=ticket_id[:8]),
                text="Where is my parcel?",
                received_at=received,
                language="en",
                skill="orders_shipping",
            )
            await producer.send(topic, event.to_json_bytes(), key=ticket_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def _collect(
    bootstrap: str, topic: str, expected: int, until: float
) -> tuple[list[float], list[float]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    visible: list[float] = []
    announced: list[float] = []
    try:
        while len(visible) < expected and time.time() < until:
            batch = await consumer.getmany(timeout_ms=200, max_records=10_000)
            now = time.time()
            for records in batch.values():
                for record in records:
                    event = SLA_EVENT.validate_json(record.value)
                    if isinstance(event, SlaBreached):
                        deadline = event.deadline.timestamp()
                        visible.append(now - deadline)
                        announced.append(event.occurred_at.timestamp() - deadline)
    finally:
        await consumer.stop()
    return visible, announced


async def service_run(
    lead_s: float,
    bootstrap: str | None = None,
    due: int = DUE,
    spread_ms: int = MINUTE_MS,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    with kafka(bootstrap) as served:
        return await _service_run(lead_s, served, due, spread_ms, out)


async def _service_run(
    lead_s: float, bootstrap: str, due: int, spread_ms: int, out: Callable[[str], None]
) -> list[Figure]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    try:
        with TemporaryDirectory() as scratch:
            env = {
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "SWITCHBOARD_TOPIC_PREFIX": prefix,
                "SWITCHBOARD_CONFIG": str(_bench_config(Path(scratch) / "bench.yaml")),
                "LOG_LEVEL": "WARNING",
            }
            service = ServiceProcess("sla", env, free_port(), Path(scratch) / "sla.log")
            service.start()
            try:
                service.wait_ready(timeout=120)
                settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)
                await ensure_topics(settings, [FLOOR])
                floor = await kafka_floor(
                    bootstrap, settings.topic(FLOOR.name), count=min(5_000, due)
                )
                first = datetime.now(UTC) + timedelta(seconds=lead_s)
                deadlines = [
                    first + timedelta(milliseconds=spread_ms * n / due) for n in range(due)
                ]
                opened_at = time.time()
                await _open(bootstrap, f"{prefix}tickets", deadlines)
                produced = time.time() - opened_at
                visible, announced = await _collect(
                    bootstrap, f"{prefix}sla", due, until=first.timestamp() + spread_ms / 1000 + 60
                )
            finally:
                service.terminate()
        out(
            f"\nPart 2: services.sla on {bootstrap}, {due:,} first responses due within "
            f"{spread_ms / 1000:.0f} s"
        )
        out(f"  opened {due:,} tickets in {produced:.1f} s; first deadline after {lead_s:.0f} s")
        out(f"  breaches seen: {len(visible):,} of {due:,}")
        out(_row("baseline: produce->consume, plain", floor))
        out(_row("announced (event time - deadline)", announced))
        out(_row("visible to read_committed - deadline", visible))
        note = f"{len(visible):,} of {due:,} breaches seen, due within {spread_ms / 1000:.0f} s"
        return [
            Figure(
                "sla_lateness_kafka",
                "breach visible to a read_committed consumer, p99 after its deadline",
                percentile(visible, 0.99) * 1000,
                "ms",
                baseline=percentile(floor, 0.99) * 1000,
                baseline_label="plain produce-to-consume on the same broker",
                target="<= 1000 ms",
                met=len(visible) == due and percentile(visible, 0.99) <= 1.0,
                note=note,
            ),
            Figure(
                "sla_lateness_kafka",
                "breach announced (event time), p99 after its deadline",
                percentile(announced, 0.99) * 1000,
                "ms",
                baseline=percentile(floor, 0.99) * 1000,
                baseline_label="plain produce-to-consume on the same broker",
            ),
        ]
    finally:
        await delete_topics(bootstrap, prefix)


def _row(name: str, values: list[float]) -> str:
    worst = max(values, default=float("nan"))
    return (
        f"  {name:<40} p50 {percentile(values, 0.5) * 1000:7.0f} ms   "
        f"p99 {percentile(values, 0.99) * 1000:7.0f} ms   max {worst * 1000:7.0f} ms"
    )


def timer_figures(
    *,
    tickets: int = 1_000_000,
    lead_s: float = 90.0,
    due: int = DUE,
    spread_ms: int = MINUTE_MS,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Part 1: print its report through ``out`` and return its figures."""
    out(
        f"Part 1: timer alone, {tickets:,} open tickets, {due:,} due within "
        f"{spread_ms / 1000:.0f} s"
    )
    results = timer_alone(tickets, lead_s, due, spread_ms)
    for name, lateness in results.items():
        out(_row(f"{name}: {len(lateness):,} breaches", lateness))
    index, scan = results["index (service)"], results["full scan (baseline)"]
    return [
        Figure(
            "sla_lateness",
            "breach lateness p99, timer alone",
            percentile(index, 0.99) * 1000,
            "ms",
            baseline=percentile(scan, 0.99) * 1000,
            baseline_label="full scan of every ticket each tick (walking skeleton)",
            target="<= 1000 ms",
            met=len(index) == due and percentile(index, 0.99) <= 1.0,
            note=f"{tickets:,} open, {due:,} due within {spread_ms / 1000:.0f} s",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="open tickets in part 1")
    parser.add_argument("--lead", type=float, default=90.0, help="seconds until the first deadline")
    args = parser.parse_args()
    if args.part in ("1", "both"):
        timer_figures(tickets=args.tickets, lead_s=args.lead)
    if args.part in ("2", "both"):
        asyncio.run(service_run(args.lead))


if __name__ == "__main__":
    main()
