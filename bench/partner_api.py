"""What a partner API request costs, and how long a write takes to be confirmed.

    python -m bench.partner_api [--tickets 20000] [--requests 500]
    python -m bench.partner_api --kafka 127.0.0.1:19092 [--writes 200]

In process (no Kafka): the real app (gate, routes, presenters, index) with a view of
``--tickets`` partner tickets (35 days of one partner's history, 100 live offers)
answers GET list, GET one, GET stats (7 days) and POST accept through httpx's ASGI
transport, one request at a time. Baseline, same run and transport: a bare FastAPI
route returning a list answer of the same size (what HTTP and JSON cost anyway).

With ``--kafka``: the partner API service on the broker (processors, mirrors, read
barrier). Offers are written to ``tickets``; each accept is timed from request to
answer, which includes the publish (acks=all), the view processor's transaction and
the mirror reading it back. Baseline: producing the same event with acks=all.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from bench.common import median, percentile
from plumbing.clock import ManualClock
from schemas.audit import PartnerAction
from schemas.base import Channel, derive_id
from schemas.config import SwitchboardConfig
from schemas.customers import Customer
from schemas.teams import TeamCapacity
from schemas.tickets import (
    Actor,
    FirstResponse,
    OfferAccepted,
    TicketAssigned,
    TicketEvent,
    TicketOpened,
    TicketResolved,
)
from services.router.partner_api.api import APP_OPTIONS, install_api, presenters
from services.router.partner_api.app import keep_for
from services.router.partner_api.codec import checked_record, decode_ticket, encode_ticket, served
from services.router.partner_api.context import Options, PartnerApi
from services.router.partner_api.domain.keys import key_hash
from services.router.partner_api.domain.view import PartnerTicket, apply_ticket_event
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics

REPO = Path(__file__).resolve().parents[1]
KEY = "sbp_bench_0000000000000000000000000000000000000000"
PARTNER = "nearshore-bpo"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def config() -> SwitchboardConfig:
    raw = yaml.safe_load((REPO / "deploy/config/switchboard.yaml").read_text())
    raw["partner_api"]["partners"][PARTNER]["keys"] = [{"id": "bench", "sha256": key_hash(KEY)}]
    raw["partner_api"]["partners"][PARTNER]["rate_limit"] = "100000/second"
    return SwitchboardConfig.model_validate(raw)


def opened(ticket_id: str, at: datetime) -> TicketOpened:
    return TicketOpened(
        event_id=derive_id("bench.opened", ticket_id),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        channel=Channel.EMAIL,
        source_message_id=f"m-{ticket_id}",
        customer=Customer(customer_key=f"k-{ticket_id}", name="Kadri", email="kadri@example.com"),
        subject="Where is my parcel?",
        text="Order 4711 has not arrived yet, it has been a week. " * 4,
        received_at=at,
        language="en",
        skill="orders_shipping",
        order_id="4711",
    )


def offered(ticket_id: str, at: datetime) -> TicketAssigned:
    return TicketAssigned(
        event_id=derive_id("bench.assigned", ticket_id),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        assignment_id=derive_id("assignment", ticket_id, "1"),
        attempt=1,
        team_id=PARTNER,
        team_kind="partner",
        mode="offer",
        offer_expires_at=at + timedelta(days=365),
        reason="bench",
        sla_budget_seconds=3600,
    )


def worked(ticket_id: str, at: datetime, resolved: bool) -> list[TicketEvent]:
    common: dict[str, Any] = {
        "correlation_id": f"c-{ticket_id}",
        "ticket_id": ticket_id,
        "assignment_id": derive_id("assignment", ticket_id, "1"),
        "team_id": PARTNER,
        "actor": Actor(kind="partner", id=PARTNER, key_id="bench"),
    }
    events: list[TicketEvent] = [
        OfferAccepted(event_id=uuid.uuid4(), occurred_at=at + timedelta(minutes=1), **common),
        FirstResponse(event_id=uuid.uuid4(), occurred_at=at + timedelta(minutes=9), **common),
    ]
    if resolved:
        events.append(
            TicketResolved(event_id=uuid.uuid4(), occurred_at=at + timedelta(minutes=25), **common)
        )
    return events


class Pipeline:
    """Writes applied at once through the pure view functions (Kafka left out)."""

    def __init__(self, index: ViewIndex, cfg: SwitchboardConfig, clock: ManualClock) -> None:
        self.index, self.keep, self.clock = index, keep_for(cfg), clock
        self.records: dict[str, PartnerTicket] = {}

    def feed(self, *events: TicketEvent) -> None:
        for event in events:
            current = self.records.get(event.ticket_id)
            updated = apply_ticket_event(current, event, self.clock.now(), self.keep)
            if updated is not None and updated is not current:
                self.records[event.ticket_id] = updated
                self.index.ticket_changed(event.ticket_id, served(encode_ticket(updated)))

    async def ticket_event(self, event: TicketEvent) -> None:
        self.feed(event)

    async def capacity(self, event: TeamCapacity) -> None:
        return None

    async def audit(self, event: PartnerAction) -> None:
        return None


@dataclass(frozen=True)
class MirrorMemory:
    """Bytes per partner ticket: held by the index after reading the changelog back, its
    peak while reading, the baseline (a dict of the bare ticket ids) and the changelog
    record."""

    held: float
    peak: float
    baseline: float
    record: float


def in_process_app(tickets: int) -> tuple[FastAPI, Pipeline, list[str], MirrorMemory]:
    cfg, clock = config(), ManualClock(NOW)
    pipeline = Pipeline(ViewIndex(), cfg, clock)
    for n in range(tickets):
        at = NOW - timedelta(days=35) + timedelta(seconds=n * 35 * 86400 / tickets)
        ticket_id = f"t-{n}"
        events: list[TicketEvent] = [opened(ticket_id, at), offered(ticket_id, at)]
        if n < tickets - 100:  # all but the last 100 were accepted, answered, resolved
            events += worked(ticket_id, at, resolved=n < tickets - 150)
        clock.set(at)
        pipeline.feed(*events)
    clock.set(NOW)
    # What an API instance holds: the changelog records read back by its mirror (keys
    # arrive as bytes, so each is a string of its own, as GlobalTable decodes it).
    changelog = [(key.encode(), encode_ticket(record)) for key, record in pipeline.records.items()]
    gc.collect()
    tracemalloc.start()
    bare = {key.decode(): None for key, _ in changelog}
    baseline_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del bare
    gc.collect()
    tracemalloc.start()
    index = ViewIndex()
    for key, data in changelog:
        index.ticket_changed(key.decode(), served(data))
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pipeline.index = index
    memory = MirrorMemory(
        held / tickets,
        peak / tickets,
        baseline_bytes / tickets,
        sum(len(data) for _, data in changelog) / tickets,
    )

    async def no_barrier() -> bool:
        return True

    api = PartnerApi(
        config=cfg,
        options=Options(),
        clock=clock,
        index=index,
        publisher=pipeline,
        metrics=PartnerApiMetrics(CollectorRegistry()),
        presenters=presenters(cfg, b"k" * 32, timedelta(seconds=2)),
        barrier=no_barrier,
        kafka_reachable=lambda: True,
    )
    app = FastAPI(**APP_OPTIONS)  # type: ignore[arg-type]
    install_api(app, api, max_body_bytes=16_384, auth_failure_limit="1000/second")
    live = [str(derive_id("assignment", f"t-{n}", "1")) for n in range(tickets - 100, tickets)]
    return app, pipeline, live, memory


async def timed(calls: int, request: Callable[[int], Awaitable[httpx.Response]]) -> list[float]:
    samples = []
    for n in range(calls):
        started = time.perf_counter()
        response = await request(n)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return samples


def line(label: str, samples: list[float], baseline: list[float] | None = None) -> str:
    p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
    text = f"{label:<38} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"
    if baseline:
        text += f"   (x{p50 / (percentile(baseline, 0.5) * 1000):.1f} the baseline's p50)"
    return text


def view_store_memory(pipeline: Pipeline, facts_only: int) -> dict[str, tuple[float, float, float]]:
    """Bytes per ticket in the view processor's store, by kind of record: (baseline of bare
    ids, a decoded PartnerTicket per ticket as the previous release kept, the changelog
    record as kept now). Facts-only records: tickets opened and never offered."""
    opened_only = {}
    for n in range(facts_only):
        at = NOW - timedelta(seconds=n)
        record = apply_ticket_event(None, opened(f"f-{n}", at), at, pipeline.keep)
        assert record is not None
        opened_only[f"f-{n}"] = record
    kinds = {"partner tickets": pipeline.records, "facts-only tickets": opened_only}
    result = {}
    for kind, records in kinds.items():
        log = [(key.encode(), encode_ticket(record)) for key, record in records.items()]
        result[kind] = _store_forms(log)
    return result


def _store_forms(log: list[tuple[bytes, bytes]]) -> tuple[float, float, float]:
    def held(build: Callable[[], object]) -> float:
        gc.collect()
        tracemalloc.start()
        kept = build()
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del kept
        return size / len(log)

    return (
        held(lambda: {key.decode(): None for key, _ in log}),
        held(lambda: {key.decode(): decode_ticket(data) for key, data in log}),
        # Each record read from Kafka is a bytes object of its own: copies, as restored.
        held(lambda: {key.decode(): checked_record(bytes(memoryview(d))) for key, d in log}),
    )


async def in_process(tickets: int, calls: int) -> None:
    app, pipeline, live, memory = in_process_app(tickets)
    headers = {"Authorization": f"Bearer {KEY}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b", headers=headers) as c:
        listing = (await c.get("/v1/assignments")).json()
        bare = FastAPI()
        bare.get("/list")(lambda: listing)
        bare_transport = httpx.ASGITransport(app=bare)
        async with httpx.AsyncClient(transport=bare_transport, base_url="http://b") as b:
            baseline = await timed(calls, lambda _: b.get("/list"))
        lists = await timed(calls, lambda _: c.get("/v1/assignments"))
        ones = await timed(calls, lambda n: c.get(f"/v1/assignments/{live[n % 100]}"))
        stats = await timed(min(calls, 50), lambda _: c.get("/v1/stats"))
        accepts = await timed(
            100,
            lambda n: c.post(
                f"/v1/assignments/{live[n]}/accept", headers={"Idempotency-Key": f"b{n}"}
            ),
        )
    print(f"in process: {tickets} partner tickets in the view, {calls} requests each\n")
    print(line("baseline: bare FastAPI, same list JSON", baseline))
    print(line("GET /v1/assignments (20 of 100 live)", lists, baseline))
    print(line("GET /v1/assignments/{id}", ones, baseline))
    print(line(f"GET /v1/stats (7 days of {tickets})", stats, baseline))
    print(line("POST accept (view applied in process)", accepts, baseline))
    print(
        f"\nmirror memory per partner ticket (tracemalloc, after reading the changelog back): "
        f"{memory.held:.0f} B held ({memory.held - memory.baseline:.0f} B over the baseline, "
        f"x{memory.held / memory.baseline:.1f}), peak {memory.peak:.0f} B; baseline: a dict "
        f"of the bare ticket ids {memory.baseline:.0f} B; changelog record {memory.record:.0f} B"
    )
    print("view processor's store per ticket (tracemalloc), over the same kind of baseline:")
    for kind, (ids, decoded, kept) in view_store_memory(pipeline, tickets).items():
        print(
            f"  {kind:<19} records {kept - ids:5.0f} B (now); decoded PartnerTicket "
            f"{decoded - ids:5.0f} B (before); baseline {ids:.0f} B"
        )


async def with_kafka(bootstrap: str, writes: int) -> None:
    from aiokafka import AIOKafkaProducer  # noqa: PLC0415 - only this mode needs it

    from services.router.partner_api.app import build  # noqa: PLC0415
    from services.router.partner_api.settings import PartnerApiSettings  # noqa: PLC0415

    prefix = f"bench{uuid.uuid4().hex[:8]}."
    path = Path(f"/tmp/{prefix}yaml")
    path.write_text(yaml.safe_dump(config().model_dump(mode="json")))  # noqa: ASYNC240
    settings = PartnerApiSettings.model_validate(
        {
            "kafka_bootstrap_servers": bootstrap,
            "topic_prefix": prefix,
            "config_path": path,
            "partner_api_pseudonym_key": "b" * 32,
        }
    )
    app, runtime = build(settings)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    async with runtime.lifespan(app):
        await producer.start()
        try:
            tickets = f"{prefix}tickets"
            now = datetime.now(UTC)
            for n in range(writes):
                for event in (opened(f"k-{n}", now), offered(f"k-{n}", now)):
                    await producer.send(
                        tickets, event.to_json_bytes(), key=event.ticket_id.encode()
                    )
            await producer.flush()
            headers = {"Authorization": f"Bearer {KEY}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://b", headers=headers
            ) as c:
                while len(  # noqa: ASYNC110 - polling the API as a partner would
                    (await c.get("/v1/assignments", params={"limit": 100})).json()["data"]
                ) < min(writes, 100):
                    await asyncio.sleep(0.1)
                baseline = []
                sample = offered("probe", now).to_json_bytes()
                for _ in range(writes):
                    started = time.perf_counter()
                    await producer.send_and_wait(f"{prefix}partner.audit", sample, key=b"probe")
                    baseline.append(time.perf_counter() - started)
                ids = [str(derive_id("assignment", f"k-{n}", "1")) for n in range(writes)]
                accepts = await timed(
                    writes,
                    lambda n: c.post(
                        f"/v1/assignments/{ids[n]}/accept", headers={"Idempotency-Key": f"k{n}"}
                    ),
                )
                reads = await timed(writes, lambda n: c.get(f"/v1/assignments/{ids[n]}"))
        finally:
            await producer.stop()
    print(f"on Kafka at {bootstrap}: {writes} accepts, one at a time\n")
    print(line("baseline: produce one event, acks=all", baseline))
    print(line("POST accept, confirmed by the view", accepts, baseline))
    print(line("GET one (read barrier: 2 ListOffsets)", reads, baseline))
    overhead = (median(accepts) - median(baseline)) * 1000
    print(f"\nmedian confirmation overhead over the produce: {overhead:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--kafka", help="bootstrap servers: measure the write path on a broker")
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    if args.kafka:
        asyncio.run(with_kafka(args.kafka, args.writes))
    else:
        asyncio.run(in_process(args.tickets, args.requests))


if __name__ == "__main__":
    main()


__all__: list[Any] = []
