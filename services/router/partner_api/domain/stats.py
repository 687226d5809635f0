"""A partner's figures for the contract review, per day in its own time zone.

Each fact counts on the day it happened: an offer on the day it was made, a
resolution on the day of the resolution, a breach on the day it was announced.
A first response (resolution) *met* its target when the partner recorded it and no
breach of that metric was announced while the partner held the ticket before it; a
breach counts against the partner when the SLA service named the partner's team
(it held the ticket when the deadline passed).

The figures are computed from compact rows (one per assignment, one per breach) that
the API keeps for weeks of history, not from whole ticket records.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schemas.base import SlaMetric
from schemas.partner_api import AssignmentStatus, StatsPeriod
from services.router.partner_api.domain.view import PartnerTicket

S = AssignmentStatus
_ENDED = {S.REJECTED: "rejected", S.EXPIRED: "expired", S.RELEASED: "released"}


@dataclass(frozen=True, slots=True)
class WorkRow:
    """One assignment: what listing filters on and statistics count."""

    ticket_id: str
    assignment_id: object  # uuid.UUID; kept opaque here
    team_id: str
    status: AssignmentStatus
    skill: str | None
    language: str | None
    offered_at: datetime
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    ended_at: datetime | None
    latest: datetime  # the last of the above: rows of older work are skipped at once


@dataclass(frozen=True, slots=True)
class BreachRow:
    team_id: str
    metric: SlaMetric
    at: datetime


def _utc(moment: datetime | None) -> datetime | None:
    """One ``tzinfo`` object for every instant: comparing datetimes that share it skips
    the offset lookups (what makes statistics over weeks of rows fast)."""
    return None if moment is None else moment.astimezone(UTC)


def rows_of(ticket: PartnerTicket) -> tuple[list[WorkRow], list[BreachRow]]:
    facts = ticket.facts
    work = [
        WorkRow(
            ticket_id=ticket.ticket_id,
            assignment_id=a.assignment_id,
            team_id=a.team_id,
            status=a.status,
            skill=facts.skill if facts else None,
            language=facts.language if facts else None,
            offered_at=a.offered_at.astimezone(UTC),
            accepted_at=_utc(a.accepted_at),
            first_response_at=_utc(a.first_response_at),
            resolved_at=_utc(a.resolved_at),
            ended_at=_utc(a.ended_at),
            latest=max(
                (m for m in (a.accepted_at, a.first_response_at, a.resolved_at, a.ended_at) if m),
                default=a.offered_at,
            ).astimezone(UTC),
        )
        for a in ticket.assignments
    ]
    breaches = [BreachRow(b.team_id, b.metric, b.at.astimezone(UTC)) for b in ticket.breaches]
    return work, breaches


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
    work: Iterable[WorkRow],
    breaches: Mapping[str, Sequence[BreachRow]],
    *,
    team_id: str,
    first: date,
    last: date,
    zone: ZoneInfo,
) -> tuple[StatsPeriod, list[StatsPeriod]]:
    """The totals and one entry per day from ``first`` to ``last`` (inclusive).
    ``work``: the team's assignments; ``breaches``: per ticket id."""
    # Each local midnight as an instant: a timestamp finds its day by bisection, with no
    # time zone arithmetic per fact (the view holds weeks of history).
    count = (last - first).days + 1
    midnights = [
        datetime.combine(first + timedelta(days=n), time(0), zone).astimezone(UTC)
        for n in range(count + 1)
    ]
    starts, ends = midnights[0], midnights[-1]
    tallies = [_Tally() for _ in range(count)]

    def on(moment: datetime | None) -> _Tally | None:
        if moment is None or moment < starts or moment >= ends:
            return None
        return tallies[bisect_right(midnights, moment) - 1]

    for ticket_breaches in breaches.values():
        for breach in ticket_breaches:
            if breach.team_id == team_id and breach.metric is not SlaMetric.NEXT_RESPONSE:
                tally = on(breach.at)
                if tally is not None:
                    tally.counts[f"{breach.metric.value}_breached"] += 1
    for row in work:
        if row.latest < starts or row.offered_at >= ends or row.team_id != team_id:
            continue
        own = [b for b in breaches.get(row.ticket_id, ()) if b.team_id == team_id]
        _count(row, own, on)

    total = _Tally()
    entries: list[StatsPeriod] = []
    for n, tally in enumerate(tallies):
        day = first + timedelta(days=n)
        total.add(tally)
        entries.append(tally.period(day, day))
    return total.period(first, last), entries


def _count(
    row: WorkRow, breaches: list[BreachRow], on: Callable[[datetime | None], _Tally | None]
) -> None:
    if (tally := on(row.offered_at)) is not None:
        tally.counts["offered"] += 1
    if row.accepted_at is not None and (tally := on(row.accepted_at)) is not None:
        tally.counts["accepted"] += 1
        tally.accept_seconds.append((row.accepted_at - row.offered_at).total_seconds())
    if row.status in _ENDED and (tally := on(row.ended_at)) is not None:
        tally.counts[_ENDED[row.status]] += 1
    responded = row.first_response_at
    if responded is not None and (tally := on(responded)) is not None:
        tally.counts["first_responses"] += 1
        if not _breached(breaches, SlaMetric.FIRST_RESPONSE, row, responded):
            tally.counts["first_response_met"] += 1
    resolved = row.resolved_at
    if row.status is S.RESOLVED and resolved is not None and (tally := on(resolved)) is not None:
        tally.counts["resolved"] += 1
        if row.accepted_at is not None:
            tally.handle_seconds.append((resolved - row.accepted_at).total_seconds())
        if not _breached(breaches, SlaMetric.RESOLUTION, row, resolved):
            tally.counts["resolution_met"] += 1


def _breached(breaches: list[BreachRow], metric: SlaMetric, row: WorkRow, until: datetime) -> bool:
    return any(b.metric is metric and row.offered_at <= b.at <= until for b in breaches)
