"""The SLA service's Prometheus metrics (names fixed in METRICS.md; alert rules use them)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from schemas.base import Channel, SlaMetric
from schemas.config.teams import TeamConfig
from schemas.sla import QueueForecast, SlaAtRisk, SlaBreached
from services.sla.domain.durations import Duration

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SUPPORT_LABELS = ["channel", "team_id", "team_kind", "time"]
#: First response: from a minute (phone) to two days (marketplaces, weekends).
_FIRST_RESPONSE_BUCKETS = (
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    43200,
    86400,
    172800,
)
_RESOLUTION_BUCKETS = (
    300,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    86400,
    172800,
    345600,
    604800,
)

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
        self.watermark = Gauge(
            "switchboard_sla_input_watermark_seconds",
            "The service clock's time (Unix seconds) up to which each owned tickets "
            "partition's input is complete: every deadline before it is judged.",
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
        # The support desk's own figures (issue 18), per channel, team and team kind.
        self.first_response = Histogram(
            "switchboard_support_first_response_seconds",
            "Time from the customer's message to the first response, in wall time "
            "(time=wall) and in the policy's working time (time=business).",
            _SUPPORT_LABELS,
            buckets=_FIRST_RESPONSE_BUCKETS,
            registry=registry,
        )
        self.resolution = Histogram(
            "switchboard_support_resolution_seconds",
            "Time from the customer's message (or the reopening) to the resolution, in wall "
            "time and in working time without the waits on the customer (time=business).",
            _SUPPORT_LABELS,
            buckets=_RESOLUTION_BUCKETS,
            registry=registry,
        )
        self.arrivals = Counter(
            "switchboard_support_arrivals_total",
            "Tickets opened, by channel and the hour of the week they came in (the desk's "
            "time zone, outsourcing.day_time_zone): the busiest hours.",
            ["channel", "weekday", "hour"],
            registry=registry,
        )
        self.desk_zone = ZoneInfo("UTC")
        for metric in SlaMetric:
            self.at_risk_open.labels(metric.value).set(0)

    def start_counters_at_zero(self, teams: list[TeamConfig], desk_zone: str = "UTC") -> None:
        """Create every label set the counters can have at 0, so that ``increase()`` and
        ``rate()`` see the first breach of a team instead of a series born at 1."""
        self.desk_zone = ZoneInfo(desk_zone)
        owners = [(team.id, team.kind.value) for team in teams] + [(UNASSIGNED, UNASSIGNED)]
        for metric in SlaMetric:
            for channel in Channel:
                for team_id, kind in owners:
                    self.breaches.labels(metric.value, channel.value, team_id, kind)
                    self.at_risk.labels(metric.value, channel.value, team_id, kind)
        for channel in Channel:
            for weekday in WEEKDAYS:
                for hour in range(24):
                    self.arrivals.labels(channel.value, weekday, f"{hour:02d}")
            for team_id, kind in owners:
                for time in ("wall", "business"):
                    self.first_response.labels(channel.value, team_id, kind, time)
                    self.resolution.labels(channel.value, team_id, kind, time)

    def arrived(self, channel: Channel, received_at: datetime) -> None:
        local = received_at.astimezone(self.desk_zone)
        self.arrivals.labels(channel.value, WEEKDAYS[local.weekday()], f"{local.hour:02d}").inc()

    def took(self, durations: list[Duration]) -> None:
        for found in durations:
            histogram = self.first_response if found.metric == "first_response" else self.resolution
            labels = (found.channel, found.team_id, found.team_kind)
            histogram.labels(*labels, "wall").observe(found.wall_seconds)
            histogram.labels(*labels, "business").observe(found.business_seconds)

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
