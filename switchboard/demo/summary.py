"""The terminal summary at the end of the demo."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from switchboard.demo.compare import CHANNEL_ORDER, Comparison
from switchboard.demo.figures import Figures
from switchboard.demo.report import summary_rows


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def comparison_table(comparison: Comparison) -> Table:
    """Every policy on the same week: attainment per channel, breaches, cost."""
    rows = comparison.rows
    channels = [c for c in CHANNEL_ORDER if any(c in r.by_channel for r in rows)]
    table = Table(title="The same week under every policy (first response in time)")
    table.add_column("policy")
    for heading in ("all", *channels, "breaches", "outsourcing cost", "against policy"):
        table.add_column(heading, justify="right")
    table.add_column("never worked", justify="right")
    for row in rows:
        table.add_row(
            row.label,
            _percent(row.attainment),
            *(_percent(row.attainment_of(c)) for c in channels),
            f"{row.breaches:,}",
            f"{row.cost_partners:,.0f}",
            f"{row.against_policy:,}",
            f"{row.never_worked:,}",
        )
    return table


def print_summary(
    console: Console,
    *,
    figures: Figures,
    comparison: Comparison,
    peak_rss_mib: dict[str, float],
    problems: list[str],
    real_seconds: float,
    cpu_seconds: dict[str, float] | None = None,
) -> None:
    table = Table(
        title=f"The services' run, from the topics ({figures.first_day} to "
        f"{figures.last_day}, {figures.clock}, volume scale {figures.volume_scale:g})"
    )
    table.add_column("what")
    table.add_column("value", justify="right")
    for what, value in summary_rows(figures, peak_rss_mib, cpu_seconds):
        table.add_row(what, value)
    console.print(table)
    console.print(comparison_table(comparison))
    for check in comparison.checks:
        mark = "[green]holds[/green]" if check.holds else "[red]fails[/red]"
        console.print(f"  {mark}: {check.claim} ({check.detail})")
    console.print(f"Played in {real_seconds / 60:.1f} real minutes.")
    if not figures.clock.startswith("lockstep"):
        decision = figures.service_latency.get("routing_decision_p50_seconds") or 0.0
        console.print(
            f"[dim]At {figures.speed:g}x one real second is {figures.speed / 60:.0f} simulated "
            f"minutes: the router's median real decision time ({decision:.2f} s) is "
            f"{decision * figures.speed / 60:.0f} simulated minutes, so first-response "
            "targets shorter than that (chat and phone in the sample config) are missed by "
            "the compression itself; the default lockstep clock judges them fairly.[/dim]"
        )
    if problems:
        console.print(f"[red]Books: {len(problems)} problem(s)[/red]")
        for problem in problems[:20]:
            console.print(f"[red]  {problem}[/red]")
    else:
        console.print(
            "[green]Books balance: 0 problems[/green] (every message once, serial "
            "assignments, one breach per missed deadline, only the planted bad inputs "
            "dead-lettered)."
        )


def verdict(problems: list[str]) -> str:
    return "0 problems" if not problems else f"{len(problems)} problem(s): {problems[0]}"
