"""Two ingest processes in one consumer group; one is killed (SIGKILL) mid-run. The other
takes over its partitions with the customers' memory restored from the changelog: a
follow-up to a conversation the dead one opened joins that ticket, a replayed message
opens nothing, and the books balance."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from schemas.tickets import TICKET_EVENT, MessageAdded, TicketOpened
from switchboard.launcher import ServiceProcess, free_port
from switchboard.ledger import Expectations, check, read_books
from tests.conftest import SAMPLE_CONFIG
from tests.support.ingest import at, email, encoded
from tests.support.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

CUSTOMERS = 40


def sources(records: list[Any]) -> set[str]:
    events = [TICKET_EVENT.validate_json(r.value) for r in records]
    return {e.source_message_id for e in events if isinstance(e, TicketOpened | MessageAdded)}


def owned(process: ServiceProcess) -> int:
    text = process.log_path.read_text(errors="replace")
    return text.count('"partition ready"')


async def test_the_survivor_takes_over_with_the_customers_memory(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(SAMPLE_CONFIG),
        # The samples are dated Black Friday 2026, possibly ahead of this machine's clock.
        "MAX_CLOCK_SKEW": "P365D",
    }
    ingests = [
        ServiceProcess("ingest", env, free_port(), tmp_path / f"ingest-{n}.log") for n in range(2)
    ]
    inbound, tickets = f"{topic_prefix}inbound.email", f"{topic_prefix}tickets"
    first = {
        n: encoded(email(f"<open-{n}@x>", f"c{n}@example.com", received_at=at(n)))
        for n in range(CUSTOMERS)
    }
    follow_up = {
        n: encoded(
            email(
                f"<reply-{n}@x>",
                f"c{n}@example.com",
                in_reply_to=f"<open-{n}@x>",
                text="Any news about my parcel?",
                received_at=at(60 + n),
            )
        )
        for n in range(CUSTOMERS)
    }
    try:
        for process in ingests:
            process.start()
        for process in ingests:
            process.wait_ready(90)
        for _ in range(100):  # both own some of the six ingest.messages partitions
            if all(owned(p) for p in ingests):
                break
            await asyncio.sleep(0.3)
        assert all(owned(p) for p in ingests), "the second instance never got partitions"
        await produce(kafka_bootstrap, inbound, [(None, m) for m in first.values()])
        wanted = {f"<open-{n}@x>" for n in range(CUSTOMERS)}
        await read_until(kafka_bootstrap, [tickets], lambda rs: wanted <= sources(rs), grace=0)

        ingests[0].kill()  # no goodbye: its partitions move after the session times out
        # Follow-ups of conversations either instance opened, and a connector's replay.
        await produce(
            kafka_bootstrap,
            inbound,
            [(None, m) for m in [*follow_up.values(), *first.values()]],
        )
        wanted |= {f"<reply-{n}@x>" for n in range(CUSTOMERS)}
        await read_until(
            kafka_bootstrap, [tickets], lambda rs: wanted <= sources(rs), timeout=120, grace=3
        )
        books = await read_books(kafka_bootstrap, topic_prefix)
    finally:
        for process in ingests:
            process.terminate()
    assert owned(ingests[1]) > 3, "the survivor never took over the dead one's partitions"
    assert not check(books, Expectations(ended_at=at(1_000))), check(
        books, Expectations(ended_at=at(1_000))
    )[:10]
    for n in range(CUSTOMERS):
        # Restored memory: the reply joined the ticket its opening message opened.
        assert books.ticket_of_message[f"<reply-{n}@x>"] == books.ticket_of_message[f"<open-{n}@x>"]
    assert sum(books.inbound.values()) == 3 * CUSTOMERS  # the replay reached ingest, too
