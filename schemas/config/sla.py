"""SLA policies: targets by channel, priority, tier and marketplace."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Channel, CustomerTier, Priority


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyMatch(_Strict):
    """Which tickets a policy applies to; an empty list matches everything."""

    channels: list[Channel] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    tiers: list[CustomerTier] = Field(default_factory=list)
    marketplaces: list[str] = Field(default_factory=list)


class SlaPolicy(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    match: PolicyMatch = Field(default_factory=PolicyMatch)
    first_response: timedelta = Field(gt=timedelta(0))
    resolution: timedelta | None = Field(default=None, gt=timedelta(0))


class SlaConfig(_Strict):
    at_risk_share: float = Field(default=0.8, gt=0, lt=1)
    policies: list[SlaPolicy] = Field(min_length=1)
