from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from plumbing.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    http_port: int = Field(default=8001, ge=0, le=65535)
    max_message_bytes: int = Field(
        default=256 * 1024, gt=0, description="Larger inbound payloads are refused."
    )
    http_publish_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="The HTTP intake answers 503 when Kafka has not acknowledged a message "
        "within this time.",
    )
    max_clock_skew: timedelta = Field(
        default=timedelta(days=1),
        ge=timedelta(0),
        description="A channel timestamp further than this ahead of ingest's clock is replaced "
        "by the clock's time (a day covers a local time labelled UTC).",
    )
    memory_sweep_interval_seconds: float = Field(
        default=3600.0, gt=0, description="How often expired customer memory is removed."
    )
