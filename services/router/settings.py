from __future__ import annotations

from pydantic import Field

from plumbing.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    http_port: int = Field(default=8002, ge=0, le=65535)
