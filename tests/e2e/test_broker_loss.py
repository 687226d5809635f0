"""A lost broker never leaves a service hanging silently: it reconnects when the broker
comes back in time, and otherwise exits with a clear error for its supervisor."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plumbing.runtime import EXIT_KAFKA_UNAVAILABLE
from schemas.tickets import TICKET_EVENT, TicketAssigned
from switchboard.launcher import Stack
from tests.e2e.conftest import write_config
from tests.e2e.test_walking_skeleton import email
from tests.support.broker import LocalBroker, start_private_broker
from tests.support.kafka_io import produce, read_until

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


async def test_services_carry_on_when_the_broker_comes_back_in_time(
    private_broker: LocalBroker, tmp_path: Path
) -> None:
    stack = stack_on(private_broker, tmp_path, exit_after=120)
    stack.start()
    try:
        private_broker.stop()
        await asyncio.sleep(8)
        private_broker.start()
        await produce(
            private_broker.bootstrap,
            "inbound.email",
            [(None, email("<after@example.com>", "after@example.com", "Broken zip"))],
        )

        def assigned(records: list[object]) -> bool:
            return any(
                isinstance(TICKET_EVENT.validate_json(r.value), TicketAssigned)  # type: ignore[attr-defined]
                for r in records
            )

        records = await read_until(
            private_broker.bootstrap, ["tickets"], assigned, timeout=90, grace=0
        )
        assert assigned(records), "no ticket was assigned after the broker came back"
        # Each watchdog notices the return on its own 2 s beat, not when a ticket flows.
        for _ in range(30):
            if all(
                "Kafka reachable again" in s.log_path.read_text() for s in stack.services.values()
            ):
                break
            await asyncio.sleep(0.5)
        assert all(service.running for service in stack.services.values())
    finally:
        stack.stop()
    logs = {name: s.log_path.read_text() for name, s in stack.services.items()}
    assert all("Kafka reachable again" in log for log in logs.values()), {
        name: json.dumps(log[-500:]) for name, log in logs.items()
    }
