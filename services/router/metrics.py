from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class RouterMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.routed = Counter(
            "switchboard_router_tickets_routed_total",
            "Tickets assigned, by team and team kind.",
            ["team_id", "team_kind"],
            registry=registry,
        )
        self.stalled = Counter(
            "switchboard_router_tickets_stalled_total",
            "Tickets no team was eligible for.",
            registry=registry,
        )
