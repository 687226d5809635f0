"""``sla`` (per ticket) and ``sla.forecasts`` (per queue): what operations act on."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from schemas.base import (
    Channel,
    Event,
    Priority,
    SlaMetric,
    TeamId,
    TeamKind,
    TicketEventBase,
    UtcDatetime,
)


class _SlaClockEvent(TicketEventBase):
    metric: SlaMetric
    deadline: UtcDatetime
    budget_seconds: float = Field(ge=0, description="The target, in the policy's own hours.")
    policy_id: str
    channel: Channel
    priority: Priority
    team_id: TeamId | None = Field(default=None, description="None while unassigned.")
    team_kind: TeamKind | None = None


class SlaAtRisk(_SlaClockEvent):
    """A clock has used the configured share of its budget (default 80%)."""

    type: Literal["sla.at_risk"] = "sla.at_risk"
    used_share: float = Field(ge=0)


class SlaBreached(_SlaClockEvent):
    """A deadline passed without the response or resolution. Emitted once per ticket and metric."""

    type: Literal["sla.breached"] = "sla.breached"


SlaEvent = Annotated[SlaAtRisk | SlaBreached, Field(discriminator="type")]
SLA_EVENT = TypeAdapter[SlaEvent](SlaEvent)


class QueueForecast(Event):
    """Predicted service for the next window of one queue (team x skill)."""

    type: Literal["sla.forecast"] = "sla.forecast"
    queue_id: str = Field(description="'<team_id>/<skill>'; the Kafka key.")
    team_id: TeamId
    team_kind: TeamKind
    skill: str
    window_start: UtcDatetime
    window_end: UtcDatetime
    model: str = Field(description="Queueing model used, e.g. 'erlang_c'.")
    arrival_rate_per_hour: float = Field(ge=0)
    baseline_arrival_rate_per_hour: float = Field(ge=0)
    service_rate_per_hour: float = Field(ge=0, description="Per agent.")
    agents: float = Field(ge=0)
    target_seconds: float = Field(ge=0)
    target_service_level: float = Field(ge=0, le=1)
    predicted_service_level: float = Field(ge=0, le=1)
    predicted_wait_seconds: float | None = Field(default=None, ge=0)
    predicted_breaches: float = Field(ge=0)
    peak: bool


SlaForecastEvent = Annotated[QueueForecast, Field(discriminator="type")]
SLA_FORECAST_EVENT = TypeAdapter[SlaForecastEvent](SlaForecastEvent)
