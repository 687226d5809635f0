"""SLA service processes on a real broker, fed ticket events directly."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.base import Channel, TeamKind
from schemas.customers import Customer
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import FirstResponse, TicketAssigned, TicketOpened
from switchboard.launcher import ServiceProcess, free_port
from tests.e2e.conftest import write_config
from tests.support.kafka_io import produce, read_until

#: Every ticket's first-response target in these tests (calendar hours).
TARGET = timedelta(seconds=10)


def sla_process(env: dict[str, str], log_dir: Path, name: str = "sla") -> ServiceProcess:
    return ServiceProcess(
        name="sla",
        env=env,
        http_port=free_port(),
        log_path=log_dir / f"{name}.log",
    )


def sla_env(bootstrap: str, prefix: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": prefix,
        "SWITCHBOARD_CONFIG": str(write_config(tmp_path / "sla.yaml", first_response="PT10S")),
        **extra,
    }


class Desk:
    """Opens and answers tickets on ``<prefix>tickets`` the way ingest and agents do."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.bootstrap = bootstrap
        self.topic = f"{prefix}tickets"
        self.sla_topic = f"{prefix}sla"
        self.assignments: dict[str, uuid.UUID] = {}

    async def open(self, deadlines: dict[str, datetime]) -> None:
        """Open one ticket per id, received so that its first response is due then."""
        records = []
        for ticket_id, deadline in deadlines.items():
            received = deadline - TARGET
            opened = TicketOpened(
                event_id=uuid.uuid4(),
                occurred_at=received,
                correlation_id=f"c-{ticket_id}",
                ticket_id=ticket_id,
                channel=Channel.EMAIL,
                source_message_id=f"<{ticket_id}@example.com>",
                customer=Customer(customer_key=f"k-{ticket_id}"),
                text="Where is my parcel?",
                received_at=received,
                language="en",
                skill="orders_shipping",
            )
            self.assignments[ticket_id] = uuid.uuid4()
            assigned = TicketAssigned(
                event_id=uuid.uuid4(),
                occurred_at=received,
                correlation_id=f"c-{ticket_id}",
                ticket_id=ticket_id,
                assignment_id=self.assignments[ticket_id],
                attempt=1,
                team_id="tallinn-care",
                team_kind=TeamKind.IN_HOUSE,
                mode="queue",
                reason="test",
            )
            key = ticket_id.encode()
            records += [(key, opened.to_json_bytes()), (key, assigned.to_json_bytes())]
        await produce(self.bootstrap, self.topic, records)

    async def answer(self, answers: dict[str, datetime]) -> None:
        """First responses sent at the given (event) times."""
        records = []
        for ticket_id, at in answers.items():
            response = FirstResponse(
                event_id=uuid.uuid4(),
                occurred_at=at,
                correlation_id=f"c-{ticket_id}",
                ticket_id=ticket_id,
                assignment_id=self.assignments[ticket_id],
                team_id="tallinn-care",
            )
            records.append((ticket_id.encode(), response.to_json_bytes()))
        await produce(self.bootstrap, self.topic, records)

    async def breaches(self, expected: int, *, timeout: float, grace: float) -> list[SlaBreached]:
        def breaches(records: list[Any]) -> list[SlaBreached]:
            events = [SLA_EVENT.validate_json(r.value) for r in records]
            return [e for e in events if isinstance(e, SlaBreached)]

        records = await read_until(
            self.bootstrap,
            [self.sla_topic],
            lambda rs: len(breaches(rs)) >= expected,
            timeout=timeout,
            grace=grace,
        )
        return breaches(records)


def now() -> datetime:
    return datetime.now(UTC)


def ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{uuid.uuid4().hex[:12]}" for _ in range(count)]


def breached_once(breaches: list[SlaBreached]) -> Counter[str]:
    return Counter(b.ticket_id for b in breaches if b.metric.value == "first_response")
