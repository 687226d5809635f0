"""Team registry: in-house teams and outsourced partners, with what they can handle,
when they work, and (for partners) the contract that bounds what may be sent to them."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.base import Channel, CustomerTier, TeamId, TeamKind
from schemas.config.quality import PartnerQualityConfig
from schemas.config.rings import RelaxationRing, WiderRingOnly

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as 'Europe/Tallinn')"
        ) from None
    return name


def parse_range(text: str) -> tuple[int, int]:
    """``"08:30-17:00"`` -> minutes after local midnight ``(510, 1020)``; ``24:00`` ends a day."""
    match = _RANGE.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time range like '08:00-17:30'")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start_h > 23 or start_m > 59 or end_m > 59 or end > 24 * 60:
        raise ValueError(f"{text!r} is not a valid time of day range")
    if start >= end:
        raise ValueError(
            f"{text!r} ends before it starts; split a shift across midnight into "
            "'22:00-24:00' on one day and '00:00-06:00' on the next"
        )
    return start, end


class WorkingHours(_Strict):
    """When the team works, in its own time zone, and whether public holidays close it."""

    time_zone: str = Field(description="IANA time zone, e.g. 'Europe/Tallinn'.")
    weekly: dict[Weekday, list[str]] = Field(
        description="Open ranges per weekday in local time ('08:00-17:00'); "
        "a day left out is closed. '00:00-24:00' is the whole day."
    )
    holidays_country: str | None = Field(
        default=None,
        description="ISO 3166 country whose public holidays close the team "
        "(the `holidays` library); none: holidays are working days.",
    )
    holidays_subdivision: str | None = Field(
        default=None, description="State or region for regional holidays, e.g. 'BY' in DE."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("weekly")
    @classmethod
    def _ranges_valid(cls, value: dict[Weekday, list[str]]) -> dict[Weekday, list[str]]:
        for day, ranges in value.items():
            parsed = sorted(parse_range(text) for text in ranges)
            for (_, end), (start, _) in itertools.pairwise(parsed):
                if start < end:
                    raise ValueError(f"ranges on {day} overlap: {ranges}")
        return value

    @model_validator(mode="after")
    def _holiday_calendar_exists(self) -> WorkingHours:
        if self.holidays_subdivision and not self.holidays_country:
            raise ValueError("holidays_subdivision needs holidays_country")
        if self.holidays_country:
            try:
                holidays.country_holidays(self.holidays_country, subdiv=self.holidays_subdivision)
            except NotImplementedError as exc:
                raise ValueError(f"no public holiday calendar: {exc}") from None
        return self

    def ranges(self, day: Weekday) -> list[tuple[int, int]]:
        return sorted(parse_range(text) for text in self.weekly.get(day, []))


class DataPolicy(_Strict):
    """Tickets that may never leave the house: any match keeps a ticket in-house."""

    never_skills: list[str] = Field(
        default_factory=list, description="e.g. 'payments_billing' (payment disputes)."
    )
    never_tiers: list[CustomerTier] = Field(default_factory=list, description="e.g. 'vip'.")
    never_marketplaces: list[str] = Field(default_factory=list)
    wider_ring_only: list[WiderRingOnly] = Field(
        default_factory=list,
        description="Tickets a partner may receive only after they waited: the partner is "
        "in a wider ring for them (never_* still wins: no ring lets those out).",
    )


class PartnerContract(_Strict):
    daily_volume_cap: int | None = Field(
        default=None,
        ge=0,
        description="Tickets that may be offered to the partner per contract day (its own "
        "time zone); none: no cap.",
    )
    minimum_daily_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of the desk's daily tickets the contract promises the partner; "
        "partners below it are preferred among partners that fit (never over in-house).",
    )
    offer_accept_timeout: timedelta = Field(
        default=timedelta(minutes=3),
        gt=timedelta(0),
        description="An offer not accepted within this time expires and the ticket moves on.",
    )
    data_policy: DataPolicy = Field(
        default_factory=DataPolicy,
        description="What this partner may never see, on top of the house-wide policy.",
    )


class ClaimsConfig(_Strict):
    """In-house teams: how the router shares the team's queue among its agents."""

    distribution: Literal["least_loaded", "round_robin"] = Field(
        default="least_loaded",
        description="Who gets a waiting ticket among the online agents with room: the one "
        "holding fewest tickets (then the one whose last ticket came longest ago), or the "
        "one whose last ticket came longest ago whatever it holds.",
    )
    agent_limits: dict[str, int] = Field(
        default_factory=dict,
        description="Agent id -> tickets that agent may hold at once; agents not listed "
        "hold up to the team's 'concurrency'.",
    )
    respond_within: timedelta = Field(
        default=timedelta(minutes=10),
        gt=timedelta(0),
        description="A ticket held this long (clock time) without a first response goes "
        "back to the team's queue.",
    )

    @field_validator("agent_limits")
    @classmethod
    def _limits_positive(cls, value: dict[str, int]) -> dict[str, int]:
        for agent, limit in value.items():
            if limit < 1:
                raise ValueError(f"agent {agent!r} needs a limit of at least 1, got {limit}")
        return value


