"""Which team gets a ticket, and why. Pure: everything it knows is passed in.

1. Candidates: teams whose skill, language, channel, capabilities and data policy
   allow the ticket (``Registry.candidates``). Each is then *eligible* only if it
   did not give this ticket back before, is online, is open now, and (partners)
   has not reached its daily volume cap.
2. Capacity is a hard limit: only eligible teams with a free slot are a choice.
   When no eligible team has room (or none is eligible), the ticket stalls and
   waits in the pending backlog until capacity appears.
3. In-house first: the best in-house team whose predicted wait fits the ticket's
   SLA budget.
4. Otherwise overflow: the partner that fits, preferring partners below their
   contract's minimum share, then the cheapest. The outsourcing share limit
   forbids this while an in-house team could take the ticket.
5. Nobody fits: the least-bad choice, the shortest predicted wait.

Ties are broken by team id, so the same inputs always give the same decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from services.router.domain.explain import OverflowReason, duration, join_limited
from services.router.domain.load import DeskFigures, DeskView, TeamLoad, predicted_wait
from services.router.domain.registry import Registry, TeamProfile, TicketProfile

Blocked = Literal["declined", "offline", "closed", "capped"]
DecisionKind = Literal["in_house", "overflow", "least_bad", "stalled"]


@dataclass(frozen=True, slots=True)
class RoutingRequest:
    ticket: TicketProfile
    budget_seconds: float
    declined: frozenset[str] = frozenset()  # teams that rejected, let expire or released it


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build, and this is hot
class Considered:
    team: TeamProfile
    proficiency: float
    blocked: Blocked | None
    load: TeamLoad | None = None
    predicted_wait: float | None = None
    fits: bool = False
    has_room: bool = False
    at: datetime | None = None  # when it was considered (for the words about hours)

    @property
    def eligible(self) -> bool:
        return self.blocked is None

    @property
    def note(self) -> str:
        """Words for people, computed only when a reason or an event needs them."""
        load = self.load
        if self.blocked == "closed":
            hours = self.team.hours.state(self.at).note if self.at else "outside working hours"
            return f"closed ({hours})"
        if self.blocked == "capped":
            return f"daily volume cap reached ({self.team.volume_cap})"
        if self.blocked is not None:
            return _BLOCKED_NOTES[self.blocked]
        assert load is not None
        if not self.has_room:
            return f"at capacity ({load.open}/{load.capacity})"
        return f"{load.open}/{load.capacity} busy, predicted wait {duration(self.predicted_wait)}"


_BLOCKED_NOTES = {
    "declined": "gave this ticket back before",
    "offline": "offline (taken offline by a supervisor)",
}


@dataclass(frozen=True, slots=True)
class Decision:
    team: TeamProfile | None
    kind: DecisionKind
    reason: str
    budget_seconds: float
    considered: tuple[Considered, ...]
    overflow_reason: OverflowReason | None = None
    predicted_wait: float | None = None


def _consider_all(
    registry: Registry, request: RoutingRequest, view: DeskView, now: datetime
) -> tuple[list[Considered], list[Considered], list[Considered]]:
    """Every candidate team, and those eligible with a free slot: in-house and partners.

    The hot loop of a decision (one pass per candidate), hence written flat.
    """
    considered: list[Considered] = []
    in_house: list[Considered] = []
    partners: list[Considered] = []
    declined = request.declined
    budget = request.budget_seconds
    load_of, remember = view.load, registry.wait_memo
    for team, proficiency in registry.candidates(request.ticket):
        if team.id in declined:
            considered.append(Considered(team, proficiency, "declined"))
            continue
        load = load_of(team, now)
        if not load.online:
            considered.append(Considered(team, proficiency, "offline", load))
        elif not team.hours.is_open(now):
            considered.append(Considered(team, proficiency, "closed", load, at=now))
        elif team.volume_cap is not None and load.offers_today >= team.volume_cap:
            considered.append(Considered(team, proficiency, "capped", load))
        else:
            wait = remember(team, load, predicted_wait)
            fits = wait <= budget
            room = load.open < load.capacity
            option = Considered(team, proficiency, None, load, wait, fits, room, now)
            considered.append(option)
            if room:
                (partners if team.partner else in_house).append(option)
    return considered, in_house, partners


def _named_note(option: Considered) -> str:
    return f"{option.team.name} {option.note}"


def _busy(option: Considered) -> str:
    return f"{option.load.open}/{option.load.capacity}" if option.load else "?"


def _best_in_house(options: list[Considered]) -> Considered:
    return min(
        options,
        key=lambda c: (
            -c.proficiency,
            c.load.utilisation if c.load else 1.0,
            c.predicted_wait,
            c.team.cost,
            c.team.id,
        ),
    )


def _best_partner(options: list[Considered], desk: DeskFigures | None) -> Considered:
    def below_minimum(option: Considered) -> bool:
        if desk is None or option.team.minimum_share <= 0 or option.load is None:
            return False
        return option.load.offers_today < option.team.minimum_share * (desk.assigned_today + 1)

    return min(
        options,
        key=lambda c: (
            not below_minimum(c),
            c.team.cost,
            -c.proficiency,
            c.predicted_wait,
            c.team.id,
        ),
    )


def _least_bad(options: list[Considered]) -> Considered:
    return min(options, key=lambda c: (c.predicted_wait, c.team.partner, c.team.cost, c.team.id))


def _why_not_in_house(
    considered: list[Considered], request: RoutingRequest
) -> tuple[OverflowReason, str]:
    ticket = request.ticket
    in_house = [c for c in considered if not c.team.partner]
    if not in_house:
        return OverflowReason.NO_IN_HOUSE_MATCH, (
            f"no in-house team handles {ticket.skill} in {ticket.language} "
            f"on {ticket.channel.value}"
        )
    with_room = [c for c in in_house if c.eligible and c.has_room]
    if with_room:
        best = min(with_room, key=lambda c: (c.predicted_wait, c.team.id))
        return OverflowReason.IN_HOUSE_OVER_BUDGET, (
            f"in-house predicted wait {duration(best.predicted_wait)} ({best.team.name}) "
            f"exceeds the {duration(request.budget_seconds)} budget"
        )
    for blocked, reason in (
        (None, OverflowReason.IN_HOUSE_FULL),
        ("closed", OverflowReason.IN_HOUSE_CLOSED),
        ("offline", OverflowReason.IN_HOUSE_OFFLINE),
        ("declined", OverflowReason.IN_HOUSE_DECLINED),
    ):
        hits = [c for c in in_house if c.blocked == blocked]
        if hits:
            return reason, "in-house " + ", ".join(f"{c.team.name} {c.note}" for c in hits[:3])
    return OverflowReason.NO_IN_HOUSE_MATCH, "no in-house team can take it"


def _share_allows(desk: DeskFigures, limit: float) -> bool:
    """Would one more partner assignment keep the day's partner share within the limit?"""
    return desk.to_partners_today + 1 <= limit * (desk.assigned_today + 1) + 1e-9


