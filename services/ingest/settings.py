from __future__ import annotations

from pydantic import Field

from plumbing.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    http_port: int = Field(default=8001, ge=0, le=65535)
    max_message_bytes: int = Field(
        default=256 * 1024, gt=0, description="Larger inbound payloads are refused."
    )
