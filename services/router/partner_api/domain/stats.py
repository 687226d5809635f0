"""A partner's figures for the contract review, per day in its own time zone.

Each fact counts on the day it happened: an offer on the day it was made, a
resolution on the day of the resolution, a breach on the day it was announced.
A first response (resolution) *met* its target when the partner recorded it and no
breach of that metric was announced while the partner held the ticket before it; a
breach counts against the partner when the SLA service named the partner's team
(it held the ticket when the deadline passed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schemas.base import SlaMetric
from schemas.partner_api import AssignmentStatus, StatsPeriod
from services.router.partner_api.domain.view import AssignmentRecord, BreachRecord, PartnerTicket

S = AssignmentStatus
_ENDED = {S.REJECTED: "rejected", S.EXPIRED: "expired", S.RELEASED: "released"}


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    handle_seconds: list[float] = field(default_factory=list)
    accept_seconds: list[float] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        for name, count in other.counts.items():
            self.counts[name] += count
        self.handle_seconds += other.handle_seconds
        self.accept_seconds += other.accept_seconds

    def period(self, start: date, end: date) -> StatsPeriod:
        c = self.counts
        return StatsPeriod(
            start=start,
            end=end,
            offered=c["offered"],
            accepted=c["accepted"],
            rejected=c["rejected"],
            expired=c["expired"],
            released=c["released"],
            resolved=c["resolved"],
            first_responses=c["first_responses"],
            first_response_met=c["first_response_met"],
            first_response_breached=c["first_response_breached"],
            resolution_met=c["resolution_met"],
            resolution_breached=c["resolution_breached"],
            average_handle_seconds=_mean(self.handle_seconds),
            average_accept_seconds=_mean(self.accept_seconds),
        )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def partner_stats(
    tickets: Iterable[PartnerTicket], team_id: str, first: date, last: date, zone: ZoneInfo
) -> tuple[StatsPeriod, list[StatsPeriod]]:
    """The totals and one entry per day from ``first`` to ``last`` (inclusive)."""
    days: dict[date, _Tally] = defaultdict(_Tally)

    def on(moment: datetime | None) -> _Tally | None:
        if moment is None:
            return None
        day = moment.astimezone(zone).date()
        return days[day] if first <= day <= last else None

    for ticket in tickets:
        own_breaches = [b for b in ticket.breaches if b.team_id == team_id]
        for breach in own_breaches:
            tally = on(breach.at)
            if tally is not None and breach.metric is not SlaMetric.NEXT_RESPONSE:
                tally.counts[f"{breach.metric.value}_breached"] += 1
        for record in ticket.assignments:
            if record.team_id == team_id:
                _count(record, own_breaches, on)

    total = _Tally()
    entries: list[StatsPeriod] = []
    day = first
    while day <= last:
        tally = days.get(day, _Tally())
        total.add(tally)
        entries.append(tally.period(day, day))
        day += timedelta(days=1)
    return total.period(first, last), entries


def _count(
    record: AssignmentRecord,
    breaches: list[BreachRecord],
    on: Callable[[datetime | None], _Tally | None],
) -> None:
    if (tally := on(record.offered_at)) is not None:
        tally.counts["offered"] += 1
    if record.accepted_at is not None and (tally := on(record.accepted_at)) is not None:
        tally.counts["accepted"] += 1
        tally.accept_seconds.append((record.accepted_at - record.offered_at).total_seconds())
    if record.status in _ENDED and (tally := on(record.ended_at)) is not None:
        tally.counts[_ENDED[record.status]] += 1
    if (tally := on(record.first_response_at)) is not None:
        tally.counts["first_responses"] += 1
        assert record.first_response_at is not None
        if not _breached(breaches, SlaMetric.FIRST_RESPONSE, record, record.first_response_at):
            tally.counts["first_response_met"] += 1
    resolved = record.resolved_at
    if record.status is S.RESOLVED and resolved is not None and (tally := on(resolved)) is not None:
        tally.counts["resolved"] += 1
        if record.accepted_at is not None:
            tally.handle_seconds.append((resolved - record.accepted_at).total_seconds())
        if not _breached(breaches, SlaMetric.RESOLUTION, record, resolved):
            tally.counts["resolution_met"] += 1


def _breached(
    breaches: list[BreachRecord], metric: SlaMetric, record: AssignmentRecord, until: datetime
) -> bool:
    return any(b.metric is metric and record.offered_at <= b.at <= until for b in breaches)
