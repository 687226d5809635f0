from __future__ import annotations

from pydantic import Field

from plumbing.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    http_port: int = Field(default=8003, ge=0, le=65535)
    tick_seconds: float = Field(
        default=0.1, gt=0, le=1, description="How often due deadlines are checked (real time)."
    )
    forecast_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often queue forecasts are made and published (in the service "
        "clock's seconds, so a simulation speeds them up too).",
    )
