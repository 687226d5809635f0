"""The claims' Prometheus metrics, on the router's registry: per team and per agent.

Every router instance mirrors every partition, so the gauges (held tickets, agents
present) are the same on each instance: aggregate them with ``max``, not ``sum``. The
counters and the histogram count what each instance decided: ``sum`` them."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ClaimMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.claims = Counter(
            "switchboard_router_claims_total",
            "Tickets given to an agent: asked for ('requested') or by the team's distribution.",
            ["team_id", "how"],
            registry=registry,
        )
        self.refused = Counter(
            "switchboard_router_claims_refused_total",
            "Claims refused: held by another agent, agent at its limit, not in the queue, "
            "agent not online.",
            ["team_id", "reason"],
            registry=registry,
        )
        self.returned = Counter(
            "switchboard_router_claims_returned_total",
            "Held tickets that went back to the team's queue, by why (released, logout, "
            "agent_offline, no_first_response).",
            ["team_id", "reason"],
            registry=registry,
        )
        self.given_up = Counter(
            "switchboard_router_team_gave_up_total",
            "Waiting tickets the team could not take in time, routed again to another team "
            "(nobody online, or the predicted wait no longer fits the deadline).",
            ["team_id", "reason"],
            registry=registry,
        )
        self.held = Gauge(
            "switchboard_agent_held_tickets",
            "Tickets each agent holds now.",
            ["team_id", "agent_id"],
            registry=registry,
        )
        self.answered = Counter(
            "switchboard_agent_answered_total",
            "First responses each agent gave to tickets it held.",
            ["team_id", "agent_id"],
            registry=registry,
        )
        self.first_response = Histogram(
            "switchboard_agent_first_response_seconds",
            "Clock seconds from an agent getting a ticket to its first response.",
            ["team_id", "agent_id"],
            buckets=(10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400),
            registry=registry,
        )
        self.agents = Gauge(
            "switchboard_agents_present",
            "The team's agents by standing: online, away, offline, lost (heartbeat stopped).",
            ["team_id", "standing"],
            registry=registry,
        )
        self.waiting = Gauge(
            "switchboard_team_queue_waiting",
            "Queued tickets nobody holds yet, on this instance's partitions.",
            ["team_id"],
            registry=registry,
        )
