"""Partner quality: how first-contact resolution and customer satisfaction weigh against
price when the router chooses a partner to overflow to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class PartnerQualityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: timedelta = Field(
        default=timedelta(days=7),
        ge=timedelta(days=1),
        description="Rolling window of resolutions and ratings a partner is judged on "
        "(whole days in the desk's time zone).",
    )
    first_contact_window: timedelta = Field(
        default=timedelta(days=3),
        gt=timedelta(0),
        description="A resolution is a first-contact resolution when no reopen and no "
        "repeat contact follows within this long (routing and metrics).",
    )
    min_resolutions: int = Field(
        default=30, ge=1, description="Resolutions in the window before its FCR counts."
    )
    min_ratings: int = Field(
        default=20, ge=1, description="CSAT ratings in the window before its CSAT counts."
    )
    repeat_contact_cost: Decimal = Field(
        default=Decimal(0),
        ge=0,
        description="What a ticket not resolved at first contact costs on top (currency per "
        "ticket): a partner's effective price adds (1 - FCR) x this. 0: FCR is ignored.",
    )
    csat_point_value: Decimal = Field(
        default=Decimal(0),
        ge=0,
        description="What one point of mean CSAT (1-5) is worth per ticket: a partner's "
        "effective price adds (5 - CSAT) x this. 0: CSAT is ignored.",
    )

    @property
    def weighs_quality(self) -> bool:
        return self.repeat_contact_cost > 0 or self.csat_point_value > 0
