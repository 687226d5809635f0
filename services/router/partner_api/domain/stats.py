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

import sys
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
    """One assignment: what listing filters on and statistics count.

    Weeks of history are kept per API instance, so a row is small: its strings are
    interned (one object per team, skill and language), its ticket id is the index's
    own key, and its instants are integer microseconds since the Unix epoch (UTC): an
    int is 32 bytes where a datetime is 48, and differences stay exact."""

    ticket_id: str
    assignment_id: int  # the UUID's 128-bit int: its string sorts the same way
    team_id: str
    status: AssignmentStatus
    skill: str | None
    language: str | None
    offered_us: int
    accepted_us: int | None
    first_response_us: int | None
    resolved_us: int | None
    ended_us: int | None
    latest_us: int  # the last of the above: rows of older work are skipped at once

    @property
    def offered_at(self) -> datetime:
        return from_micros(self.offered_us)


@dataclass(frozen=True, slots=True)
class BreachRow:
    team_id: str
    metric: SlaMetric
    at_us: int


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """An aware instant as integer microseconds since the epoch (exact)."""
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else micros(moment)


def _interned(value: str | None) -> str | None:
    return None if value is None else sys.intern(value)


def rows_of(
    ticket: PartnerTicket, ticket_id: str | None = None
) -> tuple[list[WorkRow], list[BreachRow]]:
    """``ticket_id``: the caller's string for the ticket, shared by its rows."""
    facts = ticket.facts
    key = ticket_id if ticket_id is not None else ticket.ticket_id
    skill = _interned(facts.skill) if facts else None
    language = _interned(facts.language) if facts else None
    work = []
    for a in ticket.assignments:
        times = [
            _micros(moment)
            for moment in (a.accepted_at, a.first_response_at, a.resolved_at, a.ended_at)
        ]
        offered = micros(a.offered_at)
        work.append(
            WorkRow(
                ticket_id=key,
                assignment_id=a.assignment_id.int,
                team_id=sys.intern(a.team_id),
                status=a.status,
                skill=skill,
                language=language,
                offered_us=offered,
                accepted_us=times[0],
                first_response_us=times[1],
                resolved_us=times[2],
                ended_us=times[3],
                latest_us=max((t for t in times if t is not None), default=offered),
            )
        )
    breaches = [BreachRow(sys.intern(b.team_id), b.metric, micros(b.at)) for b in ticket.breaches]
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
        micros(datetime.combine(first + timedelta(days=n), time(0), zone)) for n in range(count + 1)
    ]
    starts, ends = midnights[0], midnights[-1]
    tallies = [_Tally() for _ in range(count)]

    def on(moment: int | None) -> _Tally | None:
        if moment is None or moment < starts or moment >= ends:
            return None
        return tallies[bisect_right(midnights, moment) - 1]

    for ticket_breaches in breaches.values():
        for breach in ticket_breaches:
            if breach.team_id == team_id and breach.metric is not SlaMetric.NEXT_RESPONSE:
                tally = on(breach.at_us)
                if tally is not None:
                    tally.counts[f"{breach.metric.value}_breached"] += 1
    for row in work:
        if row.latest_us < starts or row.offered_us >= ends or row.team_id != team_id:
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
    row: WorkRow, breaches: list[BreachRow], on: Callable[[int | None], _Tally | None]
) -> None:
    if (tally := on(row.offered_us)) is not None:
        tally.counts["offered"] += 1
    accepted = row.accepted_us
    if accepted is not None and (tally := on(accepted)) is not None:
        tally.counts["accepted"] += 1
        tally.accept_seconds.append(_seconds(accepted - row.offered_us))
    if row.status in _ENDED and (tally := on(row.ended_us)) is not None:
        tally.counts[_ENDED[row.status]] += 1
    responded = row.first_response_us
    if responded is not None and (tally := on(responded)) is not None:
        tally.counts["first_responses"] += 1
        if not _breached(breaches, SlaMetric.FIRST_RESPONSE, row, responded):
            tally.counts["first_response_met"] += 1
    resolved = row.resolved_us
    if row.status is S.RESOLVED and resolved is not None and (tally := on(resolved)) is not None:
        tally.counts["resolved"] += 1
        if accepted is not None:
            tally.handle_seconds.append(_seconds(resolved - accepted))
        if not _breached(breaches, SlaMetric.RESOLUTION, row, resolved):
            tally.counts["resolution_met"] += 1


def _seconds(microseconds: int) -> float:
    """As ``timedelta.total_seconds()`` computes it, so the figures do not change."""
    return microseconds / 10**6


def _breached(breaches: list[BreachRow], metric: SlaMetric, row: WorkRow, until: int) -> bool:
    return any(b.metric is metric and row.offered_us <= b.at_us <= until for b in breaches)
