"""Next-hour service level of a queue: Erlang C, with a fluid model of the backlog.

A team is one pool of ``agents x concurrency`` servers (its agents are cross-skilled and
the router assigns to the team, not to a skill group), so all its queues share one
waiting line: an M/M/N queue with the team's arrival rate and per-server service rate.

* Erlang C gives the steady-state chance that an arrival waits, and the wait
  distribution ``P(W > t) = C(N, A) * exp(-(N mu - lambda) t)``.
* Erlang C has no answer when arrivals reach capacity (``lambda >= N mu``) and ignores
  a backlog already waiting. The fluid model covers both: the backlog drains (or grows)
  at ``lambda - N mu`` over the hour and an arrival at time ``t`` waits ``B(t) / (N mu)``.
  The service level is the lower of the two (only the fluid model when overloaded).

A queue's tickets can carry different first-response targets (chat and email in one
skill), so its service level is the arrival-weighted mix of ``P(W <= target)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ERLANG_C = "erlang_c"
FLUID = "fluid_backlog"
_FLUID_STEPS = 120


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/N (Erlang C); 1 when overloaded."""
    if servers <= 0 or offered_load >= servers:
        return 1.0
    if offered_load <= 0:
        return 0.0
    blocking = 1.0  # Erlang B by its stable recursion
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


@dataclass(frozen=True, slots=True)
class TeamLoad:
    servers: int  # agents on shift x tickets each works at once
    arrivals_per_second: float  # all the team's queues
    service_per_second: float  # per server
    backlog: float  # tickets waiting beyond the servers now


@dataclass(frozen=True, slots=True)
class Prediction:
    service_level: float
    wait_seconds: float | None  # mean wait of an arrival; None: unbounded
    breaches: float
    model: str


def _erlang_within(team: TeamLoad, target_s: float) -> float | None:
    capacity = team.servers * team.service_per_second
    if team.servers <= 0 or capacity <= team.arrivals_per_second:
        return None
    offered = team.arrivals_per_second / team.service_per_second
    waits = erlang_c(team.servers, offered)
    return 1.0 - waits * math.exp(-(capacity - team.arrivals_per_second) * target_s)


def _erlang_mean_wait(team: TeamLoad) -> float | None:
    capacity = team.servers * team.service_per_second
    if team.servers <= 0 or capacity <= team.arrivals_per_second:
        return None
    offered = team.arrivals_per_second / team.service_per_second
    return erlang_c(team.servers, offered) / (capacity - team.arrivals_per_second)


def _fluid_waits(team: TeamLoad, horizon_s: float) -> list[float]:
    """Wait of an arrival at evenly spaced instants of the horizon (inf: never served)."""
    capacity = team.servers * team.service_per_second
    waits: list[float] = []
    for step in range(_FLUID_STEPS):
        t = (step + 0.5) / _FLUID_STEPS * horizon_s
        backlog = max(0.0, team.backlog + (team.arrivals_per_second - capacity) * t)
        if capacity <= 0:
            waits.append(math.inf)
        else:
            waits.append(backlog / capacity)
    return waits


def predict(
    team: TeamLoad,
    arrivals_per_second: float,
    target_mix: dict[float, float],
    horizon_s: float,
) -> Prediction:
    """Service level and breaches of one queue of ``team`` over the horizon.

    ``target_mix``: first-response target (seconds) -> share of the queue's arrivals.
    """
    total = sum(target_mix.values())
    mix = {target: share / total for target, share in target_mix.items()} if total else {}
    fluid = _fluid_waits(team, horizon_s)
    level = 0.0
    model = ERLANG_C
    for target, share in mix.items():
        fluid_level = sum(1 for wait in fluid if wait <= target) / len(fluid)
        erlang_level = _erlang_within(team, target)
        if erlang_level is None or fluid_level < erlang_level:
            model = FLUID
            level += share * fluid_level
        else:
            level += share * erlang_level
    level = min(1.0, max(0.0, level))
    erlang_wait = _erlang_mean_wait(team)
    finite = [wait for wait in fluid if math.isfinite(wait)]
    fluid_wait = sum(finite) / len(finite) if len(finite) == len(fluid) else None
    if model == ERLANG_C and erlang_wait is not None:
        wait: float | None = erlang_wait
    else:
        wait = fluid_wait
    breaches = arrivals_per_second * horizon_s * (1.0 - level)
    return Prediction(service_level=level, wait_seconds=wait, breaches=breaches, model=model)
