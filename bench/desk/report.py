"""What one policy achieved over the simulated range: SLA, cost, data policy, waits.

* *Judged* tickets are those whose first-response deadline (the SLA service's) falls
  before the end of the run; a judged ticket *meets* its SLA when its first response
  went out by the deadline, else it is a *breach* (also when it never got one).
* *No team can take* a ticket when no team the policy would ever give it to exists
  (skill, language, channel, capabilities; for Switchboard also the data policy, and
  its relaxation rings widen the reach); *never worked*: no agent started it by the
  end of the run.
* Every ticket ends in exactly one state: *answered* (first response sent), *waiting
  at a team* (assigned: in an in-house line, offered to or accepted by a partner, not
  yet answered) or *pending* (in the backlog: nobody could take it, or given back and
  not yet routed again). *Stranded* pending tickets have been given back by every team
  that matches them, so the router will never offer them again.
* Cost: the cost per ticket (config) of the team whose agent worked it, started by the
  end; outsourcing cost is the partners' part.
* Against policy: tickets offered to a partner whose data policy (house-wide or the
  partner's own) forbids it: they left the house.
* Breaches by class of ticket, the same for every policy: ``no team`` (no team has the
  ticket's skill, language, channel and capabilities), ``closed`` (no such team is open
  at any moment between arrival and deadline), ``data policy`` (a partner that matches
  may not receive it) and ``other``. The first two breach whatever the policy does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from bench.common import percentile
from bench.desk.engine import DeskSimulation
from bench.desk.intake import DeskTicket
from bench.desk.strategies import matches
from services.router.domain.registry import Registry, TeamProfile

TICKET_CLASSES = ("no team", "closed", "data policy", "other")


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    tickets: int
    judged: int
    met: int
    met_by_channel: dict[str, tuple[int, int]]  # channel -> (met, judged)
    answered: int
    waiting_at_team: int
    pending: int
    stranded: int
    no_team_can_take: int
    never_worked: int
    worked_in_house: int
    worked_by_partners: int
    cost_in_house: Decimal
    cost_partners: Decimal
    against_policy: int
    assignment_p50_s: float
    assignment_p99_s: float
    response_p50_s: float
    response_p99_s: float
    offers: int
    rejected: int
    expired: int
    taken_back: int
    decisions: dict[str, int]
    breaches_by_class: dict[str, tuple[int, int]]  # class -> (breaches, tickets judged)
    run_seconds: float
    resolved: int = 0
    recontacted: int = 0  # resolved tickets the customer came back about
    ratings: int = 0
    rating_points: int = 0
    worked_by_team: dict[str, int] | None = None
    #: Partners: (most offers on one contract day, the contract's daily cap or None).
    busiest_day: dict[str, tuple[int, int | None]] | None = None

    @property
    def first_contact_resolution(self) -> float | None:
        return 1 - self.recontacted / self.resolved if self.resolved else None

    @property
    def csat(self) -> float | None:
        return self.rating_points / self.ratings if self.ratings else None

    @property
    def caps_kept(self) -> bool:
        return all(cap is None or most <= cap for most, cap in (self.busiest_day or {}).values())

    @property
    def breaches(self) -> int:
        return self.judged - self.met

    @property
    def attainment(self) -> float:
        return self.met / self.judged if self.judged else 1.0

    def attainment_of(self, channel: str) -> float | None:
        met, judged = self.met_by_channel.get(channel, (0, 0))
        return met / judged if judged else None

    @property
    def partner_share(self) -> float:
        worked = self.worked_in_house + self.worked_by_partners
        return self.worked_by_partners / worked if worked else 0.0

    @property
    def accounted(self) -> int:
        return self.answered + self.waiting_at_team + self.pending


def _open_between(team: TeamProfile, start: datetime, end: datetime) -> bool:
    moment = start
    while moment <= end:
        state = team.hours.state_at(moment)
        if state.open:
            return True
        moment = state.until
    return False


def ticket_class(ticket: DeskTicket, registry: Registry) -> str:
    teams = [t for t in registry.teams if matches(t, ticket.profile)]
    if not teams:
        return "no team"
    if not any(_open_between(t, ticket.received_at, ticket.sla_due) for t in teams):
        return "closed"
    if any(not t.may_receive(ticket.skill, ticket.tier, ticket.marketplace) for t in teams):
        return "data policy"
    return "other"


def _p(values: list[float], share: float) -> float:
    return percentile(values, share) if values else float("nan")


def summarise(simulation: DeskSimulation, policy: str, run_seconds: float) -> PolicyResult:
    met = judged = answered = waiting = pending = stranded = unreachable = unworked = 0
    in_house = partners = against = offers = rejected = expired = taken_back = 0
    cost_in_house = cost_partners = Decimal(0)
    by_channel: dict[str, list[int]] = {}
    by_class: dict[str, list[int]] = {name: [0, 0] for name in TICKET_CLASSES}
    to_assignment: list[float] = []
    to_response: list[float] = []
    for key, ticket in simulation.tickets.items():
        outcome = simulation.outcomes[key]
        route = simulation.routes.routes.get(key, ticket.route)
        responded = outcome.first_response_at
        if ticket.sla_due <= simulation.until:
            judged += 1
            hit = responded is not None and responded <= ticket.sla_due
            met += hit
            counts = by_channel.setdefault(ticket.channel.value, [0, 0])
            counts[0] += hit
            counts[1] += 1
            of_class = by_class[ticket_class(ticket, simulation.registry)]
            of_class[0] += not hit
            of_class[1] += 1
        if responded is not None:
            answered += 1
            to_response.append((responded - ticket.received_at).total_seconds())
        elif route.status == "pending":
            pending += 1
            teams = [t for t in simulation.registry.teams if matches(t, ticket.profile)]
            stranded += bool(teams) and all(t.id in route.declined for t in teams)
        else:
            waiting += 1
        unreachable += not simulation.strategy.can_ever_take(ticket.profile)
        unworked += outcome.handled_by is None
        if outcome.first_assigned_at is not None:
            to_assignment.append((outcome.first_assigned_at - ticket.received_at).total_seconds())
        team = outcome.handled_by
        if team is not None and team.partner:
            partners += 1
            cost_partners += team.cost
        elif team is not None:
            in_house += 1
            cost_in_house += team.cost
        against += outcome.against_policy
        offers += outcome.offers
        rejected += outcome.rejected
        expired += outcome.expired
        taken_back += outcome.taken_back
    decisions = Counter(simulation.strategy.kinds)
    return PolicyResult(
        policy=policy,
        tickets=len(simulation.tickets),
        judged=judged,
        met=met,
        met_by_channel={c: (n[0], n[1]) for c, n in sorted(by_channel.items())},
        answered=answered,
        waiting_at_team=waiting,
        pending=pending,
        stranded=stranded,
        no_team_can_take=unreachable,
        never_worked=unworked,
        worked_in_house=in_house,
        worked_by_partners=partners,
        cost_in_house=cost_in_house,
        cost_partners=cost_partners,
        against_policy=against,
        assignment_p50_s=_p(to_assignment, 0.5),
        assignment_p99_s=_p(to_assignment, 0.99),
        response_p50_s=_p(to_response, 0.5),
        response_p99_s=_p(to_response, 0.99),
        offers=offers,
        rejected=rejected,
        expired=expired,
        taken_back=taken_back,
        decisions=dict(sorted(decisions.items())),
        breaches_by_class={name: (n[0], n[1]) for name, n in by_class.items()},
        run_seconds=run_seconds,
        **_quality(simulation),
    )


def _quality(simulation: DeskSimulation) -> dict[str, Any]:
    """What the simulated customers made of the work, and who did how much of it."""
    resolved = recontacted = ratings = points = 0
    by_team: Counter[str] = Counter()
    for outcome in simulation.outcomes.values():
        if outcome.resolved_at is not None:
            resolved += 1
            recontacted += outcome.recontacted
        if outcome.rating is not None:
            ratings += 1
            points += outcome.rating
        if outcome.handled_by is not None:
            by_team[outcome.handled_by.id] += 1
    return {
        "resolved": resolved,
        "recontacted": recontacted,
        "ratings": ratings,
        "rating_points": points,
        "worked_by_team": dict(sorted(by_team.items())),
        "busiest_day": _busiest_days(simulation),
    }


def _busiest_days(simulation: DeskSimulation) -> dict[str, tuple[int, int | None]]:
    most: dict[str, int] = {}
    for (team_id, _), count in simulation.offers_by_day.items():
        most[team_id] = max(most.get(team_id, 0), count)
    return {
        team.id: (most.get(team.id, 0), team.volume_cap)
        for team in simulation.registry.teams
        if team.partner
    }
