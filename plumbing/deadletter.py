"""Dead letters: the reason a record could not be processed, with its original bytes."""

from __future__ import annotations

import base64
from datetime import datetime

from schemas.base import derive_id
from schemas.dlq import DeadLetter


def dead_letter(
    *,
    service: str,
    source_topic: str,
    partition: int | None,
    offset: int | None,
    key: bytes | None,
    value: bytes | None,
    error_kind: str,
    error: str,
    now: datetime,
    correlation_id: str | None = None,
) -> DeadLetter:
    """A dead letter whose id is derived from where the record came from, so a
    record dead-lettered twice (after a crash) has one identity."""
    origin = f"{source_topic}/{partition}/{offset}"
    return DeadLetter(
        event_id=derive_id("dead-letter", service, origin, error_kind),
        occurred_at=now,
        correlation_id=correlation_id or origin,
        service=service,
        source_topic=source_topic,
        source_partition=partition,
        source_offset=offset,
        error_kind=error_kind,
        error=error[:2_000],
        key_b64=None if key is None else base64.b64encode(key).decode(),
        value_b64=None if value is None else base64.b64encode(value).decode(),
    )
