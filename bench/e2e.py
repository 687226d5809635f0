"""End to end: inbound messages per second that become ``ticket.assigned``, and latency.

Switchboard (ingest, router and SLA as real processes on the local broker) is
compared in the same run with bare aiokafka relays over the same hops, process
layout and payload sizes (``bench/relay.py``), committing in Kafka transactions
as the services do. Each throughput figure is the median of several runs, each
on fresh topics. Latency is measured at half of Switchboard's measured maximum
throughput, from the inbound record's timestamp to the ``ticket.assigned``
record's timestamp (both set by producers on this machine).

The services run on the sample config with every team open around the clock, 10,000
agents each and no daily volume caps (``bench_config``): nobody resolves tickets in
this benchmark, so with the sample's real staffing the router would assign a few hundred
tickets, fill every team and then hold the rest in its pending backlog (as it should),
and which teams are open would depend on the hour the benchmark runs. The routing work
per ticket is the same: the whole policy runs for each one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import Figure, median, peak_rss_mb, percentile
from plumbing.kafka import ensure_topics
from plumbing.settings import ServiceSettings
from schemas import topics
from schemas.tickets import TICKET_EVENT, TicketOpened
from switchboard.launcher import Stack
from tests.support.broker import session_bootstrap

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG = REPO_ROOT / "deploy" / "config" / "switchboard.yaml"
LOG_DIR = REPO_ROOT / ".run" / "bench"
BENCH_AGENTS = 10_000


def bench_config() -> Path:
    """The sample config, with room for every ticket at any hour (see the docstring)."""
    config = yaml.safe_load(CONFIG.read_text())
    for team in config["teams"]:
        team["hours"] = None
        team["agents"] = BENCH_AGENTS
        if team.get("contract"):
            team["contract"]["daily_volume_cap"] = None
    path = LOG_DIR / "e2e-config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def email(message_id: str) -> bytes:
    """A realistic email; every message from its own customer, so each opens a ticket."""
    return json.dumps(
        {
            "message_id": message_id,
            "from": f"{message_id.strip('<>').split('@')[0]}@example.com",
            "to": ["help@shop.example.com"],
            "subject": "Order 4471123 has not arrived",
            "text": "Hello, I ordered a winter jacket last Monday (order 4471123) and the "
            "tracking page has not changed since Wednesday. Can you check where it is? "
            "Thanks, Maria",
            "received_at": datetime.now(UTC).isoformat(),
            "in_reply_to": None,
        }
    ).encode()


async def _ready_consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        isolation_level="read_committed",
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=200)
    await consumer.seek_to_end()
    return consumer


async def burst(
    bootstrap: str,
    inbound: str,
    output: str,
    count: int,
    is_done: Callable[[bytes], bool],
    *,
    patience: float = 600,
) -> float:
    """Publish ``count`` emails at once; messages/s until the last output arrived."""
    consumer = await _ready_consumer(bootstrap, output)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    run = uuid.uuid4().hex[:8]
    payloads = [email(f"<b{run}-{i}@mail.example.com>") for i in range(count)]
    try:
        started = time.perf_counter()
        for payload in payloads:
            await producer.send(inbound, payload)
        await producer.flush()
        seen = 0
        while seen < count and time.perf_counter() - started < patience:
            batch = await consumer.getmany(timeout_ms=500)
            seen += sum(1 for rs in batch.values() for r in rs if is_done(r.value))
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()
    if seen < count:
        raise RuntimeError(f"only {seen} of {count} messages came out after {elapsed:.0f} s")
    return count / elapsed


async def latency_at_rate(bootstrap: str, prefix: str, rate: float, seconds: float) -> list[float]:
    """Publish at ``rate``/s for ``seconds``; milliseconds from inbound to assigned."""
    consumer = await _ready_consumer(bootstrap, f"{prefix}tickets")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1)
    await producer.start()
    sent_at: dict[str, int] = {}
    opened: dict[str, str] = {}
    latencies: list[float] = []
    run = uuid.uuid4().hex[:8]

    async def publish() -> None:
        total = int(rate * seconds)
        started = time.perf_counter()
        for i in range(total):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            message_id = f"<l{run}-{i}@mail.example.com>"
            future = await producer.send(f"{prefix}inbound.email", email(message_id))
            future.add_done_callback(
                lambda f, m=message_id: sent_at.__setitem__(m, f.result().timestamp)
            )
        await producer.flush()

    publisher = asyncio.create_task(publish())
    expected = int(rate * seconds)
    deadline = time.perf_counter() + seconds + 60
    while len(latencies) < expected and time.perf_counter() < deadline:
        batch = await consumer.getmany(timeout_ms=300)
        for record in (r for rs in batch.values() for r in rs):
            if b'"ticket.opened"' in record.value:
                event = TICKET_EVENT.validate_json(record.value)
                assert isinstance(event, TicketOpened)
                opened[event.ticket_id] = event.source_message_id
            elif b'"ticket.assigned"' in record.value:
                ticket_id = json.loads(record.value)["ticket_id"]
                message_id = opened.get(ticket_id)
                if message_id in sent_at:
                    latencies.append(float(record.timestamp - sent_at[message_id]))
    await publisher
    await producer.stop()
    await consumer.stop()
    return latencies


async def payload_sizes(bootstrap: str, prefix: str) -> dict[str, int]:
    """Average value size of each hop's output in a Switchboard run."""
    consumer = AIOKafkaConsumer(
        f"{prefix}ingest.messages",
        f"{prefix}tickets",
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    sizes: dict[str, list[int]] = {"messages": [], "opened": [], "assigned": []}
    try:
        for _ in range(10):
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for record in (r for rs in batch.values() for r in rs):
                if record.topic.endswith("ingest.messages"):
                    sizes["messages"].append(len(record.value))
                elif b'"ticket.opened"' in record.value:
                    sizes["opened"].append(len(record.value))
                elif b'"ticket.assigned"' in record.value:
                    sizes["assigned"].append(len(record.value))
    finally:
        await consumer.stop()
    return {hop: int(sum(values) / len(values)) for hop, values in sizes.items() if values}


@dataclass
class Relays:
    """Bare relays in the services' process layout: ingest (2 hops), router, SLA."""

    bootstrap: str
    prefix: str
    sizes: dict[str, int]

    def start(self) -> dict[str, subprocess.Popen[bytes]]:
        p = self.prefix
        layout = {
            "ingest": [
                f"{p}inbound.email,{p}ingest.messages,{p}g-normalise,{self.sizes['messages']},,M",
                f"{p}ingest.messages,{p}tickets,{p}g-thread,{self.sizes['opened']},,O",
            ],
            "router": [f"{p}tickets,{p}tickets,{p}g-route,{self.sizes['assigned']},O,A"],
            "sla": [f"{p}tickets,,{p}g-sla,0,,"],
        }
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        processes = {}
        for name, hops in layout.items():
            command = [sys.executable, "-m", "bench.relay", "--bootstrap", self.bootstrap]
            for hop in hops:
                command += ["--hop", hop]
            with (LOG_DIR / f"relay-{name}.log").open("ab") as log:
                processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        return processes


def _settings(bootstrap: str, prefix: str) -> ServiceSettings:
    return ServiceSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=prefix)


