"""How long one routing decision takes with 200 teams configured.

    python -m bench.router_decision [--runs 5] [--decisions 10000] [--teams 200]

Measures ``services.router.domain.policy.decide`` against the router's real load
view (``LoadBook``) filled with open tickets and throughput tallies
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

from bench.common import Figure
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


def _report(name: str, timings: list[Timing], baseline: list[Timing] | None) -> str:
    lines = []
    for clock, prefix in (("wall", ""), ("cpu ", "cpu_")):
        p50, p99, p999 = (_median(timings, prefix + f) for f in ("p50", "p99", "p999"))
        line = f"{name:<34} {clock} p50 {p50:6.1f} us  p99 {p99:6.1f} us  p99.9 {p999:7.1f} us"
        if baseline is not None:
            p50_ratio = p50 / _median(baseline, prefix + "p50")
            p99_ratio = p99 / _median(baseline, prefix + "p99")
            line += f"  (x{p50_ratio:.1f}, x{p99_ratio:.1f})"
        lines.append(line)
    return "\n".join(lines)


def _measure(
    label: str, build: Callable[[], object], out: Callable[[str], None]
) -> tuple[object, float]:
    gc.collect()
    tracemalloc.start()
    value = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out(f"{label:<38} {peak / 2**20:7.2f} MiB (tracemalloc peak while building)")
    return value, peak


def measure(
    *,
    runs: int = 5,
    decisions: int = 10_000,
    teams: int = 200,
    open_tickets: int = 5_000,
    warm_up: int = 2_000,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    """Run the benchmark, print its report through ``out``, return its figures."""
    rng = random.Random(4711)
    team_configs = make_teams(teams, rng)
    registry, registry_bytes = _measure(
        f"registry of {teams} teams",
        lambda: Registry(team_configs, OutsourcingConfig()),
        out,
    )
    assert isinstance(registry, Registry)
    tickets = make_tickets(decisions, rng)
    eligible = statistics.fmean(len(registry.candidates(t)) for t in tickets[:2000])
    out(
        f"{teams} teams, {eligible:.1f} candidate teams per ticket on average, "
        f"{decisions} timed decisions per run after {warm_up} untimed, "
        f"{runs} runs (medians below)\n"
    )

    policy, with_event, baseline, refresh = [], [], [], []
    for run in range(runs):
        book = make_book(registry, open_tickets, random.Random(run))
        baseline.append(run_baseline(team_configs, tickets))
        timed, refreshes = run_policy(registry, book, tickets, False, warm_up)
        policy.append(timed)
        refresh.append(refreshes)
        book = make_book(registry, open_tickets, random.Random(run))
        with_event.append(run_policy(registry, book, tickets, True, warm_up)[0])
    out(_report("baseline: plain skill filter", baseline, None))
    out(_report("router policy (decide)", policy, baseline))
    out(_report("decide + ticket.assigned as JSON", with_event, baseline))
    out(_report(f"timer: refresh {teams} teams' load", refresh, None))
    out("")
    _, book_bytes = _measure(
        f"load view, {open_tickets} open tickets",
        lambda: make_book(registry, open_tickets, random.Random(0)),
        out,
    )
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out(f"{'process peak RSS':<38} {peak_rss:7.1f} MiB")

    label = "plain skill filter (walking skeleton)"
    note = f"{teams} teams, {eligible:.1f} candidates/ticket, median of {runs} runs"
    figures = [
        Figure(
            "router_decision",
            f"decision p{q}, {teams} teams ({clock})",
            _median(policy, prefix + f"p{q}"),
            "us",
            baseline=_median(baseline, prefix + f"p{q}"),
            baseline_label=label,
            target="<= 100 us" if q == "99" else "",
            met=_median(policy, prefix + f"p{q}") <= 100 if q == "99" else None,
            note=note,
        )
        for q in ("50", "99")
        for clock, prefix in (("wall clock", ""), ("thread CPU", "cpu_"))
    ]
    figures.append(
        Figure(
            "router_decision",
            "decision + ticket.assigned JSON p99 (wall clock)",
            _median(with_event, "p99"),
            "us",
            baseline=_median(baseline, "p99"),
            baseline_label=label,
        )
    )
    figures.append(
        Figure(
            "router_decision",
            f"load view memory, {open_tickets} open tickets",
            book_bytes / 2**20,
            "MiB",
            baseline=registry_bytes / 2**20,
            baseline_label=f"the registry of {teams} teams",
            note="tracemalloc peak while building",
        )
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--open-tickets", type=int, default=5_000)
    parser.add_argument("--warm-up", type=int, default=2_000)
    args = parser.parse_args()
    measure(
        runs=args.runs,
        decisions=args.decisions,
        teams=args.teams,
        open_tickets=args.open_tickets,
        warm_up=args.warm_up,
    )


if __name__ == "__main__":
    main()