class TeamConfig(_Strict):
    id: TeamId
    name: str = Field(min_length=1)
    kind: TeamKind
    skills: dict[str, float] = Field(
        min_length=1, description="Skill -> proficiency in (0, 1]; 1 is expert."
    )
    languages: list[str] = Field(min_length=1, description="ISO 639-1 codes.")
    channels: list[Channel] = Field(min_length=1)
    capabilities: list[str] = Field(
        default_factory=list,
        description="What the team can do beyond skills, matched against a ticket's 'needs'. "
        "'voice' is implied by the phone channel, 'marketplace' by the marketplace channel.",
    )
    agents: int = Field(ge=0, description="Agents normally on shift.")
    concurrency: int = Field(default=1, ge=1, description="Tickets one agent works at once.")
    cost_per_ticket: Decimal = Field(default=Decimal(0), ge=0)
    mean_handle_time: timedelta = Field(
        default=timedelta(minutes=15),
        gt=timedelta(0),
        description="How long a ticket usually holds one of the team's slots (assignment to "
        "resolution); the router's prior until it has measured the team's own throughput.",
    )
    hours: WorkingHours | None = Field(
        default=None, description="Working hours; none: the team is always open."
    )
    fallback_language: str | None = Field(
        default=None,
        description="One of `languages`: what the team works tickets of other languages in, "
        "when a ring lets it take them (with a translation).",
    )
    rings: list[RelaxationRing] = Field(
        default_factory=list,
        description="Relaxation rings, by increasing wait: what the team also takes once a "
        "ticket has waited that long and nobody in a nearer ring has room.",
    )
    contract: PartnerContract | None = Field(
        default=None, description="Partners only: volume cap, minimum share, offers, data."
    )
    claims: ClaimsConfig = Field(
        default_factory=ClaimsConfig,
        description="In-house only: distribution among agents, per-agent limits, and how long "
        "an agent may hold a ticket without answering.",
    )

    @model_validator(mode="after")
    def _proficiencies_in_range(self) -> TeamConfig:
        for skill, proficiency in self.skills.items():
            if not 0 < proficiency <= 1:
                raise ValueError(f"proficiency of {skill!r} must be in (0, 1], got {proficiency}")
        return self

    @model_validator(mode="after")
    def _rings_widen_in_order(self) -> TeamConfig:
        waits = [ring.after for ring in self.rings]
        if waits != sorted(set(waits)):
            raise ValueError("rings must be listed by strictly increasing 'after'")
        if self.fallback_language is not None and self.fallback_language not in self.languages:
            raise ValueError(
                f"fallback_language {self.fallback_language!r} is not one of the team's languages"
            )
        for index, ring in enumerate(self.rings):
            if ring.languages and self.fallback_language is None:
                raise ValueError(
                    f"rings[{index}] takes other languages: the team needs a fallback_language"
                )
            if overlap := sorted(set(ring.skills) & set(self.skills)):
                raise ValueError(
                    f"rings[{index}].skills: the team already has {', '.join(overlap)}"
                )
        return self

    @model_validator(mode="after")
    def _contract_only_for_partners(self) -> TeamConfig:
        if self.kind is TeamKind.PARTNER and self.contract is None:
            raise ValueError("a partner needs a 'contract' (offer_accept_timeout, caps, data)")
        if self.kind is TeamKind.IN_HOUSE and self.contract is not None:
            raise ValueError("only partners have a 'contract'")
        if self.kind is TeamKind.PARTNER and self.claims != ClaimsConfig():
            raise ValueError("only in-house teams have 'claims' (partners work through the API)")
        return self

    def agent_limit(self, agent_id: str) -> int:
        """Tickets one agent may hold at once."""
        return self.claims.agent_limits.get(agent_id, self.concurrency)

    @property
    def capacity(self) -> int:
        """Tickets the team can hold at once: agents x concurrent tickets."""
        return self.agents * self.concurrency

    @property
    def all_capabilities(self) -> frozenset[str]:
        implied = {"voice"} if Channel.PHONE in self.channels else set()
        if Channel.MARKETPLACE in self.channels:
            implied.add("marketplace")
        return frozenset(self.capabilities) | implied


class OutsourcingConfig(_Strict):
    """House-wide limits on what goes to partners."""

    share_limit: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Largest share of the day's assignments that may go to partners while an "
        "in-house team could take the ticket; tickets no in-house team can take still go out.",
    )
    day_time_zone: str = Field(
        default="UTC", description="Time zone whose midnight starts the desk's day."
    )
    data_policy: DataPolicy = Field(
        default_factory=DataPolicy, description="Applies to every partner."
    )
    quality: PartnerQualityConfig = Field(
        default_factory=PartnerQualityConfig,
        description="How partners' measured quality weighs against their price.",
    )

    @field_validator("day_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)
