"""The handlers with a real state store and no broker: bytes in, records out."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from plumbing.processor import DeadLetterError, Step
from plumbing.store import StateStore
from schemas.base import Channel, CustomerTier
from schemas.config import SwitchboardConfig
from schemas.ingest import INGEST_RECORD, TicketStatusChanged
from schemas.tickets import TICKET_EVENT, TicketOpened, TicketResolved
from services.ingest.domain.encoding import decode_link, decode_memory
from services.ingest.domain.enrich import Enricher
from services.ingest.domain.normalise import identity_key
from services.ingest.handlers import NormaliseHandler, ThreadHandler, TicketStatusHandler
from services.ingest.metrics import IngestMetrics
from tests.support.ingest import at, chat, email, encoded


@dataclass(frozen=True)
class Rec:
    topic: str
    value: bytes | None
    key: bytes | None = None
    partition: int = 0
    offset: int = 0


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def count(registry: CollectorRegistry, outcome: str, channel: str = "email") -> float:
    value = registry.get_sample_value(
        "switchboard_ingest_messages_total", {"channel": channel, "outcome": outcome}
    )
    return value or 0.0


def normalised(
    payload: dict[str, Any], registry: CollectorRegistry, channel: str = "email"
) -> bytes:
    handler = NormaliseHandler(
        channel_by_topic={f"inbound.{c.value}": c for c in Channel},
        messages_topic="ingest.messages",
        max_bytes=4096,
        languages=["en"],
        metrics=IngestMetrics(CollectorRegistry()),
    )
    step = Step[None](partition=0, store=StateStore(), now=at())
    handler(Rec(f"inbound.{channel}", encoded(payload)), step)
    assert len(step.outputs) == 1
    return step.outputs[0].value or b""


def test_normalise_rekeys_by_customer_and_refuses_bad_input_with_its_kind(
    registry: CollectorRegistry,
) -> None:
    handler = NormaliseHandler(
        channel_by_topic={"inbound.chat": Channel.CHAT},
        messages_topic="ingest.messages",
        max_bytes=4096,
        languages=["en"],
        metrics=IngestMetrics(registry),
    )
    step = Step[None](partition=0, store=StateStore(), now=at())
    handler(Rec("inbound.chat", encoded(chat()), key=b"whatever"), step)
    [output] = step.outputs
    assert (output.topic, output.key) == (
        "ingest.messages",
        identity_key("chat-visitor:v-1").encode(),
    )
    with pytest.raises(DeadLetterError) as refused:
        handler(Rec("inbound.chat", b"{no"), step)
    assert refused.value.kind == "invalid_json"
    assert count(registry, "rejected", "chat") == 1
    assert (
        registry.get_sample_value(
            "switchboard_ingest_rejected_total", {"channel": "chat", "reason": "invalid_json"}
        )
        == 1
    )


@pytest.fixture
def thread_handler(
    sample_config: SwitchboardConfig, enricher: Enricher, registry: CollectorRegistry
) -> ThreadHandler:
    return ThreadHandler(
        config=sample_config,
        enricher=enricher,
        tickets_topic="tickets",
        metrics=IngestMetrics(registry),
        configured_tiers={identity_key("email:vip@example.com"): CustomerTier.VIP},
        profile=lambda key: None,
    )


def test_thread_opens_dedups_and_counts(
    thread_handler: ThreadHandler, registry: CollectorRegistry
) -> None:
    store = StateStore[bytes]()
    record = normalised(email(sender="vip@example.com"), registry)
    for _ in range(2):
        step = Step[bytes](partition=0, store=store, now=at())
        thread_handler(Rec("ingest.messages", record), step)
        store.commit()
    events = [TICKET_EVENT.validate_json(o.value or b"") for o in step.outputs]
    assert events == []  # the second delivery
    assert count(registry, "accepted") == 1
    assert count(registry, "deduplicated") == 1
    stored = store.get(identity_key("email:vip@example.com"))
    assert stored is not None
    assert len(decode_memory(stored).threads) == 1


def test_thread_uses_the_configured_tier(
    thread_handler: ThreadHandler, registry: CollectorRegistry
) -> None:
    step = Step[bytes](partition=0, store=StateStore(), now=at())
    thread_handler(
        Rec("ingest.messages", normalised(email(sender="vip@example.com"), registry)), step
    )
    opened = TICKET_EVENT.validate_json(step.outputs[0].value or b"")
    assert isinstance(opened, TicketOpened)
    assert opened.customer.tier is CustomerTier.VIP
    assert opened.priority_reasons[0] == "vip customer (config) (+2)"
    assert step.outputs[0].key == opened.ticket_id.encode()


def test_thread_applies_status_records_without_counting_them_as_messages(
    thread_handler: ThreadHandler, registry: CollectorRegistry
) -> None:
    store = StateStore[bytes]()
    step = Step[bytes](partition=0, store=store, now=at())
    thread_handler(Rec("ingest.messages", normalised(email(), registry)), step)
    opened = TICKET_EVENT.validate_json(step.outputs[0].value or b"")
    status = TicketStatusChanged(
        event_id=uuid.uuid4(),
        occurred_at=at(60),
        correlation_id="c",
        customer_key=opened.customer.customer_key,  # type: ignore[union-attr]
        ticket_id=opened.ticket_id,
        status="resolved",
        changed_at=at(60),
        source_event_id="e",
    )
    thread_handler(Rec("ingest.messages", status.to_json_bytes()), step)
    stored = store.get(status.customer_key)
    assert stored is not None
    assert decode_memory(stored).threads[0].status == "resolved"
    assert count(registry, "accepted") == 1
    assert len(step.outputs) == 1


def test_thread_dead_letters_what_is_neither_message_nor_status(
    thread_handler: ThreadHandler,
) -> None:
    step = Step[bytes](partition=0, store=StateStore(), now=at())
    with pytest.raises(DeadLetterError) as refused:
        thread_handler(Rec("ingest.messages", json.dumps({"type": "other"}).encode()), step)
    assert refused.value.kind == "schema_violation"


def resolved(ticket_id: str) -> bytes:
    return TicketResolved(
        event_id=uuid.uuid4(),
        occurred_at=at(90),
        correlation_id="c",
        ticket_id=ticket_id,
        assignment_id=uuid.uuid4(),
        team_id="tallinn-care",
    ).to_json_bytes()


def test_ticket_status_joins_resolutions_onto_the_customer(
    thread_handler: ThreadHandler, registry: CollectorRegistry
) -> None:
    opening = Step[bytes](partition=0, store=StateStore(), now=at())
    thread_handler(Rec("ingest.messages", normalised(email(), registry)), opening)
    opened = opening.outputs[0].value or b""
    ticket_id = json.loads(opened)["ticket_id"]

    handler = TicketStatusHandler(messages_topic="ingest.messages")
    links = StateStore[bytes]()
    step = Step[bytes](partition=0, store=links, now=at())
    for value in (opened, b"not json", json.dumps({"type": "ticket.assigned"}).encode()):
        handler(Rec("tickets", value), step)
    assert step.outputs == []  # opened is remembered; the others are not ours
    handler(Rec("tickets", resolved(ticket_id)), step)
    handler(Rec("tickets", resolved("a-ticket-ingest-never-opened")), step)
    [output] = step.outputs
    change = INGEST_RECORD.validate_json(output.value or b"")
    assert isinstance(change, TicketStatusChanged)
    assert (change.ticket_id, change.status) == (ticket_id, "resolved")
    assert (
        output.key
        == change.customer_key.encode()
        == json.loads(opened)["customer"]["customer_key"].encode()
    )
    link = links.get(ticket_id)
    assert link is not None
    assert decode_link(link).status == "resolved"


def test_ticket_status_dead_letters_a_broken_resolution() -> None:
    handler = TicketStatusHandler(messages_topic="ingest.messages")
    step = Step[bytes](partition=0, store=StateStore(), now=at())
    with pytest.raises(DeadLetterError):
        handler(Rec("tickets", json.dumps({"type": "ticket.resolved"}).encode()), step)
