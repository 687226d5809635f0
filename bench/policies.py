"""Policy comparison: the same simulated week routed by Switchboard and by peers' policies.

    python -m bench.policies [--from 2026-11-25 --to 2026-12-01] [--seed 42] [--scale 1.0]
                             [--policies switchboard,round_robin,...] [--overflow-after 0.5]

The simulator's demo week (seed 42) with the sample config's teams, partners and SLA
policies (``deploy/config/switchboard.yaml``) is played through a discrete-event
simulation of the desk (``bench/desk``) once per policy: Switchboard's router policy
(its real domain code on its real load view), the same without relaxation rings, and
the baselines round-robin,
least-loaded, skills-only without overflow, and overflow only after a timeout (each
defined in ``bench/desk/strategies.py``). Arrivals, agents' handle and reply times and
partners' answers are the same draws for every policy (keyed by ticket and attempt).

Prints per policy: tickets, SLA attainment (first response; overall and by channel),
breaches, tickets worked in-house and by partners, outsourcing and in-house cost,
tickets sent to partners against the data policy, time to first assignment and to
first response (p50/p99), the end state of every ticket, tickets no team can take and
tickets never worked, and Switchboard's decisions in wider rings.
"""

from __future__ import annotations

import argparse
import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.common import Figure
from bench.desk.engine import DeskSimulation
from bench.desk.intake import Intake, open_tickets
from bench.desk.report import PolicyResult, summarise
from bench.desk.strategies import STRATEGIES, TimedOverflow
from schemas.config import SwitchboardConfig, load_config
from switchboard.simulator import (
    DEFAULT_SEED,
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    TrafficParams,
    Workforce,
    day_range,
    generate_traffic,
    partner_capacity_announcements,
)

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "config" / "switchboard.yaml"
BASELINES = ("round_robin", "least_loaded", "skills_only", "timed_overflow")
POLICIES = ("switchboard", "switchboard_no_rings", *BASELINES)
CHANNELS = ("email", "chat", "phone", "social", "marketplace")
#: After the last arrival the desk keeps working this long, so that every deadline of
#: the range's tickets has passed when the run is judged.
AFTER_LAST_ARRIVAL = timedelta(days=1)


@dataclass(frozen=True)
class Comparison:
    first_day: date
    last_day: date
    seed: int
    scale: float
    intake: Intake
    results: tuple[PolicyResult, ...]

    def result(self, policy: str) -> PolicyResult:
        return next(r for r in self.results if r.policy == policy)


