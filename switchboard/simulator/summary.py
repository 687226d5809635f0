"""What a run produced, per day and per channel, language and skill."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from switchboard.simulator.arrivals import expected_contacts
from switchboard.simulator.model import SimMessage
from switchboard.simulator.params import TrafficParams
from switchboard.simulator.season import Season


@dataclass(frozen=True)
class DaySummary:
    day: date
    messages: int
    first_contacts: int
    follow_ups: int
    duplicates: int
    #: First contacts the model expects on this day without any seasonal peak.
    baseline: float
    #: The model's seasonal multiplier for the day (in the shop's time zone).
    multiplier: float

    @property
    def factor(self) -> float:
        """Observed first contacts over the day's baseline."""
        return self.first_contacts / self.baseline if self.baseline else 0.0


@dataclass(frozen=True)
class TrafficSummary:
    seed: int
    start: datetime
    end: datetime
    timezone: str
    days: tuple[DaySummary, ...]
    by_channel: dict[str, int]
    by_language: dict[str, int]
    by_skill: dict[str, int]
    messages: int
    first_contacts: int
    follow_ups: int
    duplicates: int

    @property
    def peak(self) -> DaySummary | None:
        return max(self.days, key=lambda day: day.first_contacts, default=None)


def _counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def summarise(
    messages: Sequence[SimMessage],
    *,
    start: datetime,
    end: datetime,
    seed: int,
    params: TrafficParams,
) -> TrafficSummary:
    zone = ZoneInfo(params.shop_timezone)
    season = Season(params.season)
    per_day: dict[date, Counter[str]] = {}
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    for offset in range((last - first).days + 1):
        per_day[first + timedelta(days=offset)] = Counter()
    for message in messages:
        counts = per_day.setdefault(message.at.astimezone(zone).date(), Counter())
        counts["messages"] += 1
        if message.truth.is_duplicate:
            counts["duplicates"] += 1
        elif message.truth.message_index > 0:
            counts["follow_ups"] += 1
        else:
            counts["first_contacts"] += 1
    days = []
    for day, counts in sorted(per_day.items()):
        day_start = max(start, datetime.combine(day, time(0), zone))
        day_end = min(end, datetime.combine(day + timedelta(days=1), time(0), zone))
        days.append(
            DaySummary(
                day=day,
                messages=counts["messages"],
                first_contacts=counts["first_contacts"],
                follow_ups=counts["follow_ups"],
                duplicates=counts["duplicates"],
                baseline=expected_contacts(params, day_start, day_end, seasonal=False),
                multiplier=season.multiplier(day),
            )
        )
    originals = [message for message in messages if not message.truth.is_duplicate]
    return TrafficSummary(
        seed=seed,
        start=start,
        end=end,
        timezone=params.shop_timezone,
        days=tuple(days),
        by_channel=_counts(Counter(message.channel.value for message in messages)),
        by_language=_counts(Counter(message.truth.language for message in originals)),
        by_skill=_counts(Counter(m.truth.skill for m in originals if m.truth.message_index == 0)),
        messages=len(messages),
        first_contacts=sum(day.first_contacts for day in days),
        follow_ups=sum(day.follow_ups for day in days),
        duplicates=sum(day.duplicates for day in days),
    )


def _share_table(title: str, column: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column(column)
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    total = sum(counts.values()) or 1
    for name, count in counts.items():
        table.add_row(name, f"{count:,}", f"{count / total:.1%}")
    return table


def render_summary(summary: TrafficSummary, console: Console) -> None:
    zone = ZoneInfo(summary.timezone)
    console.print(
        f"Simulated support traffic, seed {summary.seed}, "
        f"{summary.start.astimezone(zone):%a %d %b %Y %H:%M} to "
        f"{summary.end.astimezone(zone):%a %d %b %Y %H:%M} ({summary.timezone})"
    )
    days = Table(title="Per day")
    days.add_column("day", no_wrap=True)
    for column in ("messages", "new", "follow-ups", "dupes", "vs base", "model"):
        days.add_column(column, justify="right")
    for day in summary.days:
        days.add_row(
            f"{day.day:%a %d %b}",
            f"{day.messages:,}",
            f"{day.first_contacts:,}",
            f"{day.follow_ups:,}",
            f"{day.duplicates:,}",
            f"{day.factor:.1f}x",
            f"{day.multiplier:.1f}x",
        )
    days.add_row(
        "total",
        f"{summary.messages:,}",
        f"{summary.first_contacts:,}",
        f"{summary.follow_ups:,}",
        f"{summary.duplicates:,}",
        "",
        "",
        style="bold",
    )
    console.print(days)
    console.print(
        "new: first contacts (new conversations); vs base: new over what an ordinary "
        "day of that weekday brings; model: the seasonal multiplier."
    )
    console.print(_share_table("Channels", "channel", summary.by_channel))
    console.print(_share_table("Languages", "language", summary.by_language))
    console.print(_share_table("Skills (first contacts)", "skill", summary.by_skill))
    peak = summary.peak
    if peak is not None and peak.baseline:
        console.print(
            f"Peak day {peak.day:%a %d %b}: {peak.first_contacts:,} first contacts, "
            f"{peak.factor:.1f}x the {peak.baseline:,.0f} an ordinary {peak.day:%A} brings "
            f"(model: {peak.multiplier:.1f}x)."
        )
    if summary.messages:
        console.print(
            f"Follow-ups: {summary.follow_ups:,} ({summary.follow_ups / summary.messages:.1%}), "
            f"duplicate deliveries: {summary.duplicates:,} "
            f"({summary.duplicates / summary.messages:.1%})."
        )
