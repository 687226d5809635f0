"""How long one routing decision takes with 200 teams configured.

    python -m bench.router_decision [--runs 5] [--decisions 20000] [--teams 200]

Measures ``services.router.domain.policy.decide`` against the router's real load
view (``LoadBook``) filled with open tickets, throughput tallies and forecasts.
Between two decisions the chosen team's load changes as it would in the service
(one more open ticket, one more arrival), so caches are invalidated as they are
in production; the clock moves one second per decision, so hours and throughput
windows roll over. Compared in the same run with a baseline: the plain skill
filter the walking skeleton used (skill, language, channel; in-house first).
Prints per-decision p50/p99/p99.9 (medians over the runs), their ratio to the
baseline, the cost of building the ``ticket.assigned`` event on top, and memory.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.base import Channel, CustomerTier, TeamKind
from schemas.config.teams import OutsourcingConfig, TeamConfig
from schemas.sla import QueueForecast
from services.router import events
from services.router.domain import lifecycle, tally
from services.router.domain.policy import RoutingRequest, decide
from services.router.domain.registry import Registry, TeamProfile, TicketProfile
from services.router.domain.state import PartitionTally, TicketFacts, TicketRoute, tally_key
from services.router.loadbook import LoadBook, decode_mirror
from services.router.loop import refresh_load_view

SKILLS = ["orders_shipping", "returns_refunds", "payments_billing", "account_technical", "product"]
LANGUAGES = ["en", "de", "et", "fi", "pl", "cs", "lv", "lt", "tr", "ru"]
CHANNELS = [Channel.EMAIL, Channel.CHAT, Channel.PHONE, Channel.SOCIAL, Channel.MARKETPLACE]
ZONES = ["Europe/Tallinn", "Europe/Warsaw", "Europe/Berlin", "Europe/Istanbul", "Asia/Manila"]
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Black Friday, mid-morning in Europe
PARTITIONS = 6


def make_teams(count: int, rng: random.Random) -> list[TeamConfig]:
    teams = []
    for index in range(count):
        partner = rng.random() < 0.4
        hours: dict[str, Any] | None = None
        if rng.random() < 0.8:
            open_days = ["mon", "tue", "wed", "thu", "fri"] + (
                ["sat"] if rng.random() < 0.5 else []
            )
            start = rng.choice([6, 7, 8, 9])
            hours = {
                "time_zone": rng.choice(ZONES),
                "weekly": {day: [f"{start:02d}:00-{start + 10:02d}:00"] for day in open_days},
                "holidays_country": rng.choice([None, "EE", "PL", "DE"]),
            }
        fields: dict[str, Any] = {
            "id": f"team-{index:03d}",
            "name": f"Team {index}",
            "kind": "partner" if partner else "in_house",
            "skills": {
                s: rng.choice([0.6, 0.8, 1.0]) for s in rng.sample(SKILLS, rng.randint(2, 4))
            },
            "languages": rng.sample(LANGUAGES, rng.randint(2, 5)),
            "channels": rng.sample(CHANNELS, rng.randint(2, 4)),
            "agents": rng.randint(2, 40),
            "concurrency": rng.randint(1, 4),
            "cost_per_ticket": f"{rng.uniform(2, 9):.2f}",
            "hours": hours,
        }
        if partner:
            fields["contract"] = {
                "daily_volume_cap": rng.choice([None, 500, 2000]),
                "minimum_daily_share": rng.choice([0.0, 0.0, 0.002]),
                "data_policy": {"never_tiers": ["vip"]},
            }
        teams.append(TeamConfig.model_validate(fields))
    return teams


def _facts(profile: TicketProfile) -> TicketFacts:
    return TicketFacts(
        correlation_id="bench",
        channel=profile.channel,
        language=profile.language,
        skill=profile.skill,
        tier=profile.tier,
        received_at=START,
        first_response_due=START + timedelta(hours=1),
        subject="Where is my parcel?",
        text="Order 4711 was due on Monday.",
    )


def make_book(registry: Registry, open_tickets: int, rng: random.Random) -> LoadBook:
    """A load view as a router with ``open_tickets`` open across the desk would have."""
    book = LoadBook(registry, max_unconfirmed=0)
    teams = list(registry.teams)
    tallies = {p: PartitionTally(partition=p) for p in range(PARTITIONS)}
    for number in range(open_tickets):
        team = rng.choice(teams)
        partition = 1 + number % (PARTITIONS - 1)  # partition 0 is this instance's own
        key = f"open-{number}"
        state = TicketRoute(
            partition=partition,
            facts=_facts(
                TicketProfile(
                    "orders_shipping", "en", Channel.EMAIL, frozenset(), CustomerTier.STANDARD, None
                )
            ),
        )
        state = lifecycle.assign(state, key, team, START - timedelta(minutes=rng.randint(0, 30)))
        book.mirror_changed(key, decode_mirror(state.model_dump_json().encode()))
        moment = START - timedelta(minutes=rng.randint(0, 14))
        tallies[partition] = tally.record_assignment(
            tallies[partition],
            team.id,
            moment,
            desk_day=moment.date().isoformat(),
            to_partner=team.partner,
            contract_day=moment.date().isoformat() if team.partner else None,
        )
        if rng.random() < 0.5:
            tallies[partition] = tally.record_resolution(
                tallies[partition], team.id, moment, held_seconds=rng.uniform(120, 1800)
            )
    for partition, value in tallies.items():
        book.mirror_changed(tally_key(partition), decode_mirror(value.model_dump_json().encode()))
    for team in rng.sample(teams, len(teams) // 4):  # an SLA forecast for a quarter of the queues
        for skill in team.skills:
            book.forecast_changed(
                f"{team.id}/{skill}",
                QueueForecast(
                    event_id=uuid.uuid4(),
                    occurred_at=START,
                    correlation_id="bench",
                    queue_id=f"{team.id}/{skill}",
                    team_id=team.id,
                    team_kind=team.kind,
                    skill=skill,
                    window_start=START,
                    window_end=START + timedelta(days=1),
                    model="erlang_c",
                    arrival_rate_per_hour=rng.uniform(1, 60),
                    baseline_arrival_rate_per_hour=10,
                    service_rate_per_hour=4,
                    agents=team.agents,
                    target_seconds=600,
                    target_service_level=0.8,
                    predicted_service_level=rng.uniform(0.5, 1.0),
                    predicted_breaches=0,
                    peak=False,
                ),
            )
    book.partition_ready(0, [])  # this instance owns partition 0; its decisions count at once
    return book


def make_tickets(count: int, rng: random.Random) -> list[TicketProfile]:
    return [
        TicketProfile(
            skill=rng.choice(SKILLS),
            language=rng.choice(LANGUAGES),
            channel=rng.choice(CHANNELS),
            needs=frozenset(),
            tier=rng.choice([CustomerTier.STANDARD] * 8 + [CustomerTier.LOYAL, CustomerTier.VIP]),
            marketplace=None,
        )
        for _ in range(count)
    ]


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
                    TicketRoute(partition=0, facts=_facts(ticket)),
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
    facts=_facts(
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
