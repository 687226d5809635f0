"""Hostile records on ingest's inputs: a channel topic (``inbound.chat``, the normalise
stage) and ``ingest.messages`` (the thread stage). Each is dead-lettered once with its
reason and original bytes, or handled by the documented rule (a far-future timestamp is
replaced by ingest's clock), and the good message behind it on the same partition
becomes a ticket."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from pydantic import ValidationError

from schemas.dlq import DeadLetter
from schemas.tickets import TICKET_EVENT, TicketOpened
from tests.integration.hostile.support import (
    MAX_RECORD_BYTES,
    Sent,
    Stack,
    assert_carries,
    dead_letters,
    letters_for,
    send_case,
    wait_committed_past,
)
from tests.integration.router.support import WEDNESDAY_NOON
from tests.support.ingest import chat, encoded, message
from tests.support.kafka_io import read_until

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="package")]

LIMIT = 256 * 1024  # ingest's default MAX_MESSAGE_BYTES
FUTURE = datetime(2999, 1, 1, tzinfo=UTC)


def chat_message(message_id: str, **extra: Any) -> dict[str, Any]:
    return chat(
        message_id,
        f"conv-{message_id}",
        visitor_id=f"v-{message_id}",
        sent_at=extra.pop("sent_at", WEDNESDAY_NOON),
        **extra,
    )


#: name -> (hostile value, dead-letter kind or None when the rule is not a dead letter)
INBOUND_CASES: dict[str, tuple[bytes, str | None]] = {
    "corrupted_bytes": (b"\xff\xfe\x00\x9c{garbage", "undecodable_bytes"),
    "wrong_types": (
        json.dumps(
            {"message_id": 42, "conversation_id": [], "customer": "x", "text": None}
        ).encode(),
        "schema_violation",
    ),
    "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, "invalid_json"),
    "over_the_limit": (encoded(chat_message("big", text="x" * (LIMIT + 10))), "oversize"),
    "near_the_broker_limit": (
        encoded(chat_message("huge", text="x" * (MAX_RECORD_BYTES - 2_000))),
        "oversize",
    ),
    "future_timestamp": (
        encoded(chat_message(f"future-{uuid.uuid4().hex[:8]}", sent_at=FUTURE)),
        None,
    ),
}

MESSAGES_CASES: dict[str, bytes] = {
    "corrupted_bytes": b"\xff\xfe\x00\x9c{garbage",
    "wrong_types": json.dumps({"type": "ingest.message", "channel": 7, "text": []}).encode(),
    "deeply_nested": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
}


@dataclass
class Fed:
    inbound: dict[str, tuple[Sent, str]]  # name -> where, the good message's source id
    messages: dict[str, tuple[Sent, str]]
    inbound_letters: list[DeadLetter]
    messages_letters: list[DeadLetter]
    opened: dict[str, TicketOpened]  # source message id -> ticket.opened


def ticket_events(records: list[Any]) -> dict[str, TicketOpened]:
    opened = {}
    for record in records:
        try:
            event = TICKET_EVENT.validate_json(record.value)
        except ValidationError:
            continue  # the ticket-event module's hostile records share this topic
        if isinstance(event, TicketOpened):
            opened[event.source_message_id] = event
    return opened


@pytest_asyncio.fixture(scope="module", loop_scope="package")
async def fed(stack: Stack) -> Fed:
    inbound: dict[str, tuple[Sent, str]] = {}
    for name, (value, _) in INBOUND_CASES.items():
        good = f"good-{name}-{uuid.uuid4().hex[:8]}"
        key = f"connector-{name}-{uuid.uuid4().hex[:6]}".encode()
        sent = await send_case(stack, "inbound.chat", key, [value], encoded(chat_message(good)))
        inbound[name] = (sent, good)
    messages: dict[str, tuple[Sent, str]] = {}
    for name, value in MESSAGES_CASES.items():
        customer = f"k-{name}-{uuid.uuid4().hex[:8]}"
        normalised = message(
            f"good-msg-{uuid.uuid4().hex[:8]}", customer_key=customer, received_at=WEDNESDAY_NOON
        )
        sent = await send_case(
            stack, "ingest.messages", customer.encode(), [value], normalised.to_json_bytes()
        )
        messages[name] = (sent, normalised.source_message_id)
    await wait_committed_past(stack, "inbound.chat", [s for s, _ in inbound.values()])
    await wait_committed_past(stack, "ingest.messages", [s for s, _ in messages.values()])
    wanted = {good for _, good in [*inbound.values(), *messages.values()]}
    wanted.add(json.loads(INBOUND_CASES["future_timestamp"][0])["message_id"])
    records = await read_until(
        stack.bootstrap,
        [stack.topic("tickets")],
        lambda rs: wanted <= set(ticket_events(rs)),
        timeout=60,
        grace=0,
    )
    return Fed(
        inbound,
        messages,
        await dead_letters(stack, "inbound.chat"),
        await dead_letters(stack, "ingest.messages"),
        ticket_events(records),
    )


@pytest.mark.parametrize("name", list(INBOUND_CASES))
async def test_hostile_channel_payload_is_dead_lettered_once_and_the_next_becomes_a_ticket(
    fed: Fed, name: str
) -> None:
    sent, good = fed.inbound[name]
    value, kind = INBOUND_CASES[name]
    letters = letters_for(fed.inbound_letters, sent)
    assert [(d.service, d.error_kind) for d in letters] == ([("ingest", kind)] if kind else [])
    for letter in letters:
        assert_carries(letter, value)
    assert good in fed.opened  # committed past (the fixture waited): no redelivery loop


async def test_a_far_future_channel_time_is_replaced_by_the_ingest_clock(
    stack: Stack, fed: Fed
) -> None:
    message_id = json.loads(INBOUND_CASES["future_timestamp"][0])["message_id"]
    ticket = fed.opened[message_id]
    now = stack.runtimes["ingest"].clock.now()
    assert now - timedelta(minutes=5) < ticket.received_at <= now
    assert stack.counter("ingest", "switchboard_ingest_clock_skew_total", channel="chat") >= 1


@pytest.mark.parametrize("name", list(MESSAGES_CASES))
async def test_hostile_normalised_message_is_dead_lettered_once_and_the_next_becomes_a_ticket(
    fed: Fed, name: str
) -> None:
    sent, good = fed.messages[name]
    letters = letters_for(fed.messages_letters, sent)
    assert [(d.service, d.error_kind) for d in letters] == [("ingest", "schema_violation")]
    assert_carries(letters[0], MESSAGES_CASES[name])
    assert good in fed.opened
