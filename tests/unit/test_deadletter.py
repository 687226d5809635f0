from __future__ import annotations

import json
from datetime import UTC, datetime

from plumbing.deadletter import dead_letter
from schemas.dlq import DeadLetter


def undecodable_email() -> DeadLetter:
    return dead_letter(
        service="ingest",
        source_topic="inbound.email",
        partition=0,
        offset=7,
        key=None,
        value=b"\xff\x00",
        error_kind="undecodable_bytes",
        error="not UTF-8",
        now=datetime(2026, 11, 27, tzinfo=UTC),
    )


def test_dead_letters_are_json_with_the_original_bytes() -> None:
    letter = undecodable_email()
    assert json.loads(letter.to_json_bytes())["value_b64"] == "/wA="
    assert letter.original_value() == b"\xff\x00"


def test_a_record_dead_lettered_twice_keeps_one_identity() -> None:
    assert undecodable_email().event_id == undecodable_email().event_id