def compare(
    *,
    first_day: date = DEMO_FIRST_DAY,
    last_day: date = DEMO_LAST_DAY,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    policies: Sequence[str] = POLICIES,
    overflow_after: float = 0.5,
    config: SwitchboardConfig | None = None,
) -> Comparison:
    """Play the range once per policy; ``scale`` multiplies the simulator's traffic."""
    config = config or load_config(CONFIG)
    ordinary = TrafficParams().baseline_contacts_per_day
    params = TrafficParams(baseline_contacts_per_day=ordinary * scale)
    start, end = day_range(first_day, last_day, params.shop_timezone)
    intake = open_tickets(generate_traffic(start, end, seed=seed, params=params), config)
    announcements = partner_capacity_announcements(
        config.teams, first_day, last_day, seed=seed, season=params.season
    )
    results = []
    for name in policies:
        factory = STRATEGIES[name]
        if name == "timed_overflow":
            factory = functools.partial(TimedOverflow, overflow_after=overflow_after)
        started = time.perf_counter()
        simulation = DeskSimulation(
            config,
            intake.tickets,
            factory,
            workforce=Workforce(seed),
            announcements=announcements,
            until=end + AFTER_LAST_ARRIVAL,
        )
        simulation.run()
        results.append(summarise(simulation, name, time.perf_counter() - started))
    return Comparison(first_day, last_day, seed, scale, intake, tuple(results))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _duration(seconds: float) -> str:
    if math.isnan(seconds):  # nothing measured
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def render(comparison: Comparison) -> str:
    """The comparison as plain-text tables."""
    intake = comparison.intake
    results = comparison.results
    lines = [
        f"Policy comparison: {comparison.first_day} to {comparison.last_day}, seed "
        f"{comparison.seed}, traffic x{comparison.scale:g}: {len(intake.tickets):,} tickets "
        f"({intake.follow_ups_ignored:,} follow-ups threaded, {intake.duplicates_dropped:,} "
        "duplicates dropped)",
        "",
        f"{'policy':<26}{'SLA met':>8}{'breaches':>9}"
        + "".join(f"{c[:5]:>7}" for c in CHANNELS)
        + f"{'in-house':>9}{'partner':>8}{'outsourcing':>12}{'in-house':>10}{'against':>8}",
        f"{'':<26}{'':>8}{'':>9}"
        + "".join(f"{'':>7}" for _ in CHANNELS)
        + f"{'worked':>9}{'worked':>8}{'cost':>12}{'cost':>10}{'policy':>8}",
    ]
    for r in results:
        lines.append(
            f"{r.policy:<26}{_pct(r.attainment):>8}{r.breaches:>9,}"
            + "".join(f"{_pct(r.attainment_of(c)):>7}" for c in CHANNELS)
            + f"{r.worked_in_house:>9,}{r.worked_by_partners:>8,}{r.cost_partners:>12,.0f}"
            f"{r.cost_in_house:>10,.0f}{r.against_policy:>8,}"
        )
    lines += [
        "",
        f"{'policy':<26}{'to assignment':>16}{'to 1st response':>18}{'offers':>8}"
        f"{'rejected':>9}{'expired':>8}{'taken':>6}{'answered':>9}{'waiting':>8}{'pending':>8}"
        f"{'stranded':>9}{'run':>7}",
        f"{'':<26}{'p50 / p99':>16}{'p50 / p99':>18}{'':>8}{'':>9}{'':>8}{'back':>6}"
        f"{'':>9}{'at team':>8}{'':>8}{'':>9}{'':>7}",
    ]
    for r in results:
        lines.append(
            f"{r.policy:<26}"
            f"{_duration(r.assignment_p50_s) + ' / ' + _duration(r.assignment_p99_s):>16}"
            f"{_duration(r.response_p50_s) + ' / ' + _duration(r.response_p99_s):>18}"
            f"{r.offers:>8,}{r.rejected:>9,}{r.expired:>8,}{r.taken_back:>6,}{r.answered:>9,}"
            f"{r.waiting_at_team:>8,}{r.pending:>8,}{r.stranded:>9,}{r.run_seconds:>6.1f}s"
        )
    lines += [
        "",
        f"{'policy':<26}{'no team can take':>18}{'never worked':>15}{'in a wider ring':>17}"
        f"{'translated':>12}",
    ]
    for r in results:
        in_rings = sum(n for kind, n in r.decisions.items() if kind.startswith("ring "))
        lines.append(
            f"{r.policy:<26}"
            f"{f'{r.no_team_can_take:,} ({_pct(r.no_team_can_take / r.tickets)})':>18}"
            f"{f'{r.never_worked:,} ({_pct(r.never_worked / r.tickets)})':>15}"
            f"{in_rings:>17,}{r.decisions.get('needs translation', 0):>12,}"
        )
    lines += ["", *quality_table(results)]
    classes = list(results[0].breaches_by_class) if results else []
    lines += ["", "Breaches by class of ticket (breaches / tickets of the class):"]
    lines.append(f"{'policy':<26}" + "".join(f"{name:>16}" for name in classes))
    for r in results:
        cells = [f"{b:,} / {n:,}" for b, n in r.breaches_by_class.values()]
        lines.append(f"{r.policy:<26}" + "".join(f"{cell:>16}" for cell in cells))
    return "\n".join(lines)


def quality_table(results: Sequence[PolicyResult]) -> list[str]:
    """FCR and CSAT the simulated customers gave, and what each partner worked (and its
    busiest contract day against its cap)."""
    partners = list((results[0].busiest_day or {}) if results else {})
    lines = [
        "Quality (simulated customers) and partners' work (tickets worked; busiest day / cap):",
        f"{'policy':<26}{'FCR':>7}{'CSAT':>6}"
        + "".join(f"{p[:18]:>20}" for p in partners)
        + f"{'caps kept':>11}",
    ]
    for r in results:
        fcr = r.first_contact_resolution
        csat = r.csat
        cells = []
        for partner in partners:
            most, cap = (r.busiest_day or {})[partner]
            worked = (r.worked_by_team or {}).get(partner, 0)
            cells.append(f"{worked:,}; {most}/{cap if cap is not None else '-'}")
        lines.append(
            f"{r.policy:<26}{_pct(fcr):>7}{(f'{csat:.2f}' if csat else '-'):>6}"
            + "".join(f"{cell:>20}" for cell in cells)
            + f"{'yes' if r.caps_kept else 'NO':>11}"
        )
    return lines


