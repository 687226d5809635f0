"""``<topic>.dlq``: a record that could not be processed, with why, and its original bytes."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field

from schemas.base import Event


class DeadLetter(Event):
    type: Literal["dlq.dead_letter"] = "dlq.dead_letter"
    service: str
    source_topic: str
    source_partition: int | None = Field(default=None, description="None for HTTP input.")
    source_offset: int | None = None
    error_kind: str = Field(description="Stable machine-readable reason, e.g. 'invalid_json'.")
    error: str = Field(description="What was wrong, for a human.")
    key_b64: str | None = Field(default=None, description="Original key bytes, base64.")
    value_b64: str | None = Field(default=None, description="Original value bytes, base64.")
    value_size: int | None = Field(
        default=None, ge=0, description="Length of the original value in bytes."
    )
    value_sha256: str | None = Field(
        default=None, description="SHA-256 of the original value (hex), to match it at its source."
    )
    value_truncated: bool = Field(
        default=False,
        description="True when value_b64 holds only the first bytes of a value too large for "
        "a dead letter to carry whole; the record stays at its source offset.",
    )

    def original_value(self) -> bytes | None:
        return None if self.value_b64 is None else base64.b64decode(self.value_b64)

    def original_key(self) -> bytes | None:
        return None if self.key_b64 is None else base64.b64decode(self.key_b64)
