"""End to end: inbound messages per second that become ``ticket.assigned``, and latency.

Switchboard (ingest, router and SLA as real processes on the local broker) is
compared in the same run with bare aiokafka relays over the same hops, process
layout and payload sizes (``bench/relay.py``), committing in Kafka transactions
as the services do. Each throughput figure is the median of several runs, each
on fresh topics. Latency is measured at half of Switchboard's measured maximum
throughput, from the inbound record's timestamp to the ``ticket.assigned``
record's timestamp (both set by producers on this machine).

The services run on the sample config with every team open around the clock, 100,000
agents each, no daily volume caps and a one-second prior handle time (``bench_config``):
nobody resolves tickets in this benchmark, so with the sample's real staffing the router
would assign a few hundred tickets, fill every team and then hold the rest in its
pending backlog (as it should), and which teams are open would depend on the hour the
benchmark runs. The short handle time keeps the Erlang C recursion as short as the
sample's 8-24 slots keep it (its cost grows with the offered load, arrival rate x handle
time, which 30,000 slots would otherwise let reach thousands of erlangs). The policy
runs in full for every ticket.

The router's ``ROUTER_MAX_UNCONFIRMED_PER_TEAM`` (``--router-unconfirmed``) is left at
its default unless asked: it bounds how fast one instance can assign to one team.
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
from pathlib import Path

import psutil
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from bench.common import Figure, kafka, median, peak_rss_mb, percentile
from bench.e2e_traffic import EmailFactory, one_team_email, spread_emails
from plumbing.kafka import ensure_topics
from plumbing.settings import ServiceSettings
from plumbing.tasks import RETRY_BACKOFF_MS
from schemas import topics
from schemas.tickets import TICKET_EVENT, TicketOpened
from switchboard.launcher import Stack

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG = REPO_ROOT / "deploy" / "config" / "switchboard.yaml"
LOG_DIR = REPO_ROOT / ".run" / "bench"
#: Room for every ticket of a full-size run (10,000 + warm-ups) in the one team most of
#: them suit: with fewer, the last tickets wait in the backlog and the burst never ends.
BENCH_AGENTS = 100_000


def bench_config() -> Path:
    """The sample config, with room for every ticket at any hour (see the docstring)."""
    config = yaml.safe_load(CONFIG.read_text())
    for team in config["teams"]:
        team["hours"] = None
        team["agents"] = BENCH_AGENTS
        team["mean_handle_time"] = "PT1S"
        if team.get("contract"):
            team["contract"]["daily_volume_cap"] = None
    path = LOG_DIR / "e2e-config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


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
    make: EmailFactory = one_team_email,
    patience: float = 600,
) -> float:
    """Publish ``count`` emails at once; messages/s until the last output arrived."""
    consumer = await _ready_consumer(bootstrap, output)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    run = uuid.uuid4().hex[:8]
    payloads = [make(i, f"<b{run}-{i}@mail.example.com>") for i in range(count)]
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


#: Given an output record, the id of the inbound message it finished (or None).
Finisher = Callable[[ConsumerRecord[bytes, bytes]], str | None]
#: Whether an output record's value finishes one inbound message.
Finished = Callable[[bytes], bool]


def switchboard_finisher() -> Finisher:
    """``ticket.assigned`` finishes the message whose ``ticket.opened`` named it."""
    opened: dict[str, str] = {}

    def finished(record: ConsumerRecord[bytes, bytes]) -> str | None:
        if b'"ticket.opened"' in record.value:
            event = TICKET_EVENT.validate_json(record.value)
            assert isinstance(event, TicketOpened)
            opened[event.ticket_id] = event.source_message_id
        elif b'"ticket.assigned"' in record.value:
            return opened.get(json.loads(record.value)["ticket_id"])
        return None

    return finished


def relay_finisher(record: ConsumerRecord[bytes, bytes]) -> str | None:
    """The relays keep the inbound record's key (the message id) on every hop."""
    return record.key.decode() if record.value.startswith(b"A") and record.key else None


async def latency_at_rate(
    bootstrap: str, prefix: str, rate: float, seconds: float, finished: Finisher
) -> list[float]:
    """Publish at ``rate``/s for ``seconds``; milliseconds from each inbound record's
    timestamp to that of the output that ``finished`` it (both set by producers here)."""
    consumer = await _ready_consumer(bootstrap, f"{prefix}tickets")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=1)
    await producer.start()
    sent_at: dict[str, int] = {}
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
            future = await producer.send(
                f"{prefix}inbound.email", one_team_email(i, message_id), key=message_id.encode()
            )
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
            message_id = finished(record)
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
            command += _commit_arguments()
            for hop in hops:
                command += ["--hop", hop]
            with (LOG_DIR / f"relay-{name}.log").open("ab") as log:
                processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        return processes


def _commit_arguments() -> list[str]:
    """The services' commit settings (from the same environment), for the relays."""
    settings = ServiceSettings()
    return [
        "--commit-interval-ms",
        str(settings.kafka_commit_interval_ms),
        "--max-transaction-records",
        str(settings.kafka_max_transaction_records),
        "--retry-backoff-ms",
        str(RETRY_BACKOFF_MS),
    ]