def _stack(bootstrap: str, prefix: str) -> Stack:
    return Stack(
        env={
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SWITCHBOARD_TOPIC_PREFIX": prefix,
            "SWITCHBOARD_CONFIG": str(bench_config()),
            "LOG_LEVEL": "WARNING",
        },
        log_dir=LOG_DIR / prefix.rstrip("."),
    )


def _assigned(value: bytes) -> bool:
    return b'"ticket.assigned"' in value


def _relayed(value: bytes) -> bool:
    return value.startswith(b"A")


def switchboard_throughput(
    bootstrap: str, count: int, patience: float = 600
) -> tuple[float, dict[str, int], dict[str, float]]:
    """Messages/s, each hop's payload size, and each service's peak RSS (MB)."""
    prefix = f"bench-sb-{uuid.uuid4().hex[:6]}."
    inbound, output = f"{prefix}inbound.email", f"{prefix}tickets"
    stack = _stack(bootstrap, prefix)
    stack.start()
    try:
        # Warm up: first transactions, caches filled; not measured.
        asyncio.run(burst(bootstrap, inbound, output, 200, _assigned, patience=patience))
        rate = asyncio.run(burst(bootstrap, inbound, output, count, _assigned, patience=patience))
        sizes = asyncio.run(payload_sizes(bootstrap, prefix))
        peaks = {name: peak_rss_mb(service.pid) for name, service in stack.services.items()}
    finally:
        stack.stop()
    return rate, sizes, peaks


