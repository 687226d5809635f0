from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class SlaMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.breaches = Counter(
            "switchboard_sla_breaches_total",
            "SLA breaches announced, by metric, channel, team and team kind.",
            ["metric", "channel", "team_id", "team_kind"],
            registry=registry,
        )
        self.open_clocks = Gauge(
            "switchboard_sla_open_clocks",
            "Tickets with a running SLA clock on this instance.",
            registry=registry,
        )