@dataclass(frozen=True)
class Setup:
    bootstrap: str
    #: Seconds a burst may take before the run fails (a stuck broker, a stalled service).
    patience: float = 600
    #: ``ROUTER_MAX_UNCONFIRMED_PER_TEAM`` for the router; None: its default.
    unconfirmed: int | None = None

    def settings(self, prefix: str) -> ServiceSettings:
        return ServiceSettings(kafka_bootstrap_servers=self.bootstrap, topic_prefix=prefix)

    def stack(self, prefix: str) -> Stack:
        extra = {}
        if self.unconfirmed is not None:
            extra["ROUTER_MAX_UNCONFIRMED_PER_TEAM"] = str(self.unconfirmed)
        return Stack(
            env={
                **extra,
                "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "SWITCHBOARD_TOPIC_PREFIX": prefix,
                "SWITCHBOARD_CONFIG": str(bench_config()),
                "LOG_LEVEL": "WARNING",
            },
            log_dir=LOG_DIR / prefix.rstrip("."),
        )

    def burst(
        self,
        inbound: str,
        output: str,
        count: int,
        done: Callable[[bytes], bool],
        make: EmailFactory = one_team_email,
    ) -> float:
        return asyncio.run(
            burst(self.bootstrap, inbound, output, count, done, make=make, patience=self.patience)
        )


def _assigned(value: bytes) -> bool:
    return b'"ticket.assigned"' in value


def _relayed(value: bytes) -> bool:
    return value.startswith(b"A")


@dataclass(frozen=True)
class Throughput:
    rate: float  # messages/s
    peak_rss_mb: dict[str, float]  # per process
    cpu_ms_per_message: dict[str, float]  # per process, during the measured burst


def _cpu_seconds(pids: dict[str, int | None]) -> dict[str, float]:
    times = {name: psutil.Process(pid).cpu_times() for name, pid in pids.items() if pid}
    return {name: t.user + t.system for name, t in times.items()}


def _measured_burst(
    setup: Setup,
    pids: dict[str, int | None],
    prefix: str,
    count: int,
    done: Finished,
    *,
    make: EmailFactory,
) -> Throughput:
    inbound, output = f"{prefix}inbound.email", f"{prefix}tickets"
    setup.burst(inbound, output, 200, done, make)  # warm-up, not measured
    before = _cpu_seconds(pids)
    rate = setup.burst(inbound, output, count, done, make)
    after = _cpu_seconds(pids)
    return Throughput(
        rate,
        {name: peak_rss_mb(pid) for name, pid in pids.items()},
        {name: 1000 * (after[name] - before[name]) / count for name in after},
    )


def switchboard_throughput(
    setup: Setup, count: int, make: EmailFactory = one_team_email
) -> tuple[Throughput, dict[str, int]]:
    """Throughput, and each hop's payload size."""
    prefix = f"bench-sb-{uuid.uuid4().hex[:6]}."
    stack = setup.stack(prefix)
    stack.start()
    try:
        pids = {name: service.pid for name, service in stack.services.items()}
        measured = _measured_burst(setup, pids, prefix, count, _assigned, make=make)
        sizes = asyncio.run(payload_sizes(setup.bootstrap, prefix))
    finally:
        stack.stop()
    return measured, sizes


def relay_throughput(
    setup: Setup, count: int, sizes: dict[str, int], make: EmailFactory = one_team_email
) -> Throughput:
    prefix = f"bench-relay-{uuid.uuid4().hex[:6]}."
    asyncio.run(ensure_topics(setup.settings(prefix), topics.STATIC_TOPICS))
    processes = Relays(setup.bootstrap, prefix, sizes).start()
    try:
        pids: dict[str, int | None] = {name: p.pid for name, p in processes.items()}
        return _measured_burst(setup, pids, prefix, count, _relayed, make=make)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)


def switchboard_latency(setup: Setup, rate: float, seconds: float) -> list[float]:
    prefix = f"bench-lat-{uuid.uuid4().hex[:6]}."
    stack = setup.stack(prefix)
    stack.start()
    try:
        setup.burst(f"{prefix}inbound.email", f"{prefix}tickets", 200, _assigned)
        finisher = switchboard_finisher()
        return asyncio.run(latency_at_rate(setup.bootstrap, prefix, rate, seconds, finisher))
    finally:
        stack.stop()


def relay_latency(setup: Setup, sizes: dict[str, int], rate: float, seconds: float) -> list[float]:
    prefix = f"bench-rlat-{uuid.uuid4().hex[:6]}."
    asyncio.run(ensure_topics(setup.settings(prefix), topics.STATIC_TOPICS))
    processes = Relays(setup.bootstrap, prefix, sizes).start()
    try:
        setup.burst(f"{prefix}inbound.email", f"{prefix}tickets", 200, _relayed)
        return asyncio.run(latency_at_rate(setup.bootstrap, prefix, rate, seconds, relay_finisher))
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)


