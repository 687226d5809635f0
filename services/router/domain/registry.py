"""The team registry compiled for fast decisions.

Which teams could ever take a ticket depends only on its skill, language,
channel, needs, customer tier and marketplace (the data policy): that "static"
candidate list is computed once per combination and memoised, so a decision
only does the dynamic checks (hours, load, contract) for those teams.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from schemas.base import Channel, CustomerTier, TeamKind
from schemas.config.rings import RelaxationRing, WiderRingOnly
from schemas.config.teams import DataPolicy, OutsourcingConfig, TeamConfig
from services.router.domain.hours import OpeningHours

#: Language code ingest uses when it could not tell: any team may take those.
UNDETERMINED = "und"

_STATIC_CACHE_LIMIT = 4096

LoadT = TypeVar("LoadT")


@dataclass(frozen=True, slots=True, eq=False)
class TeamProfile:
    id: str
    name: str
    kind: TeamKind
    partner: bool
    skills: dict[str, float]
    languages: frozenset[str]
    channels: frozenset[Channel]
    capabilities: frozenset[str]
    agents: int
    concurrency: int
    cost: Decimal
    handle_seconds: float
    hours: OpeningHours
    volume_cap: int | None
    minimum_share: float
    offer_timeout: timedelta
    never_skills: frozenset[str]
    never_tiers: frozenset[CustomerTier]
    never_marketplaces: frozenset[str]
    fallback_language: str | None = None
    rings: tuple[RelaxationRing, ...] = ()
    wider_ring_only: tuple[WiderRingOnly, ...] = ()  # partners: house-wide and own

    @property
    def capacity(self) -> int:
        return self.agents * self.concurrency

    @property
    def contract_zone(self) -> ZoneInfo:
        return self.hours.time_zone

    def may_receive(self, skill: str, tier: CustomerTier, marketplace: str | None) -> bool:
        """The data policy: tickets matching it never leave the house."""
        if not self.partner:
            return True
        return not (
            skill in self.never_skills
            or tier in self.never_tiers
            or (marketplace is not None and marketplace in self.never_marketplaces)
        )

    def held_back(self, skill: str, tier: CustomerTier, marketplace: str | None) -> float | None:
        """Seconds a ticket must wait before this partner may see it (the data policy's
        ``wider_ring_only``); None when nothing holds it back."""
        waits = [
            rule.after.total_seconds()
            for rule in self.wider_ring_only
            if rule.matches(skill, tier, marketplace)
        ]
        return max(waits) if waits else None


def compile_team(config: TeamConfig, house: DataPolicy) -> TeamProfile:
    contract = config.contract
    own = contract.data_policy if contract else DataPolicy()
    partner = config.kind is TeamKind.PARTNER
    return TeamProfile(
        id=config.id,
        name=config.name,
        kind=config.kind,
        partner=partner,
        skills=dict(config.skills),
        languages=frozenset(config.languages),
        channels=frozenset(config.channels),
        capabilities=config.all_capabilities,
        agents=config.agents,
        concurrency=config.concurrency,
        cost=config.cost_per_ticket,
        handle_seconds=config.mean_handle_time.total_seconds(),
        hours=OpeningHours(config.hours),
        volume_cap=contract.daily_volume_cap if contract else None,
        minimum_share=contract.minimum_daily_share if contract else 0.0,
        offer_timeout=contract.offer_accept_timeout if contract else timedelta(0),
        never_skills=frozenset(house.never_skills) | frozenset(own.never_skills)
        if partner
        else frozenset(),
        never_tiers=frozenset(house.never_tiers) | frozenset(own.never_tiers)
        if partner
        else frozenset(),
        never_marketplaces=frozenset(house.never_marketplaces) | frozenset(own.never_marketplaces)
        if partner
        else frozenset(),
        fallback_language=config.fallback_language,
        rings=tuple(config.rings),
        wider_ring_only=(*house.wider_ring_only, *own.wider_ring_only) if partner else (),
    )


@dataclass(frozen=True, slots=True)
class TicketProfile:
    """What decides which teams could ever take a ticket."""

    skill: str
    language: str
    channel: Channel
    needs: frozenset[str]
    tier: CustomerTier
    marketplace: str | None


Candidate = tuple[TeamProfile, float]  # the team and its proficiency in the skill


class Registry:
    def __init__(self, teams: list[TeamConfig], outsourcing: OutsourcingConfig) -> None:
        self.teams: tuple[TeamProfile, ...] = tuple(
            compile_team(team, outsourcing.data_policy) for team in teams
        )
        self.by_id = {team.id: team for team in self.teams}
        self.share_limit = outsourcing.share_limit
        self.quality = outsourcing.quality
        self.desk_zone = ZoneInfo(outsourcing.day_time_zone)
        by_skill: dict[str, list[Candidate]] = {}
        for team in sorted(self.teams, key=lambda t: t.id):
            for skill, proficiency in team.skills.items():
                by_skill.setdefault(skill, []).append((team, proficiency))
        self._by_skill = {skill: tuple(teams) for skill, teams in by_skill.items()}
        self._static: dict[TicketProfile, tuple[Candidate, ...]] = {}
        #: The wider rings of each ticket profile (``rings.levels``), memoised there.
        self.ring_cache: dict[TicketProfile, tuple[object, ...]] = {}
        self._waits: dict[str, tuple[object, float]] = {}

    def wait_memo(
        self, team: TeamProfile, load: LoadT, compute: Callable[[TeamProfile, LoadT], float]
    ) -> float:
        """``compute(team, load)``, remembered while the view hands out the same (immutable)
        load object for the team: one recomputation per change."""
        cached = self._waits.get(team.id)
        if cached is not None and cached[0] is load:
            return cached[1]
        wait = compute(team, load)
        self._waits[team.id] = (load, wait)
        return wait

    def candidates(self, ticket: TicketProfile) -> tuple[Candidate, ...]:
        """Teams whose skills, languages, channels, capabilities and data policy allow the
        ticket without waiting (ring 0), by team id."""
        cached = self._static.get(ticket)
        if cached is not None:
            return cached
        found = tuple(
            (team, proficiency)
            for team, proficiency in self._by_skill.get(ticket.skill, ())
            if (ticket.language == UNDETERMINED or ticket.language in team.languages)
            and ticket.channel in team.channels
            and ticket.needs <= team.capabilities
            and team.may_receive(ticket.skill, ticket.tier, ticket.marketplace)
            and not (
                team.wider_ring_only
                and team.held_back(ticket.skill, ticket.tier, ticket.marketplace) is not None
            )
        )
        if len(self._static) >= _STATIC_CACHE_LIMIT:
            self._static.clear()
        self._static[ticket] = found
        return found

    def explain_no_candidates(self, ticket: TicketProfile) -> str:
        """Why no team could ever take this ticket (used when nobody is eligible)."""
        teams = [team for team, _ in self._by_skill.get(ticket.skill, ())]
        if not teams:
            return f"no team handles {ticket.skill}"
        steps = (
            (
                f"speaks {ticket.language}",
                lambda t: ticket.language == UNDETERMINED or ticket.language in t.languages,
            ),
            (f"works the {ticket.channel.value} channel", lambda t: ticket.channel in t.channels),
            (f"can do {', '.join(sorted(ticket.needs))}", lambda t: ticket.needs <= t.capabilities),
        )
        for label, test in steps:
            teams = [team for team in teams if test(team)]
            if not teams:
                return f"no team with {ticket.skill} {label}"
        return (
            f"only partners handle {ticket.skill} in {ticket.language} on "
            f"{ticket.channel.value}, and the data policy keeps this ticket in-house"
        )
