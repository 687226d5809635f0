"""``partner_api:``: who may call the partner assignment API, and what each partner sees.

Keyed by the partner's team id (a ``kind: partner`` team of ``teams:``). API keys are
stored as the SHA-256 of the key (``switchboard partner-key`` mints one and prints
its hash); the key itself is shown once and never stored.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum

from limits import parse_many
from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from schemas.base import TeamId

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartnerField(StrEnum):
    """Personal or order data a partner may receive. Anything else about the customer is
    never sent; routing facts (channel, language, skill, priority, deadlines) always are."""

    CUSTOMER_ID = "customer.id"  # a pseudonym, stable per partner, never our own key
    CUSTOMER_NAME = "customer.name"  # as the customer gave it
    CUSTOMER_EMAIL = "customer.email"
    CUSTOMER_EMAIL_MASKED = "customer.email_masked"  # k***@e***.com
    CUSTOMER_PHONE = "customer.phone"
    CUSTOMER_PHONE_MASKED = "customer.phone_masked"  # ***67
    CUSTOMER_HANDLE = "customer.handle"  # social media handle
    ORDER_ID = "order.id"
    ORDER_VALUE = "order.value"  # amount and currency
    ORDER_MARKETPLACE = "order.marketplace"
    SUBJECT = "ticket.subject"
    CONVERSATION = "ticket.conversation"  # the customer's messages, as written


#: What a partner sees unless its entry says otherwise: enough to answer the customer.
DEFAULT_FIELDS: tuple[PartnerField, ...] = (
    PartnerField.CUSTOMER_ID,
    PartnerField.CUSTOMER_NAME,
    PartnerField.CUSTOMER_EMAIL_MASKED,
    PartnerField.CUSTOMER_PHONE_MASKED,
    PartnerField.ORDER_ID,
    PartnerField.SUBJECT,
    PartnerField.CONVERSATION,
)


class ApiKey(_Strict):
    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Names the key in audit events and metrics, e.g. 'riga-2026-11'.",
    )
    sha256: str = Field(description="Hex SHA-256 of the key, as `switchboard partner-key` prints.")
    revoked: bool = Field(default=False, description="True: every request with it answers 401.")
    expires_at: AwareDatetime | None = Field(
        default=None, description="After this instant the key answers 401 (for rotation)."
    )

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        if not _HEX64.match(value):
            raise ValueError("sha256 must be 64 lower-case hex digits (the key's SHA-256)")
        return value


class Webhook(_Strict):
    url: AnyHttpUrl = Field(description="Where new offers are POSTed; https unless loopback.")
    signing_secret_env: str = Field(
        description="Environment variable holding the HMAC signing secret shared with the "
        "partner (at least 32 characters); secrets never live in this file."
    )

    @field_validator("url")
    @classmethod
    def _https_unless_loopback(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        if value.scheme != "https" and not _is_loopback(value.host or ""):
            raise ValueError("webhook URLs must use https (plain http only for loopback)")
        return value

    @field_validator("signing_secret_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("signing_secret_env must name an environment variable (A-Z, 0-9, _)")
        return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class PartnerAccess(_Strict):
    keys: list[ApiKey] = Field(
        default_factory=list, description="Several may be active at once, for rotation."
    )
    fields: list[PartnerField] = Field(
        default_factory=lambda: list(DEFAULT_FIELDS),
        description="The allow-list: personal and order data this partner may receive.",
    )
    rate_limit: str = Field(
        default="20/second;600/minute",
        description="Requests per API key, in the `limits` notation ('20/second;600/minute').",
    )
    max_agents: int = Field(
        default=1_000, ge=1, le=100_000, description="Largest headcount it may announce."
    )
    webhook: Webhook | None = Field(default=None, description="Push new offers to the partner.")

    @field_validator("fields")
    @classmethod
    def _one_form_of_each(cls, value: list[PartnerField]) -> list[PartnerField]:
        chosen = set(value)
        for clear, masked in (
            (PartnerField.CUSTOMER_EMAIL, PartnerField.CUSTOMER_EMAIL_MASKED),
            (PartnerField.CUSTOMER_PHONE, PartnerField.CUSTOMER_PHONE_MASKED),
        ):
            if clear in chosen and masked in chosen:
                raise ValueError(f"choose {clear.value!r} or {masked.value!r}, not both")
        return sorted(chosen)

    @field_validator("rate_limit")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '20/second;600/minute': {exc}") from None
        return value


class PartnerApiConfig(_Strict):
    partners: dict[TeamId, PartnerAccess] = Field(
        default_factory=dict, description="Partner team id -> its keys, data and limits."
    )
