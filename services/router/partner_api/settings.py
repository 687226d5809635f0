from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from plumbing.settings import ServiceSettings


class PartnerApiSettings(ServiceSettings):
    http_port: int = Field(default=8004, ge=0, le=65535)
    partner_api_pseudonym_key: SecretStr = Field(
        min_length=32,
        description="Secret keying the per-partner customer pseudonyms (HMAC-SHA256). "
        "Changing it changes every pseudonym; keep it stable and secret.",
    )
    partner_api_max_body_bytes: int = Field(
        default=16 * 1024, gt=0, description="Larger request bodies are refused (413)."
    )
    partner_api_confirm_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a write waits for the view to confirm its outcome before "
        "answering 503 (the client retries with the same Idempotency-Key).",
    )
    partner_api_read_barrier_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How long a request waits for this instance's view to catch up with "
        "everything committed before it (read-your-writes across instances).",
    )
    partner_api_accept_margin_seconds: float = Field(
        default=2.0,
        ge=0,
        description="Offers are not accepted this close to their expiry, so the accept "
        "reaches the router before its timer expires the offer.",
    )
    partner_api_view_retention: timedelta = Field(
        default=timedelta(days=35),
        gt=timedelta(0),
        description="How long a partner ticket is kept after its last change (statistics).",
    )
    partner_api_facts_retention: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="How long a resolved ticket never offered to a partner is kept, in case "
        "it is reopened and offered then (the router's reopen memory).",
    )
    partner_api_purge_interval_seconds: float = Field(
        default=600.0, gt=0, description="How often (real seconds) expired records are removed."
    )
    partner_api_auth_failure_limit: str = Field(
        default="30/minute",
        description="Failed authentications per client address before 429 (limits notation).",
    )
    partner_api_webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    partner_api_webhook_max_backoff_seconds: float = Field(
        default=60.0, gt=0, description="Longest pause between two attempts of a delivery."
    )
