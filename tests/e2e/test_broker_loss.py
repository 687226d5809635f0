"""A lost broker never leaves a service hanging silently: it retries while the broker is
away (the HTTP intake answers 503 meanwhile) and loses nothing it accepted when the
broker comes back in time, and otherwise exits with a clear error for its supervisor."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from plumbing.runtime import EXIT_KAFKA_UNAVAILABLE
from schemas.tickets import TICKET_EVENT, RoutingStalled, TicketAssigned, TicketOpened
from switchboard.launcher import Stack
from switchboard.ledger import Expectations, check, read_books
from tests.e2e.conftest import write_config
from tests.e2e.test_walking_skeleton import email
from tests.support.broker import LocalBroker, start_private_broker
from tests.support.kafka_io import read_until
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    broker = start_private_broker(tmp_path / "kafka")
    try:
        yield broker
    finally:
        broker.stop()


def stack_on(broker: LocalBroker, tmp_path: Path, exit_after: float) -> Stack:
    return Stack(
        env={
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "SWITCHBOARD_CONFIG": str(write_config(tmp_path / "sb.yaml", first_response="PT1H")),
            "KAFKA_UNAVAILABLE_EXIT_AFTER_SECONDS": str(exit_after),
        },
        log_dir=tmp_path / "logs",
    )


def test_services_exit_with_a_clear_error_when_the_broker_stays_away(
    private_broker: LocalBroker, tmp_path: Path
) -> None:
    stack = stack_on(private_broker, tmp_path, exit_after=6)
    stack.start()
    try:
        private_broker.kill()
        started = time.monotonic()
        codes = {name: service.wait_exit(timeout=60) for name, service in stack.services.items()}
        waited = time.monotonic() - started
    finally:
        stack.stop()
    assert codes == dict.fromkeys(stack.services, EXIT_KAFKA_UNAVAILABLE)
    assert waited < 45, f"services took {waited:.0f} s to give up"
    for service in stack.services.values():
        log = service.log_path.read_text()
        assert "Kafka unreachable; retrying" in log
        assert "Kafka unreachable for too long; exiting" in log


OUTAGE_SECONDS = 30


async def kafka_reachable(client: httpx.AsyncClient, url: str) -> bool:
    """What the service's watchdog last concluded (its readiness check says)."""
    checks: dict[str, bool] = (await client.get(f"{url}/health/ready")).json()["checks"]
    return checks["kafka_reachable"]


async def test_a_30_second_outage_loses_nothing_accepted_and_refuses_what_it_cannot_store(
    private_broker: LocalBroker, tmp_path: Path
) -> None:
    """The services retry through the outage (KAFKA_UNAVAILABLE_EXIT_AFTER_SECONDS is
    longer): HTTP intake answers 503 with Retry-After while the broker is away, and every
    message it accepted before is a ticket, routed, afterwards; the books balance."""
    stack = stack_on(private_broker, tmp_path, exit_after=120)
    stack.start()
    intake = f"{stack['ingest'].url}/v1/inbound/email"
    headers = {"content-type": "application/json"}
    accepted: list[str] = []
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            # Accepted (202) just before the broker goes: most are still in flight then.
            for n in range(20):
                message_id = f"<before-{n}-{uuid.uuid4().hex[:6]}@example.com>"
                response = await client.post(
                    intake,
                    content=email(message_id, f"c{n}@example.com", "Broken zip"),
                    headers=headers,
                )
                assert response.status_code == 202, response.text
                accepted.append(message_id)
            private_broker.stop()
            started = time.monotonic()
            await eventually(
                lambda: kafka_reachable(client, stack["ingest"].url),
                until=lambda reachable: reachable is False,
                timeout=OUTAGE_SECONDS - 5,
                interval=0.5,
                what="ingest's watchdog to notice the broker is gone",
            )
            refused = await client.post(
                intake, content=email("<during@example.com>", "d@example.com", "x"), headers=headers
            )
            assert refused.status_code == 503
            assert int(refused.headers["retry-after"]) > 0
            await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
            assert all(service.running for service in stack.services.values())
            private_broker.start()

        def progress(records: list[object]) -> tuple[set[str], set[str]]:
            """Accepted messages opened as tickets, and those the router decided on."""
            events = [TICKET_EVENT.validate_json(r.value) for r in records]  # type: ignore[attr-defined]
            opened = {
                e.ticket_id: e.source_message_id for e in events if isinstance(e, TicketOpened)
            }
            decided = {
                opened.get(e.ticket_id, "")
                for e in events
                if isinstance(e, TicketAssigned | RoutingStalled)
            }
            return set(opened.values()) & set(accepted), decided & set(accepted)

        records = await read_until(
            private_broker.bootstrap,
            ["tickets"],
            lambda rs: progress(rs)[1] == set(accepted),
            timeout=120,
            grace=2,
        )
        opened, decided = progress(records)
        assert opened == set(accepted), f"{len(opened)} of {len(accepted)} accepted became tickets"
        assert decided == set(accepted), f"the router decided on {len(decided)} of {len(accepted)}"
        # Each watchdog notices the return on its own 2 s beat, not when a ticket flows.
        for _ in range(30):
            if all(
                "Kafka reachable again" in s.log_path.read_text() for s in stack.services.values()
            ):
                break
            await asyncio.sleep(0.5)
        assert all(service.running for service in stack.services.values())
        books = await read_books(private_broker.bootstrap)
    finally:
        stack.stop()
    assert set(accepted) <= set(books.inbound)
    problems = check(books, Expectations(ended_at=datetime.now(UTC)))
    assert not problems, problems[:20]
    logs = {name: s.log_path.read_text() for name, s in stack.services.items()}
    assert all("Kafka reachable again" in log for log in logs.values()), {
        name: json.dumps(log[-500:]) for name, log in logs.items()
    }