def relay_throughput(
    bootstrap: str, count: int, sizes: dict[str, int], patience: float = 600
) -> tuple[float, dict[str, float]]:
    """Messages/s through bare relays, and each relay process's peak RSS (MB)."""
    prefix = f"bench-relay-{uuid.uuid4().hex[:6]}."
    asyncio.run(ensure_topics(_settings(bootstrap, prefix), topics.STATIC_TOPICS))
    processes = Relays(bootstrap, prefix, sizes).start()
    try:
        inbound, output = f"{prefix}inbound.email", f"{prefix}tickets"
        asyncio.run(burst(bootstrap, inbound, output, 200, _relayed, patience=patience))
        rate = asyncio.run(burst(bootstrap, inbound, output, count, _relayed, patience=patience))
        return rate, {name: peak_rss_mb(p.pid) for name, p in processes.items()}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)


def switchboard_latency(
    bootstrap: str, rate: float, seconds: float, patience: float = 600
) -> list[float]:
    prefix = f"bench-lat-{uuid.uuid4().hex[:6]}."
    stack = _stack(bootstrap, prefix)
    stack.start()
    try:
        inbound, output = f"{prefix}inbound.email", f"{prefix}tickets"
        asyncio.run(burst(bootstrap, inbound, output, 200, _assigned, patience=patience))
        return asyncio.run(latency_at_rate(bootstrap, prefix, rate, seconds))
    finally:
        stack.stop()


def run(
    bootstrap: str,
    *,
    count: int = 10_000,
    runs: int = 3,
    latency_seconds: float = 20,
    out: Callable[[str], None] = print,
    patience: float = 600,
) -> list[Figure]:
    """``patience``: seconds a burst may take before the run fails (a stuck broker)."""
    switchboard_rates, relay_rates = [], []
    sizes: dict[str, int] = {}
    service_peaks: list[dict[str, float]] = []
    relay_peaks: list[dict[str, float]] = []
    for number in range(1, runs + 1):
        rate, sizes, peaks = switchboard_throughput(bootstrap, count, patience)
        switchboard_rates.append(rate)
        service_peaks.append(peaks)
        relay_rate, peaks = relay_throughput(bootstrap, count, sizes, patience)
        relay_rates.append(relay_rate)
        relay_peaks.append(peaks)
        out(
            f"run {number}/{runs}: switchboard {rate:,.0f} msg/s, "
            f"bare relays {relay_rate:,.0f} msg/s"
        )
    switchboard_rate, relay_rate = median(switchboard_rates), median(relay_rates)
    latencies = switchboard_latency(bootstrap, switchboard_rate / 2, latency_seconds, patience)
    out(
        f"latency at {switchboard_rate / 2:,.0f} msg/s: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p99 {percentile(latencies, 0.99):.0f} ms ({len(latencies):,} tickets)"
    )
    note = f"runs={runs} x {count} msgs; payload bytes {sizes}"
    p99 = percentile(latencies, 0.99)
    figures = [
        Figure(
            "e2e",
            "throughput inbound->assigned",
            switchboard_rate,
            "msg/s",
            baseline=relay_rate,
            baseline_label="bare aiokafka transactional relays",
            target=">= 2000 msg/s and >= 70% of baseline",
            met=switchboard_rate >= 2000 and switchboard_rate >= 0.7 * relay_rate,
            note=note + f"; all runs {[round(r) for r in switchboard_rates]} vs "
            f"{[round(r) for r in relay_rates]}",
        ),
        Figure(
            "e2e",
            f"latency p50 at {switchboard_rate / 2:.0f} msg/s",
            percentile(latencies, 0.5),
            "ms",
            note=f"{len(latencies)} tickets",
        ),
        Figure(
            "e2e",
            f"latency p99 at {switchboard_rate / 2:.0f} msg/s",
            p99,
            "ms",
            target="<= 100 ms",
            met=p99 <= 100,
        ),
    ]
    for name in ("ingest", "router", "sla"):
        figures.append(
            Figure(
                "e2e",
                f"peak RSS of {name} in the throughput run",
                median([p[name] for p in service_peaks]),
                "MB",
                baseline=median([p[name] for p in relay_peaks]),
                baseline_label=f"the bare relay process in {name}'s place",
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bootstrap",
        default=None,
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else a private "
        "broker started for the run)",
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-seconds", type=float, default=20)
    args = parser.parse_args()
    bootstrap, broker = (args.bootstrap, None) if args.bootstrap else session_bootstrap()
    try:
        for figure in run(
            bootstrap, count=args.count, runs=args.runs, latency_seconds=args.latency_seconds
        ):
            print(json.dumps(figure.as_dict()))
    finally:
        if broker is not None:
            broker.stop()
            broker.reset()


if __name__ == "__main__":
    main()
