"""SLA policies: targets by channel, priority, tier and marketplace, in calendar or business
hours, with seasonal policy sets by date range, and the forecast settings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.calendars import BusinessCalendar, valid_timezone

#: Clocks keep targets in 32-bit milliseconds; nothing sensible comes close.
MAX_TARGET = timedelta(days=45)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyMatch(_Strict):
    """Which tickets a policy applies to; an empty list matches everything."""

    channels: list[Channel] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    tiers: list[CustomerTier] = Field(default_factory=list)
    marketplaces: list[str] = Field(default_factory=list)

    def fits(
        self, channel: Channel, priority: Priority, tier: CustomerTier, marketplace: str | None
    ) -> bool:
        return (
            (not self.channels or channel in self.channels)
            and (not self.priorities or priority in self.priorities)
            and (not self.tiers or tier in self.tiers)
            and (not self.marketplaces or marketplace in self.marketplaces)
        )


def _target(value: timedelta | None) -> timedelta | None:
    if value is not None and value > MAX_TARGET:
        raise ValueError(f"a target longer than {MAX_TARGET.days} days is not supported")
    return value


class SlaPolicy(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    match: PolicyMatch = Field(default_factory=PolicyMatch)
    first_response: timedelta = Field(gt=timedelta(0), description="Time to the first reply.")
    next_response: timedelta | None = Field(
        default=None,
        gt=timedelta(0),
        description="Time to answer each later customer message; none: not measured.",
    )
    resolution: timedelta | None = Field(
        default=None, gt=timedelta(0), description="Time to resolve, minus customer waits."
    )
    business_hours: str | None = Field(
        default=None,
        description="Id of a calendar under sla.calendars: the targets count only its "
        "working time. None: calendar hours (24/7).",
    )

    _check_targets = field_validator("first_response", "next_response", "resolution")(_target)


class SlaSeason(_Strict):
    """A policy set in force between two dates (inclusive), e.g. Black Friday week.

    Its policies are tried before the base policies while the season lasts; tickets the
    season does not cover fall through to the base policies.
    """

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    starts: date
    ends: date = Field(description="Last day of the season, inclusive.")
    timezone: str = Field(default="UTC", description="Where the dates begin and end.")
    policies: list[SlaPolicy] = Field(min_length=1)

    _check_timezone = field_validator("timezone")(valid_timezone)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> SlaSeason:
        if self.ends < self.starts:
            raise ValueError(f"season {self.id!r} ends ({self.ends}) before it starts")
        return self

    @property
    def begins_at(self) -> datetime:
        return datetime.combine(self.starts, time(), ZoneInfo(self.timezone)).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the season."""
        last = self.ends + timedelta(days=1)
        return datetime.combine(last, time(), ZoneInfo(self.timezone)).astimezone(UTC)


class ForecastConfig(_Strict):
    """Next-hour forecast per queue (team x skill); see docs/architecture.md, "SLA"."""

    horizon: timedelta = Field(default=timedelta(hours=1), gt=timedelta(0))
    service_level_target: float = Field(
        default=0.8, gt=0, le=1, description="Share of first responses due within target."
    )
    arrival_window: timedelta = Field(
        default=timedelta(minutes=30), gt=timedelta(0), description="Recent arrival rate."
    )
    baseline_window: timedelta = Field(
        default=timedelta(hours=24), gt=timedelta(0), description="What 'normal' means."
    )
    service_window: timedelta = Field(
        default=timedelta(hours=2), gt=timedelta(0), description="Service rate measured over."
    )
    bucket: timedelta = Field(default=timedelta(minutes=5), gt=timedelta(0))
    peak_factor: float = Field(
        default=1.5, gt=1, description="Peak: recent arrivals above baseline x this."
    )
    peak_min_arrivals_per_hour: float = Field(
        default=6, ge=0, description="Below this recent rate nothing is a peak."
    )
    default_handle_time: timedelta = Field(
        default=timedelta(minutes=15),
        gt=timedelta(0),
        description="Handle time assumed until enough first responses were measured.",
    )
    min_completions: int = Field(
        default=10, ge=1, description="First responses needed before the measured rate is used."
    )

    @model_validator(mode="after")
    def _windows_hold_buckets(self) -> ForecastConfig:
        for name in ("arrival_window", "baseline_window", "service_window"):
            if getattr(self, name) < self.bucket:
                raise ValueError(f"{name} must be at least one bucket ({self.bucket})")
        if self.baseline_window <= self.arrival_window:
            raise ValueError("baseline_window must be longer than arrival_window")
        return self


class SlaConfig(_Strict):
    at_risk_share: float = Field(default=0.8, gt=0, lt=1)
    calendars: dict[str, BusinessCalendar] = Field(default_factory=dict)
    policies: list[SlaPolicy] = Field(
        min_length=1, description="First match wins; the last one is the fallback."
    )
    seasons: list[SlaSeason] = Field(default_factory=list)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)

    @model_validator(mode="after")
    def _consistent(self) -> SlaConfig:
        seen: set[str] = set()
        for policy in self.all_policies():
            if policy.id in seen:
                raise ValueError(f"policy id {policy.id!r} is used twice")
            seen.add(policy.id)
            if policy.business_hours is not None and policy.business_hours not in self.calendars:
                raise ValueError(
                    f"policy {policy.id!r} uses business_hours {policy.business_hours!r}, "
                    f"which is not under sla.calendars (known: {sorted(self.calendars)})"
                )
        seasons = sorted(self.seasons, key=lambda season: season.begins_at)
        for earlier, later in pairwise(seasons):
            if later.begins_at < earlier.ends_at:
                raise ValueError(f"seasons {earlier.id!r} and {later.id!r} overlap")
        if len({season.id for season in seasons}) != len(seasons):
            raise ValueError("season ids must be unique")
        return self

    def all_policies(self) -> list[SlaPolicy]:
        return [*self.policies, *(p for season in self.seasons for p in season.policies)]

    def policy(self, policy_id: str) -> SlaPolicy | None:
        return next((p for p in self.all_policies() if p.id == policy_id), None)

    def season_at(self, at: datetime) -> SlaSeason | None:
        return next((s for s in self.seasons if s.begins_at <= at < s.ends_at), None)

    def policy_for(
        self,
        *,
        channel: Channel,
        priority: Priority,
        tier: CustomerTier,
        marketplace: str | None,
        at: datetime | None = None,
    ) -> SlaPolicy:
        """The policy for a ticket: while a season lasts (``at``), its first matching policy;
        otherwise the first matching base policy, the last base policy as the fallback."""
        season = self.season_at(at) if at is not None else None
        if season is not None:
            for policy in season.policies:
                if policy.match.fits(channel, priority, tier, marketplace):
                    return policy
        for policy in self.policies:
            if policy.match.fits(channel, priority, tier, marketplace):
                return policy
        return self.policies[-1]
