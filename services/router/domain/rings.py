"""Relaxation rings: which teams could take a ticket once it has waited, and how.

Ring 0 is the exact match (``Registry.candidates``). A team may take a ticket in a
wider ring when its rings (``teams[].rings``) widen what it lacks: the ticket's
language is worked in the team's fallback language with a translation, its skill
through a related skill at a lower proficiency; and a partner the data policy
allows only in a wider ring (``wider_ring_only``) takes it from that wait on. A
team's ring for a ticket opens at the longest of the waits those widenings need.
The channel, the capabilities and the data policy's ``never_*`` are never widened.

Rings of all teams are merged into the ticket's *levels*: level 1 is the earliest
wait at which any team's ring opens, level 2 the next, and so on. The policy takes a
level only when every nearer level has nobody with room, and only once the ticket
has waited for it (``services.router.domain.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from services.router.domain.registry import UNDETERMINED, Registry, TeamProfile, TicketProfile

_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Widening:
    """How a team in a wider ring takes a ticket it does not match exactly."""

    after_seconds: float  # the team's ring opens after this wait
    translate_to: str | None = None  # the ticket is worked in this language, translated
    fallback_skill: bool = False  # through a related skill, at the ring's proficiency
    data_policy_after: float | None = None  # the data policy held it back until then

    def steps(self, ticket: TicketProfile) -> list[str]:
        """What was widened, in words."""
        words = []
        if self.translate_to is not None:
            words.append(
                f"language {ticket.language} worked in {self.translate_to} with a translation"
            )
        if self.fallback_skill:
            words.append(f"{ticket.skill} through a related skill")
        if self.data_policy_after is not None:
            words.append("a partner the data policy allows only in a wider ring")
        return words


@dataclass(frozen=True, slots=True)
class RingCandidate:
    team: TeamProfile
    proficiency: float
    widening: Widening


@dataclass(frozen=True, slots=True)
class RingLevel:
    """Every team whose ring for the ticket opens after ``after_seconds``, by team id."""

    number: int  # 1 for the nearest wider ring
    after_seconds: float
    candidates: tuple[RingCandidate, ...]


def widening(team: TeamProfile, ticket: TicketProfile) -> RingCandidate | None:
    """How ``team`` takes ``ticket`` in a wider ring; None when it never does, or when it
    takes it in ring 0 already."""
    if ticket.channel not in team.channels or not ticket.needs <= team.capabilities:
        return None
    if not team.may_receive(ticket.skill, ticket.tier, ticket.marketplace):
        return None  # never_*: no ring lets it out
    waits = [0.0]
    translate_to: str | None = None
    if ticket.language != UNDETERMINED and ticket.language not in team.languages:
        ring = next((r for r in team.rings if r.takes_language(ticket.language)), None)
        if ring is None:
            return None
        waits.append(ring.after.total_seconds())
        translate_to = team.fallback_language
    proficiency = team.skills.get(ticket.skill)
    fallback_skill = False
    if proficiency is None:
        ring = next((r for r in team.rings if ticket.skill in r.skills), None)
        if ring is None:
            return None
        waits.append(ring.after.total_seconds())
        proficiency = ring.skills[ticket.skill]
        fallback_skill = True
    held = team.held_back(ticket.skill, ticket.tier, ticket.marketplace) if team.partner else None
    if held is not None:
        waits.append(held)
    after = max(waits)
    if after == 0:
        return None  # an exact match: ring 0
    return RingCandidate(team, proficiency, Widening(after, translate_to, fallback_skill, held))


def levels(registry: Registry, ticket: TicketProfile) -> tuple[RingLevel, ...]:
    """The ticket's wider rings, nearest first (teams by id within a level); memoised
    per ticket profile, as the ring-0 candidates are."""
    cached = registry.ring_cache.get(ticket)
    if cached is not None:
        return cast("tuple[RingLevel, ...]", cached)
    by_wait: dict[float, list[RingCandidate]] = {}
    for team in sorted(registry.teams, key=lambda t: t.id):
        found = widening(team, ticket) if team.rings or team.wider_ring_only else None
        if found is not None:
            by_wait.setdefault(found.widening.after_seconds, []).append(found)
    result = tuple(
        RingLevel(number, after, tuple(by_wait[after]))
        for number, after in enumerate(sorted(by_wait), start=1)
    )
    if len(registry.ring_cache) >= _CACHE_LIMIT:
        registry.ring_cache.clear()
    registry.ring_cache[ticket] = result
    return result


def open_levels(registry: Registry, ticket: TicketProfile, waited_seconds: float) -> int:
    """How many wider rings have opened for a ticket that has waited this long."""
    return sum(1 for level in levels(registry, ticket) if level.after_seconds <= waited_seconds)


def next_ring_after(
    registry: Registry, ticket: TicketProfile, waited_seconds: float
) -> float | None:
    """The wait (seconds since the customer wrote) at which the ticket's next wider ring
    opens; None when every ring is open already. What the router's timer needs to look
    at a waiting ticket again when a ring opens."""
    return next(
        (
            level.after_seconds
            for level in levels(registry, ticket)
            if level.after_seconds > waited_seconds
        ),
        None,
    )
