"""The public event contract: fields integrators rely on, unions, exported schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from schemas import topics
from schemas.base import Channel, TeamKind, derive_id
from schemas.customers import Customer
from schemas.export import render, stale_files
from schemas.inbound import EmailPayload
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import TICKET_EVENT, TicketAssigned, TicketOpened

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def opened(**overrides: object) -> TicketOpened:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "occurred_at": NOW,
        "correlation_id": "c-1",
        "ticket_id": "t-1",
        "channel": Channel.EMAIL,
        "source_message_id": "<m1@example.com>",
        "customer": Customer(customer_key="c_1"),
        "text": "Where is my parcel?",
        "received_at": NOW,
        "language": "en",
        "skill": "orders_shipping",
    }
    fields.update(overrides)
    return TicketOpened.model_validate(fields)


def test_committed_json_schemas_match_the_models() -> None:
    stale = stale_files()
    assert not stale, f"run `python -m schemas.export`; stale: {stale}"


def test_every_event_schema_has_the_common_fields() -> None:
    files = render()
    for name, content in files.items():
        if name.startswith(("topic.", "inbound.", "switchboard-config")):
            continue
        for required in ("event_id", "occurred_at", "schema_version", "correlation_id", "type"):
            assert f'"{required}"' in content, f"{name} lacks {required}"


@pytest.mark.parametrize(
    "type_name",
    ["ticket.opened", "ticket.assigned", "ticket.first_response", "ticket.resolved"],
)
def test_ticket_types_the_contract_promises_exist(type_name: str) -> None:
    assert f"{type_name}.json" in render()


def test_email_payload_carries_the_promised_fields() -> None:
    payload = EmailPayload.model_validate(
        {
            "message_id": "<m1@example.com>",
            "from": "anna@example.com",
            "to": ["help@shop.example.com"],
            "subject": "Parcel",
            "text": "Where is it?",
            "received_at": "2026-11-27T09:30:00+02:00",
            "in_reply_to": None,
        }
    )
    assert payload.from_ == "anna@example.com"
    assert payload.received_at == datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    assert payload.model_dump(by_alias=True)["from"] == "anna@example.com"


def test_occurred_at_is_normalised_to_utc_and_serialised_rfc3339() -> None:
    event = opened(occurred_at=datetime(2026, 11, 27, 11, 30, tzinfo=timezone(timedelta(hours=2))))
    assert event.occurred_at == NOW
    assert '"occurred_at":"2026-11-27T09:30:00Z"' in event.model_dump_json()


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        opened(occurred_at=datetime(2026, 11, 27, 9, 30))


def test_ticket_union_round_trips_each_type_by_its_type_field() -> None:
    assigned = TicketAssigned(
        event_id=uuid.uuid4(),
        occurred_at=NOW,
        correlation_id="c-1",
        ticket_id="t-1",
        assignment_id=uuid.uuid4(),
        attempt=1,
        team_id="tallinn-care",
        team_kind=TeamKind.IN_HOUSE,
        mode="queue",
        reason="skill match",
    )
    for event in (opened(), assigned):
        assert TICKET_EVENT.validate_json(event.to_json_bytes()) == event


def test_unknown_event_types_are_refused_and_added_fields_tolerated() -> None:
    with pytest.raises(ValidationError):
        TICKET_EVENT.validate_json(b'{"type": "ticket.teleported"}')
    data = opened().model_dump(mode="json")
    data["added_in_a_later_version"] = 1
    assert TICKET_EVENT.validate_python(data) == opened(event_id=data["event_id"], ticket_id="t-1")


def test_breach_event_names_ticket_metric_deadline_and_team() -> None:
    breach = SLA_EVENT.validate_python(
        {
            "type": "sla.breached",
            "event_id": str(uuid.uuid4()),
            "occurred_at": "2026-11-27T10:00:00Z",
            "correlation_id": "c-1",
            "ticket_id": "t-1",
            "metric": "first_response",
            "deadline": "2026-11-27T10:00:00Z",
            "budget_seconds": 1800,
            "policy_id": "default",
            "channel": "email",
            "priority": "normal",
            "team_id": "tallinn-care",
            "team_kind": "in_house",
        }
    )
    assert isinstance(breach, SlaBreached)
    assert breach.team_kind is TeamKind.IN_HOUSE


def test_derived_ids_are_stable_and_distinct() -> None:
    assert derive_id("ticket", "email:<m1>") == derive_id("ticket", "email:<m1>")
    assert derive_id("ticket", "email:<m1>") != derive_id("ticket", "email:<m2>")


def test_topic_names_are_defined_once_with_matching_changelog_partitions() -> None:
    names = [spec.name for spec in topics.all_topics(["tallinn-care"])]
    assert len(names) == len(set(names))
    assert {f"inbound.{channel.value}" for channel in Channel} <= set(names)
    assert "queue.tallinn-care" in names
    for changelog, source in (
        (topics.ROUTER_CHANGELOG, topics.TICKETS),
        (topics.SLA_CHANGELOG, topics.TICKETS),
        (topics.INGEST_CUSTOMERS_CHANGELOG, topics.INGEST_MESSAGES),
    ):
        assert changelog.compacted
        assert changelog.partitions == source.partitions


def test_queue_topic_names_refuse_unsafe_team_ids() -> None:
    with pytest.raises(ValueError, match="team id"):
        topics.queue_name("../etc")
