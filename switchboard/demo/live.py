"""The live view while the week plays: a progress bar in simulated time and the counters
the topics show so far."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from plumbing.clock import Clock
from switchboard.demo.actors import PlayState
from switchboard.demo.outcomes import LiveCounters, Outcomes
from switchboard.demo.plan import DemoPlan


def counters_table(counters: LiveCounters, play: PlayState, rss_mib: dict[str, float]) -> Table:
    table = Table.grid(padding=(0, 2))
    for _ in range(4):
        table.add_column(justify="right")
        table.add_column(justify="left")
    table.add_row(
        f"{play.published:,}",
        "messages sent",
        f"{counters.tickets:,}",
        "tickets",
        f"{counters.in_house:,}",
        "assigned in-house",
        f"{counters.partner:,}",
        "assigned to partners",
    )
    table.add_row(
        f"{counters.pending:,}",
        "pending (no team now)",
        f"{counters.at_risk:,}",
        "at-risk warnings",
        f"{counters.breaches:,}",
        "[red]breaches[/red]",
        f"{counters.dead_letters:,}",
        "dead letters",
    )
    return table


def footnote(play: PlayState, rss_mib: dict[str, float]) -> Text:
    memory = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in sorted(rss_mib.items()))
    lag = f"messages sent at most {play.max_lag_seconds / 60:.1f} simulated min late"
    return Text(f"{lag}; RSS {memory or '-'}", style="dim")


class LiveView:
    def __init__(self, plan: DemoPlan, clock: Clock, zone: ZoneInfo) -> None:
        self.plan = plan
        self.zone = zone
        self.clock = clock
        self.progress = Progress(
            TextColumn("[bold]{task.fields[when]}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        total = (plan.end - plan.start).total_seconds()
        self.task = self.progress.add_task("week", total=total, when="starting")

    def _when(self, now: datetime) -> str:
        if now < self.plan.start:
            return f"starts in {(self.plan.start - now).total_seconds() / 60:.0f} sim min"
        return f"{min(now, self.plan.end).astimezone(self.zone):%a %d %b %H:%M} Tallinn"

    def render(
        self, outcomes: Outcomes, play: PlayState, rss_mib: dict[str, float]
    ) -> RenderableType:
        now = self.clock.now()
        done = min(
            max(0.0, (now - self.plan.start).total_seconds()), self.progress.tasks[0].total or 0
        )
        self.progress.update(self.task, completed=done, when=self._when(now))
        return Group(
            self.progress,
            counters_table(outcomes.counters(), play, rss_mib),
            footnote(play, rss_mib),
        )

    async def show(
        self,
        live: Live,
        outcomes: Outcomes,
        play: PlayState,
        rss_mib: Callable[[], dict[str, float]],
        stop: asyncio.Event,
    ) -> None:
        while not stop.is_set():
            live.update(self.render(outcomes, play, rss_mib()))
            await asyncio.sleep(0.5)
        live.update(self.render(outcomes, play, rss_mib()))
