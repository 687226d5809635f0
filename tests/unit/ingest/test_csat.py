"""Survey answers from ``inbound.csat`` become ``ticket.rated``; bad ones are dead-lettered."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from prometheus_client import CollectorRegistry

from plumbing.processor import DeadLetterError, Step
from plumbing.store import StateStore
from schemas.tickets import TICKET_EVENT, TicketRated
from services.ingest.csat import CsatHandler
from services.ingest.metrics import IngestMetrics

ANSWER = (
    b'{"source": "csat", "survey_id": "s-1", "ticket_id": "t-9", "score": 5,'
    b' "submitted_at": "2026-11-27T10:00:00Z"}'
)


@dataclass
class Record:
    value: bytes | None
    topic: str = "inbound.csat"
    partition: int = 0
    offset: int = 0
    key: bytes | None = b"t-9"


def handle(value: bytes | None) -> Step[None]:
    step = Step[None](partition=0, store=StateStore[None](), now=None)  # type: ignore[arg-type]
    CsatHandler("tickets", 4096, IngestMetrics(CollectorRegistry()))(Record(value), step)
    return step


def test_an_answer_becomes_one_rating_keyed_by_its_ticket_with_an_id_from_the_survey() -> None:
    first, again = handle(ANSWER), handle(ANSWER)
    (out,) = first.outputs
    assert (out.topic, out.key) == ("tickets", b"t-9")
    event = TICKET_EVENT.validate_json(out.value or b"")
    assert isinstance(event, TicketRated)
    assert (event.ticket_id, event.score, event.source, event.team_id) == ("t-9", 5, "survey", None)
    assert again.outputs[0].value == out.value  # a redelivered answer is the same event


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "empty"),
        (b"\xff\xfe", "undecodable_bytes"),
        (b'{"source": "csat"', "invalid_json"),
        (ANSWER.replace(b'"score": 5', b'"score": 0'), "schema_violation"),
        (ANSWER.replace(b'"t-9"', b'""'), "schema_violation"),
    ],
)
def test_a_bad_answer_is_dead_lettered_with_its_reason(value: bytes | None, kind: str) -> None:
    with pytest.raises(DeadLetterError) as refused:
        handle(value)
    assert refused.value.kind == kind