@dataclass(frozen=True)
class Case:
    """One kind of burst: who the tickets suit."""

    name: str
    make: EmailFactory


def _throughput_figures(
    case: Case, services: list[Throughput], relays: list[Throughput], note: str
) -> list[Figure]:
    rates, relay_rates = [t.rate for t in services], [t.rate for t in relays]
    rate = median(rates)
    figures = [
        Figure(
            "e2e",
            f"throughput inbound->assigned, {case.name}",
            rate,
            "msg/s",
            baseline=median(relay_rates),
            baseline_label="bare aiokafka transactional relays",
            target=">= 1000 msg/s",
            met=rate >= 1000,
            note=f"{note}; all runs {[round(r) for r in rates]} vs "
            f"{[round(r) for r in relay_rates]}",
        )
    ]
    for name in ("ingest", "router", "sla"):
        cpu = median([t.cpu_ms_per_message[name] for t in services])
        figures.append(
            Figure(
                "e2e",
                f"CPU per message, {name}, {case.name}",
                cpu,
                "ms",
                baseline=median([t.cpu_ms_per_message[name] for t in relays]),
                baseline_label=f"the bare relay process in {name}'s place",
                target="<= 0.6 ms",
                met=cpu <= 0.6,
                note="user + system CPU of the process during the measured burst / messages",
            )
        )
    for name in ("ingest", "router", "sla"):
        figures.append(
            Figure(
                "e2e",
                f"peak RSS of {name}, {case.name}",
                median([t.peak_rss_mb[name] for t in services]),
                "MB",
                baseline=median([t.peak_rss_mb[name] for t in relays]),
                baseline_label=f"the bare relay process in {name}'s place",
            )
        )
    return figures


def _latency_figures(rate: float, latencies: list[float], floor: list[float]) -> list[Figure]:
    figures = []
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        value, baseline = percentile(latencies, fraction), percentile(floor, fraction)
        figures.append(
            Figure(
                "e2e",
                f"latency {label} at {rate:.0f} msg/s",
                value,
                "ms",
                baseline=baseline,
                baseline_label="bare relays at the same rate",
                target="<= 2x the relays'",
                met=value <= 2 * baseline,
                note=f"{len(latencies)} tickets, {len(floor)} relayed",
            )
        )
    return figures


def run(
    setup: Setup,
    *,
    count: int = 10_000,
    runs: int = 3,
    latency_seconds: float = 20,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    cases = [
        Case("one team", one_team_email),
        Case("spread over the desk", spread_emails(bench_config())),
    ]
    services: dict[str, list[Throughput]] = {case.name: [] for case in cases}
    relays: dict[str, list[Throughput]] = {case.name: [] for case in cases}
    sizes: dict[str, int] = {}
    for number in range(1, runs + 1):
        for case in cases:
            measured, case_sizes = switchboard_throughput(setup, count, case.make)
            sizes = sizes or case_sizes
            relayed = relay_throughput(setup, count, case_sizes, case.make)
            services[case.name].append(measured)
            relays[case.name].append(relayed)
            out(
                f"run {number}/{runs}, {case.name}: switchboard {measured.rate:,.0f} msg/s, "
                f"bare relays {relayed.rate:,.0f} msg/s; CPU ms per message "
                f"{_rounded(measured.cpu_ms_per_message)} vs "
                f"{_rounded(relayed.cpu_ms_per_message)}"
            )
    limit = "default" if setup.unconfirmed is None else setup.unconfirmed
    note = f"runs={runs} x {count} msgs; ROUTER_MAX_UNCONFIRMED_PER_TEAM {limit}"
    figures: list[Figure] = []
    for case in cases:
        figures += _throughput_figures(case, services[case.name], relays[case.name], note)
    rate = median([t.rate for t in services[cases[0].name]]) / 2
    latencies = switchboard_latency(setup, rate, latency_seconds)
    floor = relay_latency(setup, sizes, rate, latency_seconds)
    out(
        f"latency at {rate:,.0f} msg/s (one team): p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p99 {percentile(latencies, 0.99):.0f} ms ({len(latencies):,} tickets); bare relays "
        f"p50 {percentile(floor, 0.5):.0f} ms, p99 {percentile(floor, 0.99):.0f} ms"
    )
    return figures + _latency_figures(rate, latencies, floor)


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 2) for name, value in values.items()}


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
    parser.add_argument(
        "--router-unconfirmed",
        type=int,
        default=None,
        help="ROUTER_MAX_UNCONFIRMED_PER_TEAM for the router (default: the router's default)",
    )
    args = parser.parse_args()
    with kafka(args.bootstrap) as bootstrap:
        setup = Setup(bootstrap, unconfirmed=args.router_unconfirmed)
        for figure in run(
            setup, count=args.count, runs=args.runs, latency_seconds=args.latency_seconds
        ):
            print(json.dumps(figure.as_dict()))


if __name__ == "__main__":
    main()
