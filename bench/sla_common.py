"""Open tickets for the SLA benchmarks: realistic packed clock records, made fast.

One ticket is opened through the real domain (policy, calendar, clocks), then copies
vary the ids and instants, so a million records take seconds instead of minutes.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from schemas.base import TeamKind
from schemas.config import load_config
from schemas.customers import Customer
from schemas.tickets import TicketOpened
from services.sla.domain import encoding
from services.sla.domain.clocks import SlaRules, TicketClocks
from services.sla.domain.lifecycle import open_ticket

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "config" / "switchboard.yaml"


@cache
def rules() -> SlaRules:
    return SlaRules.from_config(load_config(CONFIG).sla)


def template(received: datetime) -> TicketClocks:
    opened = TicketOpened(
        event_id=uuid.uuid4(),
        occurred_at=received,
        correlation_id=str(uuid.uuid4()),
        ticket_id=str(uuid.uuid4()),
        channel="email",
        source_message_id="<template@example.com>",
        customer=Customer(customer_key="c"),
        text="Where is my parcel?",
        received_at=received,
        language="en",
        skill="orders_shipping",
    )
    clocks = open_ticket(rules(), opened)
    return replace(clocks, team_id="tallinn-care", team_kind=TeamKind.IN_HOUSE, in_queue=True)


def tickets(
    count: int, first_deadline_ms: int, spread_ms: int, *, warned: bool = False
) -> Iterator[tuple[str, bytes]]:
    """``count`` open tickets (id, packed clocks) whose first-response deadlines are
    spread evenly over ``spread_ms`` from ``first_deadline_ms``; ``warned``: their
    at-risk warning is out already (it came 48 minutes before the deadline)."""
    base = template(datetime.now(UTC))
    first, resolution = base.first_response, base.resolution
    risk_lead = first.deadline_ms - first.at_risk_ms
    resolution_risk = resolution.deadline_ms - resolution.at_risk_ms
    for n in range(count):
        deadline = first_deadline_ms + (spread_ms * n) // max(1, count)
        started = deadline - first.budget_ms
        clocks = replace(
            base,
            ticket_id=str(uuid.uuid4()),
            correlation_id=str(uuid.uuid4()),
            first_response=replace(
                first,
                started_ms=started,
                deadline_ms=deadline,
                at_risk_ms=0 if warned else deadline - risk_lead,
                warned=warned,
            ),
            resolution=replace(
                resolution,
                started_ms=started,
                deadline_ms=started + resolution.budget_ms,
                at_risk_ms=started + resolution.budget_ms - resolution_risk,
            ),
        )
        yield clocks.ticket_id, encoding.encode(clocks)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