def decide(registry: Registry, request: RoutingRequest, view: DeskView, now: datetime) -> Decision:
    ticket = request.ticket
    budget = request.budget_seconds
    considered, in_house, partners = _consider_all(registry, request, view, now)
    if not in_house and not partners:
        return _stalled(registry, request, considered)

    fitting = [c for c in in_house if c.fits]
    if fitting:
        best = _best_in_house(fitting)
        return Decision(
            best.team,
            "in_house",
            f"{best.team.name} (in-house) can answer within the budget: predicted wait "
            f"{duration(best.predicted_wait)} of {duration(budget)} left, "
            f"{_busy(best)} busy, proficiency {best.proficiency:.1f} in {ticket.skill}.",
            budget,
            tuple(considered),
            predicted_wait=best.predicted_wait,
        )

    desk = view.desk(now) if partners else None
    limit_note = ""
    if partners and in_house and desk is not None and not _share_allows(desk, registry.share_limit):
        partners = []
        limit_note = (
            f" The outsourcing share limit ({registry.share_limit:.0%} of the day's "
            "assignments) is reached, so partners are not used."
        )
    fitting = [c for c in partners if c.fits]
    if fitting:
        best = _best_partner(fitting, desk)
        overflow, why = _why_not_in_house(considered, request)
        return Decision(
            best.team,
            "overflow",
            f"Overflow to {best.team.name} (partner, {best.team.cost}/ticket, predicted wait "
            f"{duration(best.predicted_wait)} within {duration(budget)}): {why}.",
            budget,
            tuple(considered),
            overflow_reason=overflow,
            predicted_wait=best.predicted_wait,
        )

    best = _least_bad(in_house + partners)
    overflow_reason = _why_not_in_house(considered, request)[0] if best.team.partner else None
    return Decision(
        best.team,
        "least_bad",
        f"No team can answer within the {duration(budget)} budget; {best.team.name} "
        f"({best.team.kind.value.replace('_', '-')}) has the shortest predicted wait "
        f"({duration(best.predicted_wait)}).{limit_note}",
        budget,
        tuple(considered),
        overflow_reason=overflow_reason,
        predicted_wait=best.predicted_wait,
    )


def _stalled(registry: Registry, request: RoutingRequest, considered: list[Considered]) -> Decision:
    if not considered:
        why = registry.explain_no_candidates(request.ticket)
    elif all(c.eligible for c in considered):
        why = "every eligible team is at capacity: " + join_limited(considered, _named_note)
    else:
        why = join_limited(considered, _named_note)
    return Decision(
        None,
        "stalled",
        f"Nobody can take it now: {why}. It waits in the pending backlog.",
        request.budget_seconds,
        tuple(considered),
    )
