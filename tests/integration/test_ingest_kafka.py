"""Ingest on a real broker: duplicates, follow-ups, reopen, repeat contacts, tiers from the
customers topic, and every kind of bad input, over Kafka (dead-letter topic) and HTTP (4xx).

One ingest instance runs for the module (its start-up is the slow part); each test
uses customers and message ids of its own, so tests do not see each other's tickets.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from plumbing.kafka import ensure_topics
from plumbing.runtime import ServiceRuntime
from schemas.base import CustomerTier, Priority, derive_id
from schemas.customers import CustomerProfile
from schemas.dlq import DeadLetter
from schemas.ingest import INGEST_RECORD, TicketStatusChanged
from schemas.tickets import (
    TICKET_EVENT,
    MessageAdded,
    PriorityChanged,
    TicketEvent,
    TicketOpened,
    TicketRated,
    TicketReopened,
    TicketResolved,
)
from services.ingest.app import build
from services.ingest.domain.normalise import identity_key
from services.ingest.settings import IngestSettings
from tests.conftest import SAMPLE_CONFIG
from tests.support.ingest import at, chat, email, encoded, marketplace, phone
from tests.support.kafka_io import produce, read_until
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="module")]

MAX_BYTES = 8 * 1024
VIP_EMAIL = "crm-vip@example.com"


@dataclass
class Ingest:
    bootstrap: str
    prefix: str
    runtime: ServiceRuntime
    http: httpx.AsyncClient

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    async def send(self, channel: str, *payloads: dict[str, Any] | bytes) -> None:
        records = [(None, p if isinstance(p, bytes) else encoded(p)) for p in payloads]
        await produce(self.bootstrap, self.topic(f"inbound.{channel}"), records)

    async def tickets(
        self, done: Callable[[list[TicketEvent]], bool], grace: float = 1.5
    ) -> list[TicketEvent]:
        def parsed(records: list[Any]) -> list[TicketEvent]:
            return [TICKET_EVENT.validate_json(r.value) for r in records]

        records = await read_until(
            self.bootstrap, [self.topic("tickets")], lambda rs: done(parsed(rs)), grace=grace
        )
        return parsed(records)

    def counter(self, name: str, **labels: str) -> float:
        return self.runtime.registry.get_sample_value(name, labels) or 0.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ingest(kafka_bootstrap: str) -> AsyncIterator[Ingest]:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    settings = IngestSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=prefix,
        config_path=SAMPLE_CONFIG,
        max_message_bytes=MAX_BYTES,
        # The samples are dated around Black Friday 2026 (days after some runs of this
        # suite); they are not the clock-skew test (tests/integration/hostile).
        max_clock_skew=timedelta(days=365),
    )
    app, runtime = build(settings)
    # A customer the CRM knows as VIP, there before ingest starts (the table catches up).
    await ensure_topics(settings, runtime.topics)
    profile = CustomerProfile(
        event_id=uuid.uuid4(),
        occurred_at=at(),
        correlation_id="crm",
        customer_key=identity_key(f"email:{VIP_EMAIL}"),
        tier=CustomerTier.VIP,
    )
    await produce(
        kafka_bootstrap,
        f"{prefix}customers",
        [(profile.customer_key.encode(), profile.to_json_bytes())],
    )
    async with runtime.lifespan(FastAPI()):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
            yield Ingest(kafka_bootstrap, prefix, runtime, http)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def of_type(events: list[TicketEvent], kind: type, **match: Any) -> list[Any]:
    return [
        e
        for e in events
        if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items())
    ]


async def test_a_message_delivered_three_times_opens_one_ticket(ingest: Ingest) -> None:
    sender = f"{unique('dup')}@example.com"
    mail = email(f"<{unique('m')}@x>", sender)
    before = ingest.counter(
        "switchboard_ingest_messages_total", channel="email", outcome="deduplicated"
    )
    await ingest.send("email", mail, mail)  # a retrying connector
    response = await ingest.http.post(
        "/v1/inbound/email", content=encoded(mail), headers={"content-type": "application/json"}
    )
    assert response.status_code == 202  # the HTTP intake stores it; ingest de-duplicates

    # The Kafka copies are unkeyed (any partition): each may reach the threader after
    # the ticket was opened. Wait until both duplicates were seen, then read what came.
    after = await eventually(
        lambda: ingest.counter(
            "switchboard_ingest_messages_total", channel="email", outcome="deduplicated"
        ),
        until=lambda count: count - before >= 2,
        what="both duplicates processed",
    )
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=mail["message_id"])),
        grace=3,
    )
    assert len(of_type(events, TicketOpened, source_message_id=mail["message_id"])) == 1
    assert not of_type(events, MessageAdded, source_message_id=mail["message_id"])
    assert after - before == 2


async def test_follow_ups_join_the_open_ticket_on_every_channel(ingest: Ingest) -> None:
    first, reply = f"<{unique('a')}@x>", f"<{unique('b')}@x>"
    sender = f"{unique('f')}@example.com"
    visitor, conversation = unique("v"), unique("conv")
    buyer, order = unique("buyer"), unique("ORD")
    conversations = [
        (
            "email",
            email(first, sender),
            email(reply, sender, in_reply_to=first, text="Any news?", received_at=at(30)),
        ),
        (
            "chat",
            chat(unique("c"), conversation, visitor_id=visitor),
            chat(unique("c"), conversation, visitor_id=visitor, text="hello?", sent_at=at(5)),
        ),
        (
            "marketplace",
            marketplace(unique("mp"), order, buyer_id=buyer),
            marketplace(unique("mp"), order, buyer_id=buyer, text="??", sent_at=at(9)),
        ),
    ]
    for channel, opening, follow_up in conversations:
        # Unkeyed, as some connectors write: the two may reach ingest in either order.
        await ingest.send(channel, opening, follow_up)

    def source_id(channel: str, payload: dict[str, Any]) -> str:
        prefix = f"{payload['marketplace']}:" if channel == "marketplace" else ""
        return f"{prefix}{payload['message_id']}"

    pairs = [(source_id(c, a), source_id(c, b)) for c, a, b in conversations]

    def sources(es: list[TicketEvent], kind: type) -> dict[str, str]:
        return {e.source_message_id: e.ticket_id for e in of_type(es, kind)}

    def threaded(es: list[TicketEvent]) -> bool:
        known = {**sources(es, TicketOpened), **sources(es, MessageAdded)}
        return all(a in known and b in known for a, b in pairs)

    events = await ingest.tickets(threaded)
    opened, added = sources(events, TicketOpened), sources(events, MessageAdded)
    for a, b in pairs:
        # One ticket per conversation: whichever came first opened it, the other joined.
        assert (a in opened) != (b in opened), (a, b)
        assert {**opened, **added}[a] == {**opened, **added}[b]
        assert not of_type(events, MessageAdded, source_message_id=a, repeat_contact=True)


async def test_a_reply_reopens_a_resolved_ticket_within_the_window_only(ingest: Ingest) -> None:
    sender = f"{unique('r')}@example.com"
    first = f"<{unique('a')}@x>"
    await ingest.send("email", email(first, sender, received_at=at()))
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=first))
    )
    ticket_id = of_type(events, TicketOpened, source_message_id=first)[0].ticket_id

    async def resolve(when_minutes: float) -> None:
        resolved = TicketResolved(
            event_id=uuid.uuid4(),
            occurred_at=at(when_minutes),
            correlation_id="agent",
            ticket_id=ticket_id,
            assignment_id=derive_id("assignment", ticket_id, "1"),
            team_id="tallinn-care",
        )
        await produce(
            ingest.bootstrap,
            ingest.topic("tickets"),
            [(ticket_id.encode(), resolved.to_json_bytes())],
        )

        def joined(records: list[Any]) -> bool:
            statuses = [INGEST_RECORD.validate_json(r.value) for r in records]
            return any(
                isinstance(s, TicketStatusChanged)
                and s.ticket_id == ticket_id
                and s.changed_at == at(when_minutes)
                for s in statuses
            )

        # The join reached the threader's input, keyed by the customer.
        await read_until(ingest.bootstrap, [ingest.topic("ingest.messages")], joined, grace=0.5)

    await resolve(60)
    second = f"<{unique('b')}@x>"
    await ingest.send(
        "email", email(second, sender, in_reply_to=first, text="Still broken", received_at=at(120))
    )
    events = await ingest.tickets(lambda es: bool(of_type(es, TicketReopened, ticket_id=ticket_id)))
    [reopened] = of_type(events, TicketReopened, ticket_id=ticket_id)
    assert reopened.source_message_id == second

    await resolve(180)
    late = f"<{unique('c')}@x>"
    after_window = at(180) + timedelta(days=7, minutes=1)
    await ingest.send(
        "email", email(late, sender, in_reply_to=second, text="Again", received_at=after_window)
    )
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=late))
    )
    assert of_type(events, TicketOpened, source_message_id=late)[0].ticket_id != ticket_id
    assert len(of_type(events, TicketReopened, ticket_id=ticket_id)) == 1


async def test_a_second_call_about_the_same_order_raises_the_priority(ingest: Ingest) -> None:
    caller, order = f"+3725{uuid.uuid4().int % 10**7:07d}", unique("ORD")
    await ingest.send("phone", phone(unique("call"), caller, order_id=order))
    await ingest.send("phone", phone(unique("call"), caller, order_id=order, started_at=at(20)))

    def this_order(es: list[TicketEvent]) -> list[str]:
        return [e.ticket_id for e in of_type(es, TicketOpened) if e.order_id == order]

    # This order's ticket, its priority change and the repeat contact (the module's
    # other tests write to the same topic: any ticket's events would not do).
    events = await ingest.tickets(
        lambda es: any(
            of_type(es, PriorityChanged, ticket_id=ticket)
            and of_type(es, MessageAdded, ticket_id=ticket, repeat_contact=True)
            for ticket in this_order(es)
        )
    )
    [opened] = [e for e in of_type(events, TicketOpened) if e.order_id == order]
    assert opened.priority is Priority.NORMAL
    assert opened.needs == ["voice"]
    [changed] = of_type(events, PriorityChanged, ticket_id=opened.ticket_id)
    assert changed.priority is Priority.HIGH
    assert any("repeat contact about order" in reason for reason in changed.reasons)


async def test_the_customers_topic_makes_a_vip(ingest: Ingest) -> None:
    mail = email(f"<{unique('vip')}@x>", VIP_EMAIL)
    await ingest.send("email", mail)
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=mail["message_id"]))
    )
    [opened] = of_type(events, TicketOpened, source_message_id=mail["message_id"])
    assert opened.customer.tier is CustomerTier.VIP
    assert opened.priority is Priority.HIGH
    assert opened.priority_reasons[0] == "vip customer (customers topic) (+2)"


BAD_KAFKA_INPUT = [
    ("chat", b"", "empty"),
    ("chat", b"{" + b" " * MAX_BYTES + b"}", "oversize"),
    ("email", b"\xff\xfe\x00broken", "undecodable_bytes"),
    ("phone", b"{this is not json", "invalid_json"),
    ("marketplace", encoded({"text": "no ids"}), "schema_violation"),
    (
        "social",
        encoded({"platform": "x", "handle": "a", "kind": "dm", "text": "x"}),
        "schema_violation",
    ),
    ("chat", encoded({**chat(), "customer": {"name": "nobody"}}), "missing_customer_identity"),
    ("phone", encoded(phone(caller_id="unknown")), "missing_customer_identity"),
]


async def test_bad_input_is_dead_lettered_with_its_bytes_and_the_stream_goes_on(
    ingest: Ingest,
) -> None:
    for channel, raw, _ in BAD_KAFKA_INPUT:
        await ingest.send(channel, raw)
    good = chat(unique("after-bad"), unique("conv"), visitor_id=unique("v"))
    await ingest.send("chat", good)

    channels = sorted({channel for channel, _, _ in BAD_KAFKA_INPUT})
    letters = await read_until(
        ingest.bootstrap,
        [ingest.topic(f"inbound.{c}.dlq") for c in channels],
        lambda rs: len(rs) >= len(BAD_KAFKA_INPUT),
        grace=1,
    )
    dead = [DeadLetter.model_validate_json(r.value) for r in letters]
    expected = sorted((ingest.topic(f"inbound.{c}"), raw, kind) for c, raw, kind in BAD_KAFKA_INPUT)
    got = sorted((d.source_topic, d.original_value() or b"", d.error_kind) for d in dead)
    assert got == expected
    assert all(d.error and d.service == "ingest" for d in dead)
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=good["message_id"]))
    )
    assert of_type(events, TicketOpened, source_message_id=good["message_id"])
    for channel, _, kind in BAD_KAFKA_INPUT:
        assert ingest.counter("switchboard_ingest_rejected_total", channel=channel, reason=kind)


BAD_HTTP_INPUT = [
    ("fax", encoded(chat()), "application/json", 404, "unknown_channel"),
    ("chat", encoded(chat()), "text/plain", 415, "unsupported_media_type"),
    ("chat", b"", "application/json", 400, "empty"),
    ("chat", b"\xff\xfe", "application/json", 400, "undecodable_bytes"),
    ("chat", b"{nope", "application/json", 400, "invalid_json"),
    ("chat", b"{" + b" " * MAX_BYTES + b"}", "application/json", 413, "oversize"),
    ("email", encoded({"message_id": "x"}), "application/json", 422, "schema_violation"),
    (
        "chat",
        encoded({**chat(), "customer": {}}),
        "application/json",
        422,
        "missing_customer_identity",
    ),
]


async def test_http_refuses_bad_input_with_4xx_and_stores_good_input_in_kafka(
    ingest: Ingest,
) -> None:
    for channel, body, content_type, status, kind in BAD_HTTP_INPUT:
        response = await ingest.http.post(
            f"/v1/inbound/{channel}", content=body, headers={"content-type": content_type}
        )
        assert (response.status_code, response.json()["error"]) == (status, kind)
        assert response.json()["detail"]
    good = chat(unique("http"), unique("conv"), visitor_id=unique("v"))
    response = await ingest.http.post(
        "/v1/inbound/chat", content=encoded(good), headers={"content-type": "application/json"}
    )
    assert response.status_code == 202
    assert response.json()["message_id"] == good["message_id"]

    stored = await read_until(
        ingest.bootstrap,
        [ingest.topic("inbound.chat")],
        lambda rs: any(r.value == encoded(good) for r in rs),
        grace=0.5,
    )
    [record] = [r for r in stored if r.value == encoded(good)]
    assert record.key == identity_key(f"chat-visitor:{good['customer']['visitor_id']}").encode()
    refused = {encoded(chat()), b"\xff\xfe", b"{nope"}
    assert not [r for r in stored if r.value in refused], "a refused request reached Kafka"
    events = await ingest.tickets(
        lambda es: bool(of_type(es, TicketOpened, source_message_id=good["message_id"]))
    )
    assert of_type(events, TicketOpened, source_message_id=good["message_id"])


async def test_control_characters_never_reach_the_tickets(ingest: Ingest) -> None:
    """Over HTTP and over Kafka: stored as sent, opened without NUL, C0 and C1."""
    before = ingest.counter("switchboard_ingest_control_characters_total", channel="chat")
    over_http = chat(unique("nul"), unique("conv"), visitor_id=unique("v"), text="a\u0000b")
    response = await ingest.http.post(
        "/v1/inbound/chat", content=encoded(over_http), headers={"content-type": "application/json"}
    )
    assert response.status_code == 202
    over_kafka = chat(unique("c1"), unique("conv"), visitor_id=unique("v"), text="x\u009by\u0007")
    await ingest.send("chat", over_kafka)
    ids = {over_http["message_id"]: "ab", over_kafka["message_id"]: "xy"}
    events = await ingest.tickets(
        lambda es: all(of_type(es, TicketOpened, source_message_id=m) for m in ids)
    )
    for message_id, text in ids.items():
        [opened] = of_type(events, TicketOpened, source_message_id=message_id)
        assert opened.text == text
    after = ingest.counter("switchboard_ingest_control_characters_total", channel="chat")
    assert after - before == 3


async def test_http_answers_503_while_kafka_is_unreachable(ingest: Ingest) -> None:
    readiness = ingest.runtime._readiness  # what the watchdog sets when the broker is gone
    readiness.kafka_reachable = False
    try:
        response = await ingest.http.post(
            "/v1/inbound/chat",
            content=encoded(chat()),
            headers={"content-type": "application/json"},
        )
    finally:
        readiness.kafka_reachable = True
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0


async def test_metrics_are_served(ingest: Ingest) -> None:
    metrics = (await ingest.http.get("/metrics")).text
    assert 'switchboard_ingest_messages_total{channel="email",outcome="accepted"}' in metrics
    assert "switchboard_ingest_rejected_total" in metrics


async def test_a_repeat_contact_about_a_resolved_ticket_names_who_resolved_it(
    ingest: Ingest,
) -> None:
    visitor, order = unique("v"), unique("ORD")
    await ingest.send("chat", chat(unique("m"), unique("conv"), visitor_id=visitor, order_id=order))
    events = await ingest.tickets(
        lambda es: any(isinstance(e, TicketOpened) and e.order_id == order for e in es)
    )
    [first] = [e for e in of_type(events, TicketOpened) if e.order_id == order]
    resolved = TicketResolved(
        event_id=uuid.uuid4(),
        occurred_at=at(30),
        correlation_id="partner",
        ticket_id=first.ticket_id,
        assignment_id=derive_id("assignment", first.ticket_id, "1"),
        team_id="manila-247",
    )
    await produce(
        ingest.bootstrap,
        ingest.topic("tickets"),
        [(first.ticket_id.encode(), resolved.to_json_bytes())],
    )

    def joined(records: list[Any]) -> bool:
        statuses = [INGEST_RECORD.validate_json(r.value) for r in records]
        return any(
            isinstance(s, TicketStatusChanged)
            and s.ticket_id == first.ticket_id
            and s.team_id == "manila-247"
            for s in statuses
        )

    await read_until(ingest.bootstrap, [ingest.topic("ingest.messages")], joined, grace=0.5)
    # A new conversation about the same order a day later: a repeat contact.
    again = chat(
        unique("m"), unique("conv"), visitor_id=visitor, order_id=order, sent_at=at(24 * 60)
    )
    await ingest.send("chat", again)
    events = await ingest.tickets(
        lambda es: len([e for e in of_type(es, TicketOpened) if e.order_id == order]) == 2
    )
    second = [e for e in of_type(events, TicketOpened) if e.order_id == order][1]
    assert second.repeat_of is not None
    assert (second.repeat_of.ticket_id, second.repeat_of.resolved_by_team) == (
        first.ticket_id,
        "manila-247",
    )


async def test_survey_answers_become_ratings_over_kafka_and_http(ingest: Ingest) -> None:
    ticket_id = unique("t")

    def answer(survey_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "source": "csat",
            "survey_id": survey_id,
            "ticket_id": ticket_id,
            "score": 4,
            "comment": "fine",
            "submitted_at": at(90).isoformat(),
            **extra,
        }

    over_kafka, over_http = unique("s"), unique("s")
    await ingest.send("csat", answer(over_kafka), answer(unique("s"), score=9))
    stored = await ingest.http.post(
        "/v1/inbound/csat", json=answer(over_http), headers={"content-type": "application/json"}
    )
    assert stored.status_code == 202, stored.text
    refused = await ingest.http.post("/v1/inbound/csat", json=answer(unique("s"), score=0))
    assert refused.status_code == 422
    events = await ingest.tickets(
        lambda es: len(of_type(es, TicketRated, ticket_id=ticket_id)) == 2
    )
    ratings = of_type(events, TicketRated, ticket_id=ticket_id)
    assert {(r.source, r.score) for r in ratings} == {("survey", 4)}
    letters = await read_until(
        ingest.bootstrap,
        [ingest.topic("inbound.csat.dlq")],
        lambda rs: any(
            DeadLetter.model_validate_json(r.value).error_kind == "schema_violation" for r in rs
        ),
        grace=0.5,
    )
    assert letters
    assert (
        ingest.counter("switchboard_ingest_messages_total", channel="csat", outcome="accepted") == 2
    )
