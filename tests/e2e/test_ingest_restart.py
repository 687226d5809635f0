"""Ingest as a real process: killed, restarted, and fed the same messages again, it opens
no second ticket (its memory comes back from the changelog); and its HTTP intake never
answers 202 while the broker is down, then stores the client's retry exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemas.tickets import TICKET_EVENT, TicketOpened
from switchboard.launcher import Stack
from tests.conftest import SAMPLE_CONFIG
from tests.support.broker import LocalBroker, start_private_broker
from tests.support.ingest import at, chat, email, encoded
from tests.support.kafka_io import produce, read_until
from tests.support.waiting import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]


def opened_sources(records: list[Any]) -> Counter[str]:
    events = [TICKET_EVENT.validate_json(r.value) for r in records]
    return Counter(e.source_message_id for e in events if isinstance(e, TicketOpened))


def metric(url: str, outcome: str) -> float:
    lines = httpx.get(f"{url}/metrics", timeout=5).text.splitlines()
    wanted = f'switchboard_ingest_messages_total{{channel="email",outcome="{outcome}"}}'
    return sum(float(line.split()[-1]) for line in lines if line.startswith(wanted))


async def test_a_replay_after_kill_and_restart_opens_no_second_ticket(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(SAMPLE_CONFIG),
    }
    stack = Stack(env=env, log_dir=tmp_path / "logs", names=("ingest",))
    tickets = f"{topic_prefix}tickets"
    # One customer each: several messages of one customer about one problem would be
    # repeat contacts on one ticket, which is not what this test is about.
    mails = [
        encoded(email(f"<r{n}@x>", f"customer{n}@example.com", received_at=at(n)))
        for n in range(30)
    ]
    try:
        stack.start()
        await produce(kafka_bootstrap, f"{topic_prefix}inbound.email", [(None, m) for m in mails])
        await read_until(kafka_bootstrap, [tickets], lambda rs: len(opened_sources(rs)) >= 30)

        stack["ingest"].kill()  # SIGKILL: no clean shutdown, no flush
        stack["ingest"].start()
        stack["ingest"].wait_ready(timeout=90)
        late = encoded(email("<after-restart@x>", "newcomer@example.com", received_at=at(99)))
        await produce(
            kafka_bootstrap,
            f"{topic_prefix}inbound.email",
            [(None, m) for m in [*mails, late]],  # a connector replays everything
        )
        # The replayed copies are unkeyed (any partition): they may be threaded after
        # the newcomer's ticket opened. Wait until every one was seen, then read what
        # they caused, with time for a second ticket to show up.
        deduplicated = await eventually(
            lambda: metric(stack["ingest"].url, "deduplicated"),
            until=lambda count: count >= len(mails),
            timeout=60,
            interval=0.5,
            what="every replayed message processed",
        )
        records = await read_until(
            kafka_bootstrap,
            [tickets],
            lambda rs: "<after-restart@x>" in opened_sources(rs),
            grace=4,
        )
    finally:
        stack.stop()

    counts = opened_sources(records)
    assert len(counts) == 31
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v > 1}
    assert deduplicated == 30  # the restarted process remembered every replayed message


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    broker = start_private_broker(tmp_path / "kafka")
    try:
        yield broker
    finally:
        broker.stop()


async def test_http_intake_answers_503_while_the_broker_is_down(
    private_broker: LocalBroker, tmp_path: Path
) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": private_broker.bootstrap,
        "SWITCHBOARD_CONFIG": str(SAMPLE_CONFIG),
    }
    stack = Stack(env=env, log_dir=tmp_path / "logs", names=("ingest",))
    headers = {"content-type": "application/json"}
    during = chat(f"outage-{uuid.uuid4().hex[:6]}", "conv-outage", visitor_id="v-outage")
    try:
        stack.start()
        url = f"{stack['ingest'].url}/v1/inbound/chat"
        async with httpx.AsyncClient(timeout=30) as client:
            assert (
                await client.post(url, content=encoded(chat()), headers=headers)
            ).status_code == 202
            private_broker.stop()
            refused = await client.post(url, content=encoded(during), headers=headers)
            assert refused.status_code == 503
            retry_after = int(refused.headers["retry-after"])
            assert retry_after > 0
            private_broker.start()
            deadline = time.monotonic() + 90
            while True:  # a client honouring Retry-After
                response = await client.post(url, content=encoded(during), headers=headers)
                if response.status_code == 202 or time.monotonic() > deadline:
                    break
                assert response.status_code == 503
                await asyncio.sleep(retry_after)
            assert response.status_code == 202
        records = await read_until(
            private_broker.bootstrap,
            ["tickets"],
            lambda rs: during["message_id"] in opened_sources(rs),
            timeout=90,
            grace=3,
        )
    finally:
        stack.stop()
    assert opened_sources(records)[during["message_id"]] == 1
