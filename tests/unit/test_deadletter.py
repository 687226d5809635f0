from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from plumbing.deadletter import MAX_ORIGINAL_BYTES, dead_letter
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


def test_a_letter_for_a_record_near_the_kafka_limit_still_fits_in_a_message() -> None:
    value = bytes(range(256)) * 4000  # 1,024,000 bytes: a record the broker accepts
    letter = dead_letter(
        service="router",
        source_topic="tickets",
        partition=1,
        offset=9,
        key=b"t-1",
        value=value,
        error_kind="schema_violation",
        error="x" * 5_000,
        now=datetime(2026, 11, 27, tzinfo=UTC),
    )
    assert len(letter.to_json_bytes()) < 1_000_000  # the producer's and broker's default
    assert letter.value_truncated
    assert letter.value_size == len(value)
    assert letter.value_sha256 == hashlib.sha256(value).hexdigest()
    assert letter.original_value() == value[:MAX_ORIGINAL_BYTES]
    assert not undecodable_email().value_truncated
