"""Three services as real processes on a real broker: an email becomes a ticket, is
assigned, and breaches its first-response deadline exactly once unless answered."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.base import derive_id
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import (
    TICKET_EVENT,
    FirstResponse,
    TicketAssigned,
    TicketOpened,
)
from services.sla.settings import SlaSettings
from switchboard.launcher import Stack
from tests.support.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]


def email(message_id: str, sender: str, subject: str) -> bytes:
    return json.dumps(
        {
            "message_id": message_id,
            "from": sender,
            "to": ["help@shop.example.com"],
            "subject": subject,
            "text": f"{subject}. Order 4711 was due on Monday.",
            "received_at": datetime.now(UTC).isoformat(),
            "in_reply_to": None,
        }
    ).encode()


def parsed(records: list[Any], adapter: Any) -> list[Any]:
    return [adapter.validate_json(r.value) for r in records]


async def test_unanswered_email_breaches_once_and_answered_one_never(
    stack: Stack, stack_env: dict[str, str]
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    prefix = stack_env["SWITCHBOARD_TOPIC_PREFIX"]
    unanswered = email("<late@example.com>", "late@example.com", "Where is my parcel")
    answered = email("<fast@example.com>", "fast@example.com", "Wrong size delivered")
    # The unanswered one arrives twice (a retrying connector): still one ticket.
    await produce(
        bootstrap,
        f"{prefix}inbound.email",
        [(None, unanswered), (None, answered), (None, unanswered)],
    )

    def assigned(records: list[Any]) -> list[TicketAssigned]:
        return [e for e in parsed(records, TICKET_EVENT) if isinstance(e, TicketAssigned)]

    tickets = await read_until(
        bootstrap, [f"{prefix}tickets"], lambda rs: len(assigned(rs)) >= 2, timeout=30
    )
    events = parsed(tickets, TICKET_EVENT)
    opened = {e.source_message_id: e for e in events if isinstance(e, TicketOpened)}
    assert sorted(opened) == ["<fast@example.com>", "<late@example.com>"]
    assignments = {e.ticket_id: e for e in assigned(tickets)}
    assert set(assignments) == {e.ticket_id for e in opened.values()}
    assert all(a.team_id and a.team_kind for a in assignments.values())

    fast = opened["<fast@example.com>"]
    response = FirstResponse(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        correlation_id=fast.correlation_id,
        ticket_id=fast.ticket_id,
        assignment_id=assignments[fast.ticket_id].assignment_id,
        team_id=assignments[fast.ticket_id].team_id,
    )
    await produce(
        bootstrap, f"{prefix}tickets", [(fast.ticket_id.encode(), response.to_json_bytes())]
    )

    late_id = opened["<late@example.com>"].ticket_id
    sla = await read_until(
        bootstrap,
        [f"{prefix}sla"],
        lambda rs: any(e.ticket_id == late_id for e in parsed(rs, SLA_EVENT)),
        timeout=40,
        grace=6,  # longer than one deadline: a second breach would show up here
    )
    breaches = [e for e in parsed(sla, SLA_EVENT) if isinstance(e, SlaBreached)]
    assert [(b.ticket_id, b.metric.value) for b in breaches] == [(late_id, "first_response")]
    breach = breaches[0]
    assert breach.team_id == assignments[late_id].team_id
    assert breach.team_kind == assignments[late_id].team_kind
    # Announced once every reply that could have beaten it was read: the writers' grace
    # after the deadline, never sooner. How late at most is a measurement
    # (bench/sla_lateness.py), printed, not asserted.
    grace = SlaSettings.model_fields["write_grace_seconds"].default
    lateness = (breach.occurred_at - breach.deadline).total_seconds()
    assert lateness >= grace
    print(f"breach lateness: {lateness:.2f} s")
    assert breach.event_id == derive_id("sla.breached", late_id, "first_response")
