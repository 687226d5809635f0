"""End to end behind a standing backlog: does a stream that teams can take slow down while
thousands of tickets wait for a team that cannot take them?

The services run as processes on the broker, on ``bench.e2e``'s config (every team open
around the clock with room for everyone) except that the partner Istanbul has no agents
on shift, and no team widens its reach through relaxation rings. First a backlog of N
tickets is opened straight on ``tickets``: Turkish e-mails, which only Istanbul
handles, half of them urgent, all older than the stream, so they wait
(``ticket.routing_stalled``) for a team they share with the stream. The
router's pending-backlog gauge must show all N before anything is measured. Then the
stream: English e-mails through ``inbound.email`` (ingest, router, SLA), which
Tallinn, Warsaw and the partners take:

* throughput: a burst of ``--count`` e-mails, messages/s until the last
  ``ticket.assigned`` (``bench.e2e.burst``);
* latency at a steady rate (half the no-backlog throughput of the same run), from the
  inbound record's timestamp to its ``ticket.assigned`` record's (``latency_at_rate``).

Baseline in the same run: the same stream on fresh topics with no backlog (N = 0),
measured in rounds with the backlog cases (no backlog, 1,000, 10,000; again...) so that
a machine whose load drifts weighs on all of them alike; medians over the rounds. The
issue's bar: with 1,000 and 10,000 waiting, throughput and latency within 10% of the
baseline. Run: ``python -m bench.e2e_backlog [--backlog 1000,10000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import yaml
from aiokafka import AIOKafkaProducer

from bench.common import Figure, kafka, median, percentile
from bench.e2e import LOG_DIR, bench_config, burst, latency_at_rate, switchboard_finisher
from bench.sla_restore import delete_topics
from schemas.base import Channel, Priority
from schemas.customers import Customer
from schemas.tickets import TicketOpened
from switchboard.launcher import Stack

#: The only team that takes the backlog's tickets, given no agents.
BLOCKED_TEAM = "istanbul-contact"
WARM_UP = 200


def backlog_config() -> Path:
    config = yaml.safe_load(bench_config().read_text())
    for team in config["teams"]:
        if team["id"] == BLOCKED_TEAM:
            team["agents"] = 0
        # No relaxation rings: the backlog must stay with the blocked team (a ring would
        # let the Turkish tickets, 30 minutes old, go to an English team with a
        # translation, and the backlog would drain instead of standing).
        team.pop("rings", None)
    path = LOG_DIR / "e2e-backlog-config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def waiting_ticket(number: int, now: datetime) -> TicketOpened:
    """A Turkish e-mail only the blocked team handles; older than the stream, half urgent."""
    ticket_id = f"backlog-{uuid.uuid4().hex[:12]}"
    return TicketOpened(
        event_id=uuid.uuid4(),
        occurred_at=now,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        channel=Channel.EMAIL,
        source_message_id=f"m-{ticket_id}",
        customer=Customer(customer_key=f"k-{ticket_id}"),
        subject="Siparişim nerede?",
        text="Merhaba, siparisim bir haftadir gelmedi. Yardimci olur musunuz?",
        received_at=now - timedelta(minutes=30) + timedelta(milliseconds=number),
        language="tr",
        skill="orders_shipping",
        priority=Priority.URGENT if number % 2 else Priority.NORMAL,
    )


async def open_backlog(bootstrap: str, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        now = datetime.now(UTC)
        for number in range(count):
            ticket = waiting_ticket(number, now)
            await producer.send(topic, ticket.to_json_bytes(), key=ticket.ticket_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


def pending_gauge(router_url: str) -> float:
    for line in httpx.get(f"{router_url}/metrics", timeout=5).text.splitlines():
        if line.startswith("switchboard_router_pending_backlog "):
            return float(line.split()[1])
    return 0.0


def wait_for_backlog(router_url: str, count: int, patience: float) -> float:
    """Seconds until the router holds ``count`` waiting tickets."""
    started = time.monotonic()
    while pending_gauge(router_url) < count:
        if time.monotonic() - started > patience:
            raise RuntimeError(f"the router did not hold {count} waiting tickets in time")
        time.sleep(0.5)
    return time.monotonic() - started


@dataclass(frozen=True)
class Stream:
    backlog: int
    rate: float  # burst, messages/s
    latencies: list[float]  # ms, at the steady rate
    settle_s: float  # until the backlog was held


def _assigned(value: bytes) -> bool:
    return b'"ticket.assigned"' in value


def measure(
    bootstrap: str,
    backlog: int,
    *,
    count: int,
    rate: float | None,
    seconds: float,
    patience: float,
) -> Stream:
    """One stack on fresh topics: ``backlog`` waiting tickets, then the stream. ``rate``:
    the steady rate for latency (None: half this run's burst throughput)."""
    prefix = f"bench-bl-{uuid.uuid4().hex[:6]}."
    stack = Stack(
        env={
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SWITCHBOARD_TOPIC_PREFIX": prefix,
            "SWITCHBOARD_CONFIG": str(backlog_config()),
            "LOG_LEVEL": "WARNING",
        },
        log_dir=LOG_DIR / prefix.rstrip("."),
    )
    inbound, tickets = f"{prefix}inbound.email", f"{prefix}tickets"
    try:
        stack.start(timeout=min(patience, 300))
        settle = 0.0
        if backlog:
            asyncio.run(open_backlog(bootstrap, tickets, backlog))
            settle = wait_for_backlog(stack["router"].url, backlog, patience)
        asyncio.run(burst(bootstrap, inbound, tickets, WARM_UP, _assigned, patience=patience))
        measured = asyncio.run(
            burst(bootstrap, inbound, tickets, count, _assigned, patience=patience)
        )
        steady = rate if rate is not None else measured / 2
        latencies = asyncio.run(
            latency_at_rate(bootstrap, prefix, steady, seconds, switchboard_finisher())
        )
        if backlog and pending_gauge(stack["router"].url) < backlog:
            raise RuntimeError("the backlog shrank: the blocked team took tickets")
    finally:
        stack.stop()
        asyncio.run(delete_topics(bootstrap, prefix))
    return Stream(backlog, measured, latencies, settle)


def run(
    bootstrap: str,
    backlogs: Sequence[int],
    *,
    count: int = 2_000,
    runs: int = 1,
    seconds: float = 20,
    rate: float | None = None,
    patience: float = 900,
    warm_up: bool = False,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Rounds of: the stream with no backlog, then behind each backlog size, so that a
    machine whose load drifts weighs on every case alike. ``rate``: the steady rate for
    latency (None: half the first no-backlog throughput). ``warm_up``: one no-backlog
    stack first, not counted (on a broker started for the run, the first case met a
    JVM not yet warm: 319 msg/s against 623-683 in the later rounds)."""
    out(f"e2e behind a standing backlog ({bootstrap}), load average {os.getloadavg()[0]:.2f}")
    if warm_up:
        first = measure(bootstrap, 0, count=count, rate=rate, seconds=seconds, patience=patience)
        rate = rate if rate is not None else first.rate / 2
        out(f"  warm-up, not counted: {first.rate:,.1f} msg/s")
    cases: dict[int, list[Stream]] = {size: [] for size in (0, *backlogs)}
    for number in range(1, runs + 1):
        for size, streams in cases.items():
            stream = measure(
                bootstrap, size, count=count, rate=rate, seconds=seconds, patience=patience
            )
            rate = rate if rate is not None else stream.rate / 2
            streams.append(stream)
            out(
                f"  round {number}, {size:,} waiting (held after {stream.settle_s:.0f} s): "
                f"{stream.rate:,.1f} msg/s; at {rate:,.1f} msg/s p50 "
                f"{percentile(stream.latencies, 0.5):,.0f} ms, p99 "
                f"{percentile(stream.latencies, 0.99):,.0f} ms; load average "
                f"{os.getloadavg()[0]:.2f}"
            )
    assert rate is not None
    base_rate = median([s.rate for s in cases[0]])
    base_latency = [lat for s in cases[0] for lat in s.latencies]
    label = "the same stream with no backlog, same rounds"
    note = f"runs={runs} x {count} msgs; latency over {seconds:.0f} s at {rate:.1f} msg/s"
    figures: list[Figure] = []
    for size in backlogs:
        streams = cases[size]
        throughput = median([s.rate for s in streams])
        latency = [lat for s in streams for lat in s.latencies]
        figures += [
            Figure(
                "e2e_backlog",
                f"throughput behind {size:,} waiting",
                throughput,
                "msg/s",
                baseline=base_rate,
                baseline_label=label,
                target=">= 90% of baseline",
                met=throughput >= 0.9 * base_rate,
                note=note + f"; all runs {[round(s.rate, 1) for s in streams]} vs "
                f"{[round(s.rate, 1) for s in cases[0]]}",
            ),
            *(
                Figure(
                    "e2e_backlog",
                    f"latency p{round(share * 100)} behind {size:,} waiting",
                    percentile(latency, share),
                    "ms",
                    baseline=percentile(base_latency, share),
                    baseline_label=label,
                    target="<= 110% of baseline",
                    met=percentile(latency, share) <= 1.1 * percentile(base_latency, share)
                    and len(latency) >= int(rate * seconds) * runs,
                    note=f"{len(latency)} tickets, {len(base_latency)} without backlog",
                )
                for share in (0.5, 0.99)
            ),
        ]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", default="1000,10000", help="comma-separated sizes")
    parser.add_argument("--count", type=int, default=5_000, help="e-mails per burst")
    parser.add_argument("--runs", type=int, default=1, help="stacks per case (medians)")
    parser.add_argument("--seconds", type=float, default=20, help="latency measurement")
    parser.add_argument(
        "--rate", type=float, default=None, help="steady msg/s (default: half the first burst)"
    )
    args = parser.parse_args()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip() or None
    with kafka(bootstrap) as served:
        figures = run(
            served,
            [int(n) for n in args.backlog.split(",")],
            count=args.count,
            runs=args.runs,
            seconds=args.seconds,
            rate=args.rate,
            warm_up=bootstrap is None,  # a broker of its own, started just now
        )
    for figure in figures:
        print(figure.as_dict())


if __name__ == "__main__":
    main()
