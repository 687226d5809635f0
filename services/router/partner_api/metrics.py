"""The partner API's Prometheus metrics (besides the processors' and FastStream's)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class PartnerApiMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "switchboard_partner_api_requests_total",
            "Partner API requests, by partner (team id, 'unknown' before authentication), "
            "endpoint (route name) and HTTP status.",
            ["partner", "endpoint", "status"],
            registry=registry,
        )
        self.request_seconds = Histogram(
            "switchboard_partner_api_request_seconds",
            "Time to answer a partner API request (audit included).",
            ["endpoint"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.auth_failures = Counter(
            "switchboard_partner_api_auth_failures_total",
            "Requests refused for their API key, by reason.",
            ["reason"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "switchboard_partner_api_rate_limited_total",
            "Requests answered 429, by partner ('unknown': too many failed authentications).",
            ["partner"],
            registry=registry,
        )
        self.idempotent_replays = Counter(
            "switchboard_partner_api_idempotent_replays_total",
            "Retried writes answered from their first outcome instead of acting again.",
            ["partner"],
            registry=registry,
        )
        self.webhooks = Counter(
            "switchboard_partner_api_webhook_deliveries_total",
            "Webhook delivery attempts, by partner and outcome (delivered, failed: the "
            "attempt failed and will be retried, abandoned: the offer ended first).",
            ["partner", "outcome"],
            registry=registry,
        )
        self.view_lag = Histogram(
            "switchboard_partner_api_view_lag_seconds",
            "From publishing a partner's action to its outcome in this instance's view.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.read_barrier_timeouts = Counter(
            "switchboard_partner_api_read_barrier_timeouts_total",
            "Requests answered from a view that had not caught up within the barrier time.",
            registry=registry,
        )
        self.audit_failures = Counter(
            "switchboard_partner_api_audit_failures_total",
            "Audit events that could not be written (reads are then refused with 503).",
            registry=registry,
        )
        self.invalid_records = Counter(
            "switchboard_partner_api_invalid_records_total",
            "Records of other services' topics the partner API could not use and skipped.",
            ["topic"],
            registry=registry,
        )
