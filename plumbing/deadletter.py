"""Dead letters: the reason a record could not be processed, with its original bytes.

A dead letter must itself fit in a Kafka message (1 MiB by default) or the transaction
that writes it fails and the partition retries the record for ever. Base64 makes bytes a
third larger, so a value over ``MAX_ORIGINAL_BYTES`` (a key over ``MAX_KEY_BYTES``) is
carried only in part, with its size and SHA-256; the whole record stays at the source
topic, partition and offset the letter names.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from schemas.base import derive_id
from schemas.dlq import DeadLetter

#: Largest value a dead letter carries whole: 4/3 of it in base64 stays well under 1 MiB.
MAX_ORIGINAL_BYTES = 600 * 1024
MAX_KEY_BYTES = 16 * 1024


def _b64(data: bytes | None, limit: int) -> str | None:
    return None if data is None else base64.b64encode(data[:limit]).decode()


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
        key_b64=_b64(key, MAX_KEY_BYTES),
        value_b64=_b64(value, MAX_ORIGINAL_BYTES),
        value_size=None if value is None else len(value),
        value_sha256=None if value is None else hashlib.sha256(value).hexdigest(),
        value_truncated=value is not None and len(value) > MAX_ORIGINAL_BYTES,
    )
