from __future__ import annotations

from pydantic import Field

from plumbing.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    http_port: int = Field(default=8003, ge=0, le=65535)
    tick_seconds: float = Field(
        default=0.1, gt=0, le=1, description="How often due deadlines are checked (real time)."
    )
    write_grace_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="Real seconds a ticket event may take from its writer's clock into "
        "the log while the partition's leader answers (a writer's retries, an acks=all "
        "write waiting for a follower the cluster has not fenced yet). Deadlines are "
        "judged only once every record that old was read, so breaches come this much "
        "later. One broker: the writers' latency (2 s is ample); a cluster: more than "
        "broker.session.timeout.ms.",
    )
    forecast_interval_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often queue forecasts are made and published (in the service "
        "clock's seconds, so a simulation speeds them up too).",
    )
