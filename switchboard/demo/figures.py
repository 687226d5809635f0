"""The demo's figures from the folded topics: the summary table's numbers and the
report's time series. Pure; ``summary.json`` is ``Figures.as_json()``."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from schemas.base import TeamKind
from switchboard.demo.outcomes import Outcomes, costs_of

HOUR = timedelta(hours=1)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Attainment:
    met: int
    breached: int

    @property
    def share(self) -> float | None:
        judged = self.met + self.breached
        return self.met / judged if judged else None


@dataclass(frozen=True)
class Figures:
    window_start: str
    window_end: str
    #: The simulated days played, local to the shop: first and last (included).
    first_day: str
    last_day: str
    speed: float
    volume_scale: float
    #: How the services' clock ran: "lockstep, 10 s steps" or "scaled, 1440x".
    clock: str
    tickets: int
    inbound_deliveries: int
    dead_letters: int
    answered: int
    resolved: int
    #: First-response attainment per channel: tickets answered in time / answered or breached.
    attainment: dict[str, dict[str, Any]]
    breaches_by_metric: dict[str, int]
    breaches_by_team: dict[str, dict[str, int]]
    in_house_tickets: int
    partner_tickets: int
    cost: dict[str, float]
    time_to_assignment: dict[str, float | None]
    service_latency: dict[str, float | None]
    #: Hourly series over the window (simulated time), for the report.
    hours: list[str] = field(default_factory=list)
    queue_depth: dict[str, list[int]] = field(default_factory=dict)
    overflow_share: list[float | None] = field(default_factory=list)
    routed_per_hour: list[int] = field(default_factory=list)
    forecast_arrivals_per_hour: list[float | None] = field(default_factory=list)
    breaches_per_hour: list[int] = field(default_factory=list)
    forecast_breaches_per_hour: list[float | None] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    attainment_by_day: dict[str, list[float | None]] = field(default_factory=dict)

    @property
    def partner_share(self) -> float | None:
        kept = self.in_house_tickets + self.partner_tickets
        return self.partner_tickets / kept if kept else None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "partner_share": self.partner_share}


def hour_marks(start: datetime, end: datetime) -> list[datetime]:
    """The start of every hour bucket from ``start`` up to ``end``."""
    count = max(1, math.ceil((end - start) / HOUR))
    return [start + n * HOUR for n in range(count)]


def _bucket(at: datetime, start: datetime, count: int) -> int | None:
    index = math.floor((at - start) / HOUR)
    return index if 0 <= index < count else None


def depth_series(outcomes: Outcomes, marks: Sequence[datetime]) -> dict[str, list[int]]:
    """Open tickets each team holds at the end of every hour bucket."""
    changes = sorted(outcomes.depth_changes, key=lambda change: change.at)
    teams = sorted({change.team_id for change in changes})
    depth: Counter[str] = Counter()
    series: dict[str, list[int]] = {team: [] for team in teams}
    position = 0
    for mark in marks:
        boundary = mark + HOUR
        while position < len(changes) and changes[position].at < boundary:
            depth[changes[position].team_id] += changes[position].delta
            position += 1
        for team in teams:
            series[team].append(depth[team])
    return series


def _forecast_per_hour(
    outcomes: Outcomes, start: datetime, count: int
) -> tuple[list[float | None], list[float | None]]:
    """Mean over each hour's forecast rounds of the rounds' sums over all queues."""
    rounds: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for point in outcomes.forecasts:
        totals = rounds[point.at]
        totals[0] += point.arrivals_per_hour
        totals[1] += point.predicted_breaches
    arrivals: list[list[float]] = [[] for _ in range(count)]
    breaches: list[list[float]] = [[] for _ in range(count)]
    for at, (rate, predicted) in rounds.items():
        index = _bucket(at, start, count)
        if index is not None:
            arrivals[index].append(rate)
            breaches[index].append(predicted)

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return [mean(v) for v in arrivals], [mean(v) for v in breaches]


def _attainment(trails: Iterable[tuple[str, bool, bool]]) -> dict[str, Attainment]:
    met: Counter[str] = Counter()
    breached: Counter[str] = Counter()
    for key, answered, late in trails:
        if late:
            breached[key] += 1
        elif answered:
            met[key] += 1
    return {key: Attainment(met[key], breached[key]) for key in sorted({*met, *breached})}


def compute_figures(
    outcomes: Outcomes,
    *,
    start: datetime,
    end: datetime,
    speed: float,
    volume_scale: float,
    clock: str,
    teams: dict[str, tuple[TeamKind, Decimal]],
    zone: ZoneInfo,
) -> Figures:
    trails = list(outcomes.tickets.values())
    by_channel = _attainment(
        (t.channel.value, t.answered, t.breached_first_response) for t in trails
    )
    overall = _attainment(("all", t.answered, t.breached_first_response) for t in trails)
    attainment = {
        key: {"met": a.met, "breached": a.breached, "attainment": a.share}
        for key, a in {**by_channel, **overall}.items()
    }
    by_team: dict[str, Counter[str]] = defaultdict(Counter)
    for breach in outcomes.breaches:
        by_team[breach.team_id or "unassigned"][breach.metric.value] += 1
    sim_waits = [
        (t.first_assigned_at - t.received_at).total_seconds()
        for t in trails
        if t.first_assigned_at is not None
    ]
    real_waits = [
        (t.first_assigned_ms - (t.inbound_ms or t.opened_ms)) / 1000
        for t in trails
        if t.first_assigned_ms is not None
    ]
    decisions = [
        (t.first_decided_ms - t.opened_ms) / 1000 for t in trails if t.first_decided_ms is not None
    ]
    ingest = [(t.opened_ms - t.inbound_ms) / 1000 for t in trails if t.inbound_ms is not None]
    marks = hour_marks(start, end)
    count = len(marks)
    routed = [0] * count
    to_partners = [0] * count
    for routing in outcomes.routed:
        index = _bucket(routing.at, start, count)
        if index is not None:
            routed[index] += 1
            to_partners[index] += routing.team_kind is TeamKind.PARTNER
    breaches_per_hour = [0] * count
    for breach in outcomes.breaches:
        index = _bucket(breach.at, start, count)
        if index is not None:
            breaches_per_hour[index] += 1
    forecast_arrivals, forecast_breaches = _forecast_per_hour(outcomes, start, count)
    days = sorted({t.received_at.astimezone(zone).date() for t in trails})
    daily = {
        day: _attainment(
            (t.channel.value, t.answered, t.breached_first_response)
            for t in trails
            if t.received_at.astimezone(zone).date() == day
        )
        for day in days
    }
    channels = sorted(by_channel)
    cost = costs_of(teams, outcomes)
    kinds = Counter(t.kept_by[1] for t in trails if t.kept_by is not None)
    return Figures(
        window_start=start.astimezone(zone).isoformat(),
        window_end=end.astimezone(zone).isoformat(),
        first_day=start.astimezone(zone).date().isoformat(),
        last_day=(end - timedelta(microseconds=1)).astimezone(zone).date().isoformat(),
        speed=speed,
        volume_scale=volume_scale,
        clock=clock,
        tickets=len(trails),
        inbound_deliveries=outcomes.inbound_deliveries,
        dead_letters=outcomes.dead_letters,
        answered=sum(1 for t in trails if t.answered),
        resolved=sum(1 for t in trails if t.resolved),
        attainment=attainment,
        breaches_by_metric=dict(Counter(b.metric.value for b in outcomes.breaches)),
        breaches_by_team={team: dict(counts) for team, counts in sorted(by_team.items())},
        in_house_tickets=kinds[TeamKind.IN_HOUSE],
        partner_tickets=kinds[TeamKind.PARTNER],
        cost={
            "in_house": float(cost.get(TeamKind.IN_HOUSE.value, Decimal(0))),
            "outsourcing": float(cost.get(TeamKind.PARTNER.value, Decimal(0))),
        },
        time_to_assignment={
            "tickets": len(sim_waits),
            "sim_p50_seconds": percentile(sim_waits, 0.5),
            "sim_p99_seconds": percentile(sim_waits, 0.99),
            "real_p50_seconds": percentile(real_waits, 0.5),
            "real_p99_seconds": percentile(real_waits, 0.99),
        },
        # How far behind the services ran, in real time: a message's ticket event after
        # the message, the router's first decision (assigned or pending) after that.
        service_latency={
            "ingest_p50_seconds": percentile(ingest, 0.5),
            "ingest_p99_seconds": percentile(ingest, 0.99),
            "routing_decision_p50_seconds": percentile(decisions, 0.5),
            "routing_decision_p99_seconds": percentile(decisions, 0.99),
            "undecided_tickets": len(trails) - len(decisions),
        },
        # Local wall time without an offset: plotting libraries draw it as written.
        hours=[f"{mark.astimezone(zone):%Y-%m-%d %H:%M}" for mark in marks],
        queue_depth=depth_series(outcomes, marks),
        overflow_share=[p / n if n else None for p, n in zip(to_partners, routed, strict=True)],
        routed_per_hour=routed,
        forecast_arrivals_per_hour=forecast_arrivals,
        breaches_per_hour=breaches_per_hour,
        forecast_breaches_per_hour=forecast_breaches,
        days=[day.isoformat() for day in days],
        attainment_by_day={
            channel: [daily[day].get(channel, Attainment(0, 0)).share for day in days]
            for channel in channels
        },
    )
