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

    def original_value(self) -> bytes | None:
        return None if self.value_b64 is None else base64.b64decode(self.value_b64)

    def original_key(self) -> bytes | None:
        return None if self.key_b64 is None else base64.b64decode(self.key_b64)
