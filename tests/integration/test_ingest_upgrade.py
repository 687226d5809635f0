"""A new ingest restores the previous release's changelogs in place, on a real broker.

The previous release wrote each customer's memory and each ticket's link as pydantic
JSON (``ModelCodec``); this one keeps compact bytes (services/ingest/domain/encoding.py).
Records as the previous release wrote them are put in fresh changelogs before the new
ingest starts; what it then does proves it read them: a repeated delivery of a message
the old memory had seen is de-duplicated, a reply joins the old ticket, a resolution of
the old ticket is joined onto its customer, and what it writes back is the new form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from plumbing.kafka import ensure_topics
from schemas.base import Channel
from schemas.ingest import INGEST_RECORD, TicketStatusChanged
from schemas.tickets import TICKET_EVENT, MessageAdded, TicketOpened, TicketResolved
from services.ingest.app import build
from services.ingest.domain.encoding import VERSION, decode_memory
from services.ingest.domain.links import TicketLink
from services.ingest.domain.memory import CustomerMemory, LastMessage, Thread
from services.ingest.domain.normalise import identity_key, message_key
from services.ingest.settings import IngestSettings
from tests.conftest import SAMPLE_CONFIG
from tests.support.ingest import at, email, encoded
from tests.support.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio]


def previous_release_records(sender: str, first_id: str, ticket_id: str) -> tuple[bytes, bytes]:
    memory = CustomerMemory(
        seen={message_key(Channel.EMAIL, first_id): at()},
        threads=(
            Thread(
                ticket_id=ticket_id,
                refs=(f"email:{first_id}",),
                opened_at=at(),
                last_message_at=at(),
                skill="orders_shipping",
                skill_matched=True,
                language="en",
                reasons=("0 point(s): normal (high from 2, urgent from 4)",),
                last_message=LastMessage(
                    channel=Channel.EMAIL, source_message_id=first_id, received_at=at(), text="?"
                ),
            ),
        ),
        touched_at=at(),
    )
    link = TicketLink(customer_key=identity_key(f"email:{sender}"), touched_at=at())
    return memory.model_dump_json().encode(), link.model_dump_json().encode()


async def test_a_new_ingest_reads_the_previous_release_changelogs(kafka_bootstrap: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    settings = IngestSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=prefix,
        config_path=SAMPLE_CONFIG,
        max_clock_skew=timedelta(days=365),
    )
    _, runtime = build(settings)
    await ensure_topics(settings, runtime.topics)
    sender, first_id = f"up-{uuid.uuid4().hex[:8]}@example.com", f"<{uuid.uuid4().hex}@x>"
    ticket_id = f"t-{uuid.uuid4().hex[:12]}"
    customer = identity_key(f"email:{sender}")
    memory_record, link_record = previous_release_records(sender, first_id, ticket_id)
    await produce(
        kafka_bootstrap,
        f"{prefix}ingest.customers-changelog",
        [(customer.encode(), memory_record)],
    )
    await produce(
        kafka_bootstrap, f"{prefix}ingest.tickets-changelog", [(ticket_id.encode(), link_record)]
    )

    def events(done: Callable[[list[Any]], bool]) -> Callable[[list[Any]], bool]:
        return lambda records: done([TICKET_EVENT.validate_json(r.value) for r in records])

    async with runtime.lifespan(FastAPI()):
        repeated = email(first_id, sender)
        reply = email(f"<{uuid.uuid4().hex}@x>", sender, in_reply_to=first_id, text="Any news?")
        await produce(
            kafka_bootstrap,
            f"{prefix}inbound.email",
            [(None, encoded(repeated)), (None, encoded(reply))],
        )
        records = await read_until(
            kafka_bootstrap,
            [f"{prefix}tickets"],
            events(lambda es: any(isinstance(e, MessageAdded) for e in es)),
        )
        tickets = [TICKET_EVENT.validate_json(r.value) for r in records]
        [added] = [e for e in tickets if isinstance(e, MessageAdded)]
        assert added.ticket_id == ticket_id, "the reply joined the old memory's ticket"
        assert not [e for e in tickets if isinstance(e, TicketOpened)], "the repeat was seen"

        resolved = TicketResolved(
            event_id=uuid.uuid4(),
            occurred_at=at(30),
            correlation_id="c",
            ticket_id=ticket_id,
            assignment_id=uuid.uuid4(),
            team_id="tallinn-care",
        )
        await produce(
            kafka_bootstrap,
            f"{prefix}tickets",
            [(ticket_id.encode(), resolved.to_json_bytes())],
        )
        joined = await read_until(
            kafka_bootstrap,
            [f"{prefix}ingest.messages"],
            lambda rs: any(
                isinstance(INGEST_RECORD.validate_json(r.value), TicketStatusChanged) for r in rs
            ),
        )
        changes = [INGEST_RECORD.validate_json(r.value) for r in joined]
        [change] = [c for c in changes if isinstance(c, TicketStatusChanged)]
        assert (change.customer_key, change.ticket_id) == (customer, ticket_id)

        rewritten = await read_until(
            kafka_bootstrap,
            [f"{prefix}ingest.customers-changelog"],
            lambda rs: any(r.value[:1] == bytes([VERSION]) for r in rs),
        )
        [new_form] = [r.value for r in rewritten if r.value[:1] == bytes([VERSION])][-1:]
        assert decode_memory(new_form).threads[0].ticket_id == ticket_id
