"""Routing policies for the desk: Switchboard's, and the baselines peers use.

Every policy sees the same desk: the router's registry of teams (``Registry``) and its
live load view (``LoadBook``: open tickets per team, capacity from the ``teams``
announcements, recent throughput, partner offers per contract day). A policy returns a
``Choice`` (a team, and for the timed-overflow baseline how long the in-house team has
to start the ticket) or ``None``: nobody can take it now, it waits in the pending
backlog and is decided again when a team it could go to opens, frees a slot or gains
capacity.

Terms shared by the baselines:

* *matches*: the team has the ticket's skill, language (``und``: any), channel and the
  capabilities the channel needs. Baselines do **not** apply the data policy (skills,
  tiers, marketplaces that must stay in-house): the desk counts the tickets each one
  sends to partners against it.
* *available*: the team matches, has not given this ticket back, is on line, is open
  now (working hours and holidays) and, for a partner, is below its contract's daily
  volume cap. Peers' routers know all of this (agent status, business hours).
* *utilisation*: open tickets (queued, offered, accepted) over slots.

The policies:

``switchboard``
    ``services.router.domain.policy.decide``, the router's own decision, on the real
    load view: data policy, capacity as a hard limit, in-house first while the
    predicted wait (Erlang C) fits the SLA budget, otherwise the partner that fits
    with the lowest price (weighed with its measured quality when the config says
    so), within the outsourcing share limit; when nobody exactly right has room, the
    config's relaxation rings, each once the ticket has waited for it.
``switchboard_no_rings``
    The same decision without relaxation rings (Switchboard before issue 18): a ticket
    waits for a team that matches it exactly.
``round_robin``
    Among available teams, the one assigned a ticket least recently (ties by team id),
    whatever its load: tickets beyond a team's slots wait in its line. In-house and
    partners alike.
``least_loaded``
    Among available teams with a free slot, the lowest utilisation (then fewer open
    tickets, then team id); none with a free slot: the ticket waits in the backlog.
    In-house and partners alike ("most available" routing with capacity).
``skills_only``
    Skill-based routing without overflow: the most proficient available in-house team
    (then the lowest utilisation, then id), whatever its load; while no in-house team
    that matches is open, the ticket waits for one. Partners get only tickets that no
    in-house team matches at all (the most proficient available partner, then the
    cheapest).
``timed_overflow``
    Overflow only after a timeout: like ``skills_only``, but a ticket an in-house agent
    has not started within ``overflow_after`` x the SLA budget it had when queued is
    taken back and offered to the cheapest available partner (then the most
    proficient, then id), whatever its load; if no partner is available then, it stays
    in-house. While no in-house team that matches is open, it goes to that partner at
    once (after-hours routing, which every ACD has). A partner that rejects or lets the
    offer expire is replaced by the next cheapest; with none left, the best available
    in-house team takes it back.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.router.domain import lifecycle, rings
from services.router.domain.budget import budget_left
from services.router.domain.policy import decide
from services.router.domain.registry import UNDETERMINED, Registry, TeamProfile, TicketProfile
from services.router.domain.state import TicketRoute
from services.router.loadbook import LoadBook


@dataclass(frozen=True, slots=True)
class Choice:
    team: TeamProfile
    #: In-house only: take the ticket back to a partner if not started within this.
    pickup_timeout: timedelta | None = None
    #: The team takes it through a translation (a relaxation ring).
    translated: bool = False
    #: Its proficiency in the ticket's skill (a ring's fallback skill is lower); None: the
    #: team's own.
    proficiency: float | None = None


class Strategy(Protocol):
    name: str
    #: What the policy decided, by kind (for the report).
    kinds: Counter[str]

    def choose(
        self, route: TicketRoute, profile: TicketProfile, now: datetime
    ) -> Choice | None: ...

    def overflow(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> bool:
        """At an in-house pickup timeout: should the ticket go to a partner now?"""
        ...

    def rings_open(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> int:
        """Wider relaxation rings open for the ticket now (0 for policies without)."""
        ...

    def next_ring_at(
        self, route: TicketRoute, profile: TicketProfile, now: datetime
    ) -> datetime | None:
        """When the ticket's next wider ring opens (None: no more, or no rings)."""
        ...

    def ring_teams(self, profile: TicketProfile, rings_open: int) -> list[str]:
        """Teams of the open wider rings (their changes can help the ticket too)."""
        ...

    def can_ever_take(self, profile: TicketProfile) -> bool:
        """Would some team ever be given such a ticket (hours and load aside)?"""
        ...


