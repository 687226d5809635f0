"""Which team gets a ticket, and why. Pure: everything it knows is passed in.

1. Candidates: teams whose skill, language, channel, capabilities and data policy
   allow the ticket (``Registry.candidates``: ring 0). Each is then *eligible* only if
   it did not give this ticket back before, is online, is open now, and (partners)
   has not reached its daily volume cap (``considered``).
2. Capacity is a hard limit: only eligible teams with a free slot are a choice.
3. Relaxation rings: when no ring-0 team has room, the ticket's wider rings
   (``rings``) are looked at nearest first, each only once the ticket has waited for
   it; the first with an eligible team with room is where the choice is made. A
   nearer ring with room is never skipped. Nobody in any open ring has room: the
   ticket stalls and waits in the pending backlog until capacity appears or the next
   ring opens.
4. In-house first: the best in-house team whose predicted wait fits the ticket's
   SLA budget.
5. Otherwise overflow: the partner that fits, preferring partners below their
   contract's minimum share, then the lowest effective price (the price weighed with
   the partner's measured quality, ``quality``). The outsourcing share limit forbids
   this while an in-house team could take the ticket.
6. Nobody fits: the least-bad choice, the shortest predicted wait.

Ties are broken by team id, so the same inputs always give the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.router.domain import rings
from services.router.domain.choice import (
    best_in_house,
    best_partner,
    busy,
    least_bad,
    share_allows,
    why_not_in_house,
)
from services.router.domain.considered import Considered, Considering
from services.router.domain.explain import OverflowReason, duration, join_limited
from services.router.domain.load import DeskView
from services.router.domain.registry import Registry, TeamProfile, TicketProfile

DecisionKind = Literal["in_house", "overflow", "least_bad", "stalled"]

__all__ = ["Considered", "Decision", "RingReached", "RoutingRequest", "decide"]


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    ticket: TicketProfile
    budget_seconds: float
    declined: frozenset[str] = frozenset()  # teams that rejected, let expire or released it
    waited_seconds: float = 0.0  # since the customer wrote: which wider rings are open


@dataclass(frozen=True, slots=True)
class RingReached:
    """The wider ring a decision was made in."""

    level: int  # 1: the ticket's nearest wider ring
    opened_after_seconds: float
    waited_seconds: float
    steps: tuple[str, ...]  # what the chosen team's ring widened, in words
    translate_to: str | None  # the language the ticket is worked in, translated


@dataclass(frozen=True, slots=True)
class Decision:
    team: TeamProfile | None
    kind: DecisionKind
    reason: str
    budget_seconds: float
    considered: tuple[Considered, ...]
    overflow_reason: OverflowReason | None = None
    predicted_wait: float | None = None
    ring: RingReached | None = None
    #: Stalled: the wait (seconds since the customer wrote) at which its next ring opens.
    next_ring_after: float | None = None

    @property
    def needs_translation(self) -> bool:
        return self.ring is not None and self.ring.translate_to is not None


def decide(registry: Registry, request: RoutingRequest, view: DeskView, now: datetime) -> Decision:
    looking = Considering(request.declined, request.budget_seconds, view, registry, now, [])
    deciding = _Deciding(registry, request, view, now, looking.considered)
    in_house, partners = looking.look_at(registry.candidates(request.ticket), 0, {})
    if in_house or partners:
        return deciding.choose(in_house, partners, None)
    for level in rings.levels(registry, request.ticket):
        if level.after_seconds > request.waited_seconds:
            return _stalled(registry, request, looking.considered, level.after_seconds)
        widen = {c.team.id: c.widening for c in level.candidates}
        options = ((c.team, c.proficiency) for c in level.candidates)
        in_house, partners = looking.look_at(options, level.number, widen)
        if in_house or partners:
            return deciding.choose(in_house, partners, level)
    return _stalled(registry, request, looking.considered, None)


@dataclass(frozen=True, slots=True)
class _Deciding:
    registry: Registry
    request: RoutingRequest
    view: DeskView
    now: datetime
    considered: list[Considered]

    def choose(
        self,
        in_house: list[Considered],
        partners: list[Considered],
        level: rings.RingLevel | None,
    ) -> Decision:
        ticket, budget, registry = self.request.ticket, self.request.budget_seconds, self.registry
        fitting = [c for c in in_house if c.fits]
        if fitting:
            best = best_in_house(fitting)
            return self.decided(
                best,
                "in_house",
                f"{best.team.name} (in-house) can answer within the budget: predicted wait "
                f"{duration(best.predicted_wait)} of {duration(budget)} left, "
                f"{busy(best)} busy, proficiency {best.proficiency:.1f} in {ticket.skill}.",
                level=level,
            )

        desk = self.view.desk(self.now) if partners else None
        limit_note = ""
        if (
            partners
            and in_house
            and desk is not None
            and not share_allows(desk, registry.share_limit)
        ):
            partners = []
            limit_note = (
                f" The outsourcing share limit ({registry.share_limit:.0%} of the day's "
                "assignments) is reached, so partners are not used."
            )
        fitting = [c for c in partners if c.fits]
        if fitting:
            best, quality_note = best_partner(fitting, desk, registry.quality)
            overflow, why = why_not_in_house(self.considered, ticket, budget)
            price = f"{best.team.cost}/ticket"
            if best.effective_price is not None and best.effective_price != best.team.cost:
                price += f", {best.effective_price} with quality"
            return self.decided(
                best,
                "overflow",
                f"Overflow to {best.team.name} (partner, {price}, predicted wait "
                f"{duration(best.predicted_wait)} within {duration(budget)}): {why}."
                f"{quality_note}",
                level=level,
                overflow_reason=overflow,
            )

        best = least_bad(in_house + partners)
        overflow_reason = (
            why_not_in_house(self.considered, ticket, budget)[0] if best.team.partner else None
        )
        return self.decided(
            best,
            "least_bad",
            f"No team can answer within the {duration(budget)} budget; {best.team.name} "
            f"({best.team.kind.value.replace('_', '-')}) has the shortest predicted wait "
            f"({duration(best.predicted_wait)}).{limit_note}",
            level=level,
            overflow_reason=overflow_reason,
        )

    def decided(
        self,
        best: Considered,
        kind: DecisionKind,
        reason: str,
        *,
        level: rings.RingLevel | None,
        overflow_reason: OverflowReason | None = None,
    ) -> Decision:
        request = self.request
        ring = None
        if level is not None and best.widening is not None:
            steps = tuple(best.widening.steps(request.ticket))
            ring = RingReached(
                level.number,
                level.after_seconds,
                request.waited_seconds,
                steps,
                best.widening.translate_to,
            )
            reason += (
                f" Ring {level.number}, open after {duration(level.after_seconds)} of waiting "
                f"(waited {duration(request.waited_seconds)}), because no nearer team had "
                f"room: {'; '.join(steps)}."
            )
        return Decision(
            best.team,
            kind,
            reason,
            request.budget_seconds,
            tuple(self.considered),
            overflow_reason=overflow_reason,
            predicted_wait=best.predicted_wait,
            ring=ring,
        )


def _named_note(option: Considered) -> str:
    return f"{option.team.name} {option.note}"


def _stalled(
    registry: Registry,
    request: RoutingRequest,
    considered: list[Considered],
    next_ring_after: float | None,
) -> Decision:
    if not considered:
        why = registry.explain_no_candidates(request.ticket)
    elif all(c.eligible for c in considered):
        why = "every eligible team is at capacity: " + join_limited(considered, _named_note)
    else:
        why = join_limited(considered, _named_note)
    later = ""
    if next_ring_after is not None:
        later = (
            f" A wider ring opens once it has waited {duration(next_ring_after)} "
            f"(waited {duration(request.waited_seconds)})."
        )
    return Decision(
        None,
        "stalled",
        f"Nobody can take it now: {why}. It waits in the pending backlog.{later}",
        request.budget_seconds,
        tuple(considered),
        next_ring_after=next_ring_after,
    )
