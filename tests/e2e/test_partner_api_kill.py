"""The partner API killed mid-write: two instances, one SIGKILLed while partners accept,
answer and resolve their offers; the partners retry what got no answer on the other
instance with the same Idempotency-Key, and every write takes effect exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from schemas.base import Channel
from schemas.customers import Customer
from schemas.tickets import (
    TICKET_EVENT,
    FirstResponse,
    OfferAccepted,
    TicketAssigned,
    TicketOpened,
    TicketResolved,
)
from services.router.partner_api.domain.keys import key_hash
from switchboard.launcher import PARTNER_API, ServiceProcess, Stack, free_port
from tests.e2e.conftest import write_config
from tests.support.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

KEY = "sbp_e2e_kill_istanbul_000000000000000000000000000000"
#: Friday 27 November 2026, 12:00 UTC: Istanbul (the only team writing Turkish) works.
SIM_START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TICKETS = 24
STEPS = {"offered": "accept", "accepted": "first-response", "responded": "resolve"}


def turkish_ticket(at: datetime) -> TicketOpened:
    ticket_id = f"kill-{uuid.uuid4().hex[:10]}"
    return TicketOpened(
        event_id=uuid.uuid4(),
        occurred_at=at,
        correlation_id=f"c-{ticket_id}",
        ticket_id=ticket_id,
        channel=Channel.CHAT,
        source_message_id=f"m-{ticket_id}",
        customer=Customer(customer_key=f"k-{ticket_id}", name="Ayşe"),
        subject="Kargom nerede?",
        text="Siparişim 4471 hâlâ gelmedi.",
        received_at=at,
        language="tr",
        skill="orders_shipping",
    )


@dataclass
class Partner:
    """A partner's tooling: each step of each offer once, with an Idempotency-Key of its
    own; a request that gets no answer (the instance died, 5xx) goes to the next
    instance with the same key."""

    urls: list[str]
    alive: list[bool] = field(default_factory=lambda: [True, True])
    in_flight: Counter[int] = field(default_factory=Counter)
    retried: list[str] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)

    async def post(self, client: httpx.AsyncClient, path: str, key: str, first: int) -> int:
        for attempt in range(20):
            instance = (first + attempt) % len(self.urls)
            if not self.alive[instance]:
                continue
            self.in_flight[instance] += 1
            try:
                answer = await client.post(
                    f"{self.urls[instance]}{path}", headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                self.retried.append(f"{key}: no answer from instance {instance}")
                continue
            finally:
                self.in_flight[instance] -= 1
            if answer.status_code in (429, 503):
                self.retried.append(f"{key}: {answer.status_code} from instance {instance}")
                await asyncio.sleep(0.3)
                continue
            self.answers[key] = answer.status_code
            return answer.status_code
        raise AssertionError(f"{key}: no instance answered")

    async def work(self, client: httpx.AsyncClient, done: set[str], total: int) -> None:
        """Until ``total`` tickets are resolved: list the live assignments on an instance
        that is up, and take the next step of each, all at once, spread over both."""
        turn = 0
        while len(done) < total:
            live = self.alive.index(True)
            try:
                listed = await client.get(
                    f"{self.urls[live]}/v1/assignments", params={"limit": 100}
                )
            except httpx.TransportError:
                continue
            todo = [
                (a["id"], a["ticket_id"], STEPS[a["status"]])
                for a in listed.json().get("data", [])
                if a["status"] in STEPS
            ]

            async def act(assignment: str, ticket: str, step: str, first: int) -> None:
                path = f"/v1/assignments/{assignment}/{step}"
                status = await self.post(client, path, f"{assignment}-{step}", first)
                if status == 200 and step == "resolve":
                    done.add(ticket)

            await asyncio.gather(
                *(act(a, t, step, (turn + n) % 2) for n, (a, t, step) in enumerate(todo))
            )
            turn += 1
            await asyncio.sleep(0.1)


@pytest.fixture
def services(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> Iterator[Any]:
    config = write_config(tmp_path / "switchboard.yaml", first_response="PT1H")
    raw = yaml.safe_load(config.read_text())
    raw["partner_api"] = {
        "partners": {
            "istanbul-contact": {
                "keys": [{"id": "ist-kill", "sha256": key_hash(KEY)}],
                "rate_limit": "1000/second",
            }
        }
    }
    config.write_text(yaml.safe_dump(raw))
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(config),
        "SWITCHBOARD_CLOCK_SIM_START": SIM_START.isoformat(),
        "SWITCHBOARD_CLOCK_REAL_START": str(time.time()),
        "PARTNER_API_PSEUDONYM_KEY": "e2e-pseudonym-key-0123456789abcdef0123",
    }
    stack = Stack(env=env, log_dir=tmp_path / "logs", names=("router",))
    apis = [
        ServiceProcess(PARTNER_API, env, free_port(), tmp_path / "logs" / f"api-{n}.log")
        for n in (0, 1)
    ]
    try:
        stack.start()
        for api in apis:
            api.start()
        for api in apis:
            api.wait_ready(90)
        yield stack, apis
    finally:
        stack.stop()
        for api in apis:
            api.terminate()


async def test_a_partner_api_instance_killed_mid_write_loses_and_doubles_no_write(
    services: Any, kafka_bootstrap: str, topic_prefix: str
) -> None:
    stack, apis = services
    sim_now = SIM_START + timedelta(
        seconds=time.time() - float(stack.env["SWITCHBOARD_CLOCK_REAL_START"])
    )
    tickets = [turkish_ticket(sim_now) for _ in range(TICKETS)]
    await produce(
        kafka_bootstrap,
        f"{topic_prefix}tickets",
        [(t.ticket_id.encode(), t.to_json_bytes()) for t in tickets],
    )
    partner = Partner([api.url for api in apis])
    done: set[str] = set()
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(headers=headers, timeout=15) as client:
        working = asyncio.create_task(partner.work(client, done, TICKETS))
        # SIGKILL the first instance while it has writes in flight.
        while not (partner.in_flight[0] and len(partner.answers) >= TICKETS // 2):
            assert not working.done(), "the partner finished before the kill"
            await asyncio.sleep(0.005)
        apis[0].kill()
        partner.alive[0] = False
        await asyncio.wait_for(working, 120)

    assert done == {t.ticket_id for t in tickets}
    assert partner.retried, "no write lost its answer: the kill tested nothing"
    assert set(partner.answers.values()) == {200}, partner.answers

    records = await read_until(
        kafka_bootstrap,
        [f"{topic_prefix}tickets"],
        lambda rs: sum(b'"ticket.resolved"' in (r.value or b"") for r in rs) >= TICKETS,
        timeout=30,
    )
    events = [TICKET_EVENT.validate_json(r.value) for r in records]
    offers = {e.assignment_id: e for e in events if isinstance(e, TicketAssigned)}
    assert len(offers) == TICKETS, "every ticket offered once"
    for kind in (OfferAccepted, FirstResponse, TicketResolved):
        effective = Counter(
            e.assignment_id for e in {e.event_id: e for e in events if isinstance(e, kind)}.values()
        )
        assert effective == dict.fromkeys(offers, 1), f"{kind.__name__} not once per offer"
    async with httpx.AsyncClient(headers=headers, timeout=15) as client:
        for assignment in offers:
            detail = (await client.get(f"{apis[1].url}/v1/assignments/{assignment}")).json()
            assert detail["status"] == "resolved"
        metrics = (await client.get(f"{stack['router'].url}/metrics")).text
    accepted = [
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "switchboard_router_offers_total"
        and sample.labels == {"team_id": "istanbul-contact", "outcome": "accepted"}
    ]
    assert accepted == [TICKETS], "the router took each accept once"