def matches(team: TeamProfile, ticket: TicketProfile) -> bool:
    return (
        ticket.skill in team.skills
        and (ticket.language == UNDETERMINED or ticket.language in team.languages)
        and ticket.channel in team.channels
        and ticket.needs <= team.capabilities
    )


class _Baseline:
    name = "baseline"

    def __init__(self, registry: Registry, book: LoadBook) -> None:
        self.registry = registry
        self.book = book
        self.kinds: Counter[str] = Counter()
        self._matching: dict[TicketProfile, tuple[TeamProfile, ...]] = {}

    def matching(self, ticket: TicketProfile) -> tuple[TeamProfile, ...]:
        found = self._matching.get(ticket)
        if found is None:
            ordered = sorted(self.registry.teams, key=lambda t: t.id)
            found = self._matching[ticket] = tuple(t for t in ordered if matches(t, ticket))
        return found

    def available(
        self, route: TicketRoute, ticket: TicketProfile, now: datetime, *, declined: bool = False
    ) -> list[TeamProfile]:
        """Available teams that match (``declined``: also those that gave it back)."""
        found = []
        for team in self.matching(ticket):
            if not declined and team.id in route.declined:
                continue
            load = self.book.load(team, now)
            if not load.online or not team.hours.is_open(now):
                continue
            if team.volume_cap is not None and load.offers_today >= team.volume_cap:
                continue
            found.append(team)
        return found

    def utilisation(self, team: TeamProfile, now: datetime) -> float:
        return self.book.load(team, now).utilisation

    def overflow(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> bool:
        return False

    def rings_open(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> int:
        return 0

    def next_ring_at(
        self, route: TicketRoute, profile: TicketProfile, now: datetime
    ) -> datetime | None:
        return None

    def ring_teams(self, profile: TicketProfile, rings_open: int) -> list[str]:
        return []

    def can_ever_take(self, profile: TicketProfile) -> bool:
        return bool(self.matching(profile))

    def _pick(
        self, kind: str, team: TeamProfile | None, pickup_timeout: timedelta | None = None
    ) -> Choice | None:
        self.kinds[kind if team is not None else "stalled"] += 1
        return Choice(team, pickup_timeout) if team is not None else None


class Switchboard(_Baseline):
    name = "switchboard"
    #: Whether the ticket's wait opens its relaxation rings.
    widens = True

    def choose(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> Choice | None:
        request = lifecycle.routing_request(route, now)
        if not self.widens:
            request = dataclasses.replace(request, waited_seconds=0.0)
        decision = decide(self.registry, request, self.book, now)
        self.kinds[decision.kind] += 1
        if decision.overflow_reason is not None:
            self.kinds[f"overflow: {decision.overflow_reason.value}"] += 1
        if decision.ring is not None:
            self.kinds[f"ring {decision.ring.level}"] += 1
            if decision.needs_translation:
                self.kinds["needs translation"] += 1
        if decision.team is None:
            return None
        if decision.kind == "overflow":
            fitting = [c for c in decision.considered if c.team.partner and c.fits and c.has_room]
            if len(fitting) > 1:  # a real choice between partners: whom did it go to?
                self.kinds[f"partner choice: {decision.team.id}"] += 1
        chosen = next(c for c in decision.considered if c.team is decision.team)
        return Choice(
            decision.team, translated=decision.needs_translation, proficiency=chosen.proficiency
        )

    def _waited(self, route: TicketRoute, now: datetime) -> float:
        return (now - route.facts.received_at).total_seconds() if self.widens else 0.0

    def rings_open(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> int:
        return rings.open_levels(self.registry, profile, self._waited(route, now))

    def next_ring_at(
        self, route: TicketRoute, profile: TicketProfile, now: datetime
    ) -> datetime | None:
        if not self.widens:
            return None
        after = rings.next_ring_after(self.registry, profile, self._waited(route, now))
        return None if after is None else route.facts.received_at + timedelta(seconds=after)

    def ring_teams(self, profile: TicketProfile, rings_open: int) -> list[str]:
        levels = rings.levels(self.registry, profile)[:rings_open]
        return [c.team.id for level in levels for c in level.candidates]

    def can_ever_take(self, profile: TicketProfile) -> bool:
        """Its candidates (the data policy applied) or, with rings, any wider ring."""
        return bool(self.registry.candidates(profile)) or (
            self.widens and bool(rings.levels(self.registry, profile))
        )


class SwitchboardWithoutRings(Switchboard):
    """The router's policy as before issue 18: no relaxation rings (ring 0 only)."""

    name = "switchboard_no_rings"
    widens = False


class RoundRobin(_Baseline):
    name = "round_robin"

    def __init__(self, registry: Registry, book: LoadBook) -> None:
        super().__init__(registry, book)
        self._turn = 0
        self._last: dict[str, int] = {}

    def choose(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> Choice | None:
        teams = self.available(route, profile, now)
        if not teams:
            return self._pick("stalled", None)
        team = min(teams, key=lambda t: (self._last.get(t.id, -1), t.id))
        self._turn += 1
        self._last[team.id] = self._turn
        return self._pick("partner" if team.partner else "in_house", team)


class LeastLoaded(_Baseline):
    name = "least_loaded"

    def choose(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> Choice | None:
        loads = [(t, self.book.load(t, now)) for t in self.available(route, profile, now)]
        with_room = [(t, load) for t, load in loads if load.open < load.capacity]
        if not with_room:
            return self._pick("stalled", None)
        team = min(with_room, key=lambda tl: (tl[1].utilisation, tl[1].open, tl[0].id))[0]
        return self._pick("partner" if team.partner else "in_house", team)


class SkillsOnly(_Baseline):
    name = "skills_only"

    def best_in_house(
        self, teams: list[TeamProfile], profile: TicketProfile, now: datetime
    ) -> TeamProfile | None:
        in_house = [t for t in teams if not t.partner]
        return min(
            in_house,
            key=lambda t: (-t.skills[profile.skill], self.utilisation(t, now), t.id),
            default=None,
        )

    def choose(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> Choice | None:
        if any(not t.partner for t in self.matching(profile)):
            team = self.best_in_house(self.available(route, profile, now), profile, now)
            return self._pick("in_house", team)
        partners = self.available(route, profile, now)
        team = min(partners, key=lambda t: (-t.skills[profile.skill], t.cost, t.id), default=None)
        return self._pick("partner (no in-house match)", team)


class TimedOverflow(SkillsOnly):
    name = "timed_overflow"

    def __init__(self, registry: Registry, book: LoadBook, overflow_after: float = 0.5) -> None:
        super().__init__(registry, book)
        self.overflow_after = overflow_after

    def cheapest_partner(
        self, route: TicketRoute, profile: TicketProfile, now: datetime
    ) -> TeamProfile | None:
        partners = [t for t in self.available(route, profile, now) if t.partner]
        return min(partners, key=lambda t: (t.cost, -t.skills[profile.skill], t.id), default=None)

    def choose(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> Choice | None:
        in_house_ids = {t.id for t in self.matching(profile) if not t.partner}
        taken_back = any(team in in_house_ids for team in route.declined)
        if in_house_ids and not taken_back:
            team = self.best_in_house(self.available(route, profile, now), profile, now)
            if team is not None:
                budget = budget_left(route.facts.first_response_due, now)
                wait = timedelta(seconds=budget * self.overflow_after)
                return self._pick("in_house", team, pickup_timeout=wait)
        partner = self.cheapest_partner(route, profile, now)
        if partner is not None:
            return self._pick("partner", partner)
        fallback = self.best_in_house(
            self.available(route, profile, now, declined=True), profile, now
        )
        return self._pick("in_house (no partner left)", fallback)

    def overflow(self, route: TicketRoute, profile: TicketProfile, now: datetime) -> bool:
        return self.cheapest_partner(route, profile, now) is not None


StrategyFactory = Callable[[Registry, LoadBook], Strategy]

STRATEGIES: dict[str, StrategyFactory] = {
    "switchboard": Switchboard,
    "switchboard_no_rings": SwitchboardWithoutRings,
    "round_robin": RoundRobin,
    "least_loaded": LeastLoaded,
    "skills_only": SkillsOnly,
    "timed_overflow": TimedOverflow,
}
