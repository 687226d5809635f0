"""HTTP intake with a fake publisher: 202 only for what was stored, 4xx with a reason, 503."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from schemas.base import Channel
from services.ingest.domain.normalise import identity_key
from services.ingest.http import Intake, intake_router
from services.ingest.metrics import IngestMetrics
from tests.support.ingest import chat, email, encoded, social

LIMIT = 2048


class FakeKafka:
    def __init__(self) -> None:
        self.stored: list[tuple[str, bytes, bytes]] = []
        self.reachable = True
        self.failure: Exception | None = None
        self.delay = 0.0

    async def publish(self, topic: str, value: bytes, key: bytes) -> None:
        await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        self.stored.append((topic, value, key))


@pytest.fixture
def kafka() -> FakeKafka:
    return FakeKafka()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def client(kafka: FakeKafka, registry: CollectorRegistry) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(
        intake_router(
            Intake(
                publish=kafka.publish,
                kafka_reachable=lambda: kafka.reachable,
                topic_for=lambda channel: f"p.inbound.{channel.value}",
                max_bytes=LIMIT,
                languages=["en"],
                metrics=IngestMetrics(registry),
                publish_timeout_seconds=0.2,
            )
        )
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as test_client:
        yield test_client


async def post(client: httpx.AsyncClient, channel: str, body: bytes, **headers: str) -> Any:
    return await client.post(
        f"/v1/inbound/{channel}",
        content=body,
        headers={"content-type": "application/json", **headers},
    )


def rejected(registry: CollectorRegistry, channel: str, reason: str) -> float | None:
    return registry.get_sample_value(
        "switchboard_ingest_rejected_total", {"channel": channel, "reason": reason}
    )


async def test_an_accepted_message_is_stored_as_sent_keyed_by_its_customer(
    client: httpx.AsyncClient, kafka: FakeKafka
) -> None:
    body = encoded(social(dm_id="dm-9"))
    response = await post(client, "social", body)
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "channel": "social", "message_id": "x:dm-9"}
    assert kafka.stored == [("p.inbound.social", body, identity_key("social:x:anna_k").encode())]


@pytest.mark.parametrize(
    ("channel", "body", "headers", "status", "kind"),
    [
        ("fax", encoded(chat()), {}, 404, "unknown_channel"),
        ("chat", encoded(chat()), {"content-type": "text/plain"}, 415, "unsupported_media_type"),
        (
            "chat",
            encoded(chat()),
            {"content-type": "application/json; charset=latin-1"},
            415,
            "unsupported_media_type",
        ),
        ("chat", b"", {}, 400, "empty"),
        ("chat", b"\xff\xfe", {}, 400, "undecodable_bytes"),
        ("chat", b"{oops", {}, 400, "invalid_json"),
        ("email", encoded({"message_id": "m"}), {}, 422, "schema_violation"),
        ("chat", encoded({**chat(), "customer": {}}), {}, 422, "missing_customer_identity"),
        ("email", encoded(email(text="x" * LIMIT)), {}, 413, "oversize"),
    ],
)
async def test_bad_requests_get_a_reason_a_developer_can_act_on(
    client: httpx.AsyncClient,
    *,
    kafka: FakeKafka,
    registry: CollectorRegistry,
    channel: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    kind: str,
) -> None:
    response = await post(client, channel, body, **headers)
    assert response.status_code == status
    answer = response.json()
    assert answer["error"] == kind
    assert answer["detail"]
    assert kafka.stored == []
    assert rejected(registry, channel if channel != "fax" else "unknown", kind) == 1


async def test_an_unknown_channel_lists_the_channels(client: httpx.AsyncClient) -> None:
    answer = (await post(client, "fax", b"{}")).json()
    assert answer["channels"] == [c.value for c in Channel]


async def test_a_body_over_the_limit_is_refused_without_being_read(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"{" + b" " * LIMIT
        raise AssertionError("the rest of an oversize body must not be read")

    response = await client.post(
        "/v1/inbound/chat", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    declared = await post(client, "chat", b"{}", **{"content-length": str(LIMIT * 10)})
    assert declared.status_code == 413


@pytest.mark.parametrize(
    "trouble",
    ["unreachable", "publish fails", "publish times out"],
)
async def test_nothing_stored_means_503_with_retry_after(
    client: httpx.AsyncClient, kafka: FakeKafka, trouble: str
) -> None:
    if trouble == "unreachable":
        kafka.reachable = False
    elif trouble == "publish fails":
        kafka.failure = ConnectionError("broker gone")
    else:
        kafka.delay = 1.0
    response = await post(client, "chat", encoded(chat()))
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.json()["error"] == "kafka_unavailable"
    assert kafka.stored == []


SURVEY = b'{"source": "csat", "survey_id": "s-1", "ticket_id": "t-9", "score": 2, ' + (
    b'"comment": "slow", "submitted_at": "2026-11-27T10:00:00Z"}'
)


async def test_a_survey_answer_is_stored_on_inbound_csat_keyed_by_its_ticket(
    client: httpx.AsyncClient, kafka: FakeKafka, registry: CollectorRegistry
) -> None:
    answer = await post(client, "csat", SURVEY)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "accepted", "source": "csat", "survey_id": "s-1"}
    assert kafka.stored == [("inbound.csat", SURVEY, b"t-9")]
    out_of_range = SURVEY.replace(b'"score": 2', b'"score": 7')
    refused = await post(client, "csat", out_of_range)
    assert refused.status_code == 422
    assert refused.json()["error"] == "schema_violation"
    assert rejected(registry, "csat", "schema_violation") == 1
    assert (await post(client, "csat", b"{")).status_code == 400
    kafka.reachable = False
    assert (await post(client, "csat", SURVEY)).status_code == 503
