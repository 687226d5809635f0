"""The router's Prometheus metrics (names fixed by the alert rules; see METRICS.md)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from schemas.base import Channel
from schemas.config.teams import TeamConfig

_SUPPORT_LABELS = ["channel", "team_id", "team_kind"]
RECONTACT_KINDS = ("reopen", "repeat_contact")


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
            "Tickets that entered the pending backlog because nobody could take them.",
            registry=registry,
        )
        self.pending_backlog = Gauge(
            "switchboard_router_pending_backlog",
            "Tickets nobody is eligible for (or has room for) right now, on this instance's "
            "partitions.",
            registry=registry,
        )
        self.overflow = Counter(
            "switchboard_router_overflow_total",
            "Decisions that sent a ticket to a partner, by why in-house did not get it.",
            ["reason"],
            registry=registry,
        )
        self.predicted_wait = Gauge(
            "switchboard_router_predicted_wait_seconds",
            "Predicted wait for a ticket sent to the team now (+Inf: no slots or overloaded).",
            ["team_id"],
            registry=registry,
        )
        self.utilisation = Gauge(
            "switchboard_router_team_utilisation",
            "Open assigned tickets divided by the team's capacity.",
            ["team_id", "team_kind"],
            registry=registry,
        )
        self.offers = Counter(
            "switchboard_router_offers_total",
            "Offers to partners and what became of them (released: given back by any team).",
            ["team_id", "outcome"],
            registry=registry,
        )
        self.partner_daily_volume = Gauge(
            "switchboard_router_partner_daily_volume",
            "Tickets offered to the partner in its current contract day.",
            ["team_id"],
            registry=registry,
        )
        self.partner_daily_cap = Gauge(
            "switchboard_router_partner_daily_cap",
            "The partner's contract volume cap per day (+Inf: none).",
            ["team_id"],
            registry=registry,
        )
        self.outsourcing_share_limit = Gauge(
            "switchboard_router_outsourcing_share_limit",
            "Configured largest share of the day's assignments that may go to partners.",
            registry=registry,
        )
        self.stale_events = Counter(
            "switchboard_router_stale_events_total",
            "Ticket events about an assignment that is no longer live (e.g. an accept after "
            "expiry); they change nothing.",
            ["type"],
            registry=registry,
        )
        self.unknown_ticket_events = Counter(
            "switchboard_router_unknown_ticket_events_total",
            "Ticket events for a ticket the router does not know (never opened, or forgotten "
            "after ROUTER_RESOLVED_RETENTION); they change nothing.",
            ["type"],
            registry=registry,
        )
        self.held = Counter(
            "switchboard_router_decisions_held_total",
            "Decisions deferred because this instance's assignments to the team were not yet "
            "confirmed by its load view (the scale-out capacity bound).",
            ["team_id"],
            registry=registry,
        )
        self.invalid_table_records = Counter(
            "switchboard_router_invalid_table_records_total",
            "Records of the teams topic that could not be used.",
            ["topic"],
            registry=registry,
        )
        self.load_view_lag = Histogram(
            "switchboard_router_load_view_lag_seconds",
            "Time from an assignment to its confirmation through the changelog mirror.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        # The support desk's own figures (issue 18): first-contact resolution, repeat
        # contacts and CSAT, per channel, team and team kind. The router counts them
        # because it remembers who resolved each ticket (ROUTER_RESOLVED_RETENTION).
        self.resolutions = Counter(
            "switchboard_support_resolutions_total",
            "Tickets resolved, by the channel they came in on and the team that resolved them.",
            _SUPPORT_LABELS,
            registry=registry,
        )
        self.recontacts = Counter(
            "switchboard_support_recontacts_total",
            "Resolutions followed within the first-contact window by a reopen or a repeat "
            "contact (a new conversation about the same problem): not first-contact resolved. "
            "Labelled with the team that resolved the ticket.",
            [*_SUPPORT_LABELS, "kind"],
            registry=registry,
        )
        self.csat = Histogram(
            "switchboard_support_csat_score",
            "CSAT ratings (ticket.rated, 1-5), about the team that resolved the ticket (or the "
            "team the rating names): _sum/_count is the mean, le=3 the dissatisfied.",
            _SUPPORT_LABELS,
            buckets=(1, 2, 3, 4, 5),
            registry=registry,
        )

    def start_support_at_zero(self, teams: list[TeamConfig]) -> None:
        """Every label set of the support counters at 0, so that ``increase()`` sees the
        first resolution or rating of a team."""
        for team in teams:
            for channel in Channel:
                labels = (channel.value, team.id, team.kind.value)
                self.resolutions.labels(*labels)
                for kind in RECONTACT_KINDS:
                    self.recontacts.labels(*labels, kind)
                self.csat.labels(*labels)