def figures(comparison: Comparison) -> list[Figure]:
    """Switchboard against the baselines, as the figures the benchmark runner prints."""
    switchboard = comparison.result("switchboard")
    baselines = [r for r in comparison.results if r.policy in BASELINES]
    days = f"{comparison.first_day:%d %b}-{comparison.last_day:%d %b}"
    if comparison.scale != 1:
        days += f", traffic x{comparison.scale:g}"
    found: list[Figure] = [
        Figure(
            "policies",
            f"tickets no team can take, {days} (switchboard)",
            100 * switchboard.no_team_can_take / switchboard.tickets,
            "%",
            target="< 1%",
            met=switchboard.no_team_can_take < 0.01 * switchboard.tickets,
            note=f"{switchboard.no_team_can_take} of {switchboard.tickets}; never worked "
            f"{switchboard.never_worked}",
        )
    ]
    if any(r.policy == "switchboard_no_rings" for r in comparison.results):
        without = comparison.result("switchboard_no_rings")
        found.append(
            Figure(
                "policies",
                "SLA breaches with relaxation rings (switchboard vs switchboard_no_rings)",
                switchboard.breaches,
                "tickets",
                baseline=without.breaches,
                baseline_label="switchboard_no_rings",
                target="fewer",
                met=switchboard.breaches < without.breaches,
            )
        )
    if baselines:
        best = min(baselines, key=lambda r: r.breaches)
        found.append(
            Figure(
                "policies",
                f"SLA breaches, {days} (switchboard vs best baseline)",
                switchboard.breaches,
                "tickets",
                baseline=best.breaches,
                baseline_label=best.policy,
                target="fewer than every baseline",
                met=switchboard.breaches < best.breaches,
                note=", ".join(f"{r.policy} {r.breaches}" for r in baselines),
            )
        )
    if any(r.policy == "least_loaded" for r in comparison.results):
        least = comparison.result("least_loaded")
        found.append(
            Figure(
                "policies",
                "outsourcing cost (switchboard vs least_loaded)",
                float(switchboard.cost_partners),
                "EUR",
                baseline=float(least.cost_partners),
                baseline_label="least_loaded",
                target="<= least_loaded",
                met=switchboard.cost_partners <= least.cost_partners,
                note=f"in-house cost {switchboard.cost_in_house:.0f} vs {least.cost_in_house:.0f}",
            )
        )
    worst = max(baselines, key=lambda r: r.against_policy, default=None)
    found.append(
        Figure(
            "policies",
            "tickets sent to partners against the data policy",
            switchboard.against_policy,
            "tickets",
            baseline=worst.against_policy if worst else None,
            baseline_label=worst.policy if worst else "",
            target="0",
            met=switchboard.against_policy == 0,
        )
    )
    found.append(
        Figure(
            "policies",
            "SLA attainment, first response (switchboard vs best baseline)",
            100 * switchboard.attainment,
            "%",
            baseline=100 * max(r.attainment for r in baselines) if baselines else None,
            baseline_label="best baseline",
        )
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat, default=DEMO_FIRST_DAY)
    parser.add_argument("--to", dest="last", type=date.fromisoformat, default=DEMO_LAST_DAY)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="traffic x this")
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument(
        "--overflow-after",
        type=float,
        default=0.5,
        help="timed_overflow: share of the SLA budget an in-house team has to start a ticket",
    )
    args = parser.parse_args()
    comparison = compare(
        first_day=args.first,
        last_day=args.last,
        seed=args.seed,
        scale=args.scale,
        policies=[p.strip() for p in args.policies.split(",") if p.strip()],
        overflow_after=args.overflow_after,
    )
    print(render(comparison))


if __name__ == "__main__":
    main()
