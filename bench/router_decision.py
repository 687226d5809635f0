"""How long one routing decision takes with 200 teams configured.

    python -m bench.router_decision [--runs 5] [--decisions 10000] [--teams 200]

Measures ``services.router.domain.policy.decide`` against the router's real load
view (``LoadBook``) filled with open tickets, throughput tallies and forecasts
(``bench.router_desk``). Between two decisions the chosen team gets one more open
ticket, as in the service, so caches are invalidated as they are in production;
the clock moves one second per decision, so hours and throughput windows roll
over. Compared in the same run with a baseline: the plain skill filter the
walking skeleton used (skill, language, channel; in-house first). Prints
per-decision p50/p99/p99.9 by wall clock and by thread CPU time (medians over
the runs), their ratio to the baseline, the cost of building the
``ticket.assigned`` event on top, the timer's refresh, and memory.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.router_desk import START, facts_for, make_book, make_teams, make_tickets
from schemas.base import Channel, CustomerTier, TeamKind
from schemas.config.teams import OutsourcingConfig, TeamConfig
from services.router import events
from services.router.domain import lifecycle
from services.router.domain.policy import RoutingRequest, decide
from services.router.domain.registry import Registry, TeamProfile, TicketProfile
from services.router.domain.state import TicketRoute
from services.router.loadbook import LoadBook
from services.router.loop import refresh_load_view

#: Per measurement: wall-clock nanoseconds, and this thread's CPU nanoseconds (which
#: leave out the time the OS gave the core to another process: this machine is shared).
Samples = tuple[list[int], list[int]]


@contextmanager
def _timed(into: Samples | None) -> Iterator[None]:
    wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
    yield
    if into is not None:
        into[1].append(time.thread_time_ns() - cpu)
        into[0].append(time.perf_counter_ns() - wall)


@dataclass
class Timing:
    p50: float
    p99: float
    p999: float
    cpu_p50: float
    cpu_p99: float
    cpu_p999: float


def _percentiles(samples: Samples) -> Timing:
    def pick(values: list[int], quantile: float) -> float:
        return values[min(len(values) - 1, int(quantile * len(values)))] / 1000

    wall, cpu = sorted(samples[0]), sorted(samples[1])
    return Timing(
        pick(wall, 0.5),
        pick(wall, 0.99),
        pick(wall, 0.999),
        pick(cpu, 0.5),
        pick(cpu, 0.99),
        pick(cpu, 0.999),
    )


def run_policy(
    registry: Registry,
    book: LoadBook,
    tickets: list[TicketProfile],
    with_event: bool,
    warm_up: int,
) -> tuple[Timing, Timing]:
    """Time each decision after ``warm_up`` untimed ones (a running router's caches are
    warm: the first ticket of each kind and each team's first load cost more). The clock
    moves one second per decision, and before each decision the timer's refresh of the
    load view runs (timed separately), as it does every second in the service."""
    samples: Samples = ([], [])
    refresh_samples: Samples = ([], [])
    now = START
    for number, ticket in enumerate(tickets[-warm_up:] + tickets):
        timed = number >= warm_up
        # The router's timer refreshes every team's load view between decisions.
        with _timed(refresh_samples if timed else None):
            refresh_load_view(book, registry, now)
        request = RoutingRequest(ticket, budget_seconds=900.0)
        with _timed(samples if timed else None):
            decision = decide(registry, request, book, now)
            if with_event and decision.team is not None:
                state = lifecycle.assign(
                    TicketRoute(partition=0, facts=facts_for(ticket)),
                    f"b-{number}",
                    decision.team,
                    now,
                )
                events.ticket_assigned(f"b-{number}", state, decision, now).to_json_bytes()
        if decision.team is not None:  # the load changes as it would in the service
            _apply(book, decision.team, now)
        now += timedelta(seconds=1)
    return _percentiles(samples), _percentiles(refresh_samples)


_OPEN = TicketRoute.model_construct(
    partition=0,
    status="queued",
    facts=facts_for(
        TicketProfile(
            "orders_shipping", "en", Channel.EMAIL, frozenset(), CustomerTier.STANDARD, None
        )
    ),
)


def _apply(book: LoadBook, team: TeamProfile, now: datetime) -> None:
    """What the handler does to the load view after an assignment: one more open ticket."""
    book.ticket_changed(0, None, _OPEN.model_copy(update={"team_id": team.id}))


def run_baseline(teams: list[TeamConfig], tickets: list[TicketProfile]) -> Timing:
    """The walking skeleton's policy: skill, language and channel; in-house first, then id."""
    samples: Samples = ([], [])
    for ticket in tickets:
        with _timed(samples):
            candidates = [
                t
                for t in teams
                if ticket.skill in t.skills
                and ticket.language in t.languages
                and ticket.channel in t.channels
            ]
            if candidates:
                min(
                    candidates,
                    key=lambda t: (t.kind is not TeamKind.IN_HOUSE, -t.skills[ticket.skill], t.id),
                )
    return _percentiles(samples)


def _median(timings: list[Timing], field: str) -> float:
    return float(statistics.median(getattr(t, field) for t in timings))


def _report(name: str, timings: list[Timing], baseline: list[Timing] | None) -> None:
    for clock, prefix in (("wall", ""), ("cpu ", "cpu_")):
        p50, p99, p999 = (_median(timings, prefix + f) for f in ("p50", "p99", "p999"))
        line = f"{name:<34} {clock} p50 {p50:6.1f} us  p99 {p99:6.1f} us  p99.9 {p999:7.1f} us"
        if baseline is not None:
            p50_ratio = p50 / _median(baseline, prefix + "p50")
            p99_ratio = p99 / _median(baseline, prefix + "p99")
            line += f"  (x{p50_ratio:.1f}, x{p99_ratio:.1f})"
        print(line)


def _measure(label: str, build: Callable[[], object]) -> tuple[object, float]:
    gc.collect()
    tracemalloc.start()
    value = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<38} {peak / 2**20:7.2f} MiB (tracemalloc peak while building)")
    return value, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--open-tickets", type=int, default=5_000)
    parser.add_argument("--warm-up", type=int, default=2_000)
    args = parser.parse_args()

    rng = random.Random(4711)
    teams = make_teams(args.teams, rng)
    registry, _ = _measure(
        f"registry of {args.teams} teams", lambda: Registry(teams, OutsourcingConfig())
    )
    assert isinstance(registry, Registry)
    tickets = make_tickets(args.decisions, rng)
    eligible = statistics.fmean(len(registry.candidates(t)) for t in tickets[:2000])
    print(
        f"{args.teams} teams, {eligible:.1f} candidate teams per ticket on average, "
        f"{args.decisions} timed decisions per run after {args.warm_up} untimed, "
        f"{args.runs} runs (medians below)\n"
    )

    policy, with_event, baseline, refresh = [], [], [], []
    for run in range(args.runs):
        book = make_book(registry, args.open_tickets, random.Random(run))
        baseline.append(run_baseline(teams, tickets))
        decisions, refreshes = run_policy(registry, book, tickets, False, args.warm_up)
        policy.append(decisions)
        refresh.append(refreshes)
        book = make_book(registry, args.open_tickets, random.Random(run))
        with_event.append(run_policy(registry, book, tickets, True, args.warm_up)[0])
    _report("baseline: plain skill filter", baseline, None)
    _report("router policy (decide)", policy, baseline)
    _report("decide + ticket.assigned as JSON", with_event, baseline)
    _report(f"timer: refresh {args.teams} teams' load", refresh, None)
    print()
    _measure(
        f"load view, {args.open_tickets} open tickets",
        lambda: make_book(registry, args.open_tickets, random.Random(0)),
    )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{'process peak RSS':<38} {peak_rss:7.1f} MiB")


if __name__ == "__main__":
    main()
