"""The SLA service's Prometheus metrics (names fixed in METRICS.md; alert rules use them)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from schemas.base import Channel, SlaMetric
from schemas.config.teams import TeamConfig
from schemas.sla import QueueForecast, SlaAtRisk, SlaBreached

UNASSIGNED = "unassigned"
_CLOCK_LABELS = ["metric", "channel", "team_id", "team_kind"]
_QUEUE_LABELS = ["queue_id", "team_id", "skill"]


class SlaMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.breaches = Counter(
            "switchboard_sla_breaches_total",
            "SLA breaches announced, by metric, channel, team and team kind.",
            _CLOCK_LABELS,
            registry=registry,
        )
        self.at_risk = Counter(
            "switchboard_sla_at_risk_total",
            "SLA at-risk warnings announced, by metric, channel, team and team kind.",
            _CLOCK_LABELS,
            registry=registry,
        )
        self.events_without_clocks = Counter(
            "switchboard_sla_events_without_clocks_total",
            "Ticket events for a ticket with no clocks here (never opened, or already "
            "resolved); they change nothing.",
            ["type"],
            registry=registry,
        )
        self.open_clocks = Gauge(
            "switchboard_sla_open_clocks",
            "Tickets with SLA clocks on this instance.",
            registry=registry,
        )
        self.at_risk_open = Gauge(
            "switchboard_sla_at_risk_open",
            "Tickets past the at-risk share of a metric and not breached, on this instance.",
            ["metric"],
            registry=registry,
        )
        self.watermark_lag = Gauge(
            "switchboard_sla_input_watermark_lag_seconds",
            "How far each owned tickets partition's input watermark trails the service's "
            "clock, in clock seconds: deadlines after the watermark wait for input that "
            "could still answer them (plumbing/watermark.py).",
            ["partition"],
            registry=registry,
        )
        self.breach_lateness = Histogram(
            "switchboard_sla_breach_lateness_seconds",
            "Time from a deadline to the commit of its breach announcement.",
            buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30, 60, 300),
            registry=registry,
        )
        self.forecast_service_level = Gauge(
            "switchboard_sla_forecast_service_level",
            "Predicted share of the next hour's arrivals answered within target.",
            _QUEUE_LABELS,
            registry=registry,
        )
        self.forecast_target = Gauge(
            "switchboard_sla_forecast_target_service_level",
            "The service level the queue should reach.",
            _QUEUE_LABELS,
            registry=registry,
        )
        self.forecast_breaches = Gauge(
            "switchboard_sla_forecast_predicted_breaches",
            "First-response breaches predicted among the next hour's arrivals.",
            _QUEUE_LABELS,
            registry=registry,
        )
        self.forecast_peak = Gauge(
            "switchboard_sla_forecast_peak",
            "1 when recent arrivals exceed the baseline by the configured factor.",
            _QUEUE_LABELS,
            registry=registry,
        )
        for metric in SlaMetric:
            self.at_risk_open.labels(metric.value).set(0)

    def start_counters_at_zero(self, teams: list[TeamConfig]) -> None:
        """Create every label set the counters can have at 0, so that ``increase()`` and
        ``rate()`` see the first breach of a team instead of a series born at 1."""
        owners = [(team.id, team.kind.value) for team in teams] + [(UNASSIGNED, UNASSIGNED)]
        for metric in SlaMetric:
            for channel in Channel:
                for team_id, kind in owners:
                    self.breaches.labels(metric.value, channel.value, team_id, kind)
                    self.at_risk.labels(metric.value, channel.value, team_id, kind)

    def show_forecasts(self, forecasts: list[QueueForecast]) -> None:
        for forecast in forecasts:
            labels = (forecast.queue_id, forecast.team_id, forecast.skill)
            self.forecast_service_level.labels(*labels).set(forecast.predicted_service_level)
            self.forecast_target.labels(*labels).set(forecast.target_service_level)
            self.forecast_breaches.labels(*labels).set(forecast.predicted_breaches)
            self.forecast_peak.labels(*labels).set(1 if forecast.peak else 0)

    def clear_forecasts(self) -> None:
        """This instance stopped forecasting (partition 0 moved): its figures are stale."""
        for gauge in (
            self.forecast_service_level,
            self.forecast_target,
            self.forecast_breaches,
            self.forecast_peak,
        ):
            gauge.clear()


def count_announced(metrics: SlaMetrics, event: SlaAtRisk | SlaBreached, now: datetime) -> None:
    labels = (
        event.metric.value,
        event.channel.value,
        event.team_id or UNASSIGNED,
        event.team_kind.value if event.team_kind else UNASSIGNED,
    )
    if isinstance(event, SlaBreached):
        metrics.breaches.labels(*labels).inc()
        metrics.breach_lateness.observe(max(0.0, (now - event.deadline).total_seconds()))
    else:
        metrics.at_risk.labels(*labels).inc()
