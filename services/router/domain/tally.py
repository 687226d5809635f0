"""Recent throughput per team, kept per partition and summed over all of them.

Per minute: assignments (the team's arrival rate) and resolutions with the time
each held a slot (its service rate). Per contract day: offers (partner volume
caps). Per desk day: assignments and how many went to partners (the outsourcing
share). Updates copy only what changes, so unchanged teams keep their objects.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.router.domain.quality import NO_FIGURES, QualityFigures
from services.router.domain.registry import Registry
from services.router.domain.state import PartitionTally, TeamTally

#: Minutes of history behind the arrival rate and the measured handle time.
WINDOW_MINUTES = 15
#: Pseudo-observations of the configured handle time: the measurement takes over
#: as resolutions accumulate, and a handful of odd tickets cannot swing it.
PRIOR_WEIGHT = 10.0
_DAYS_KEPT = 3


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _recent(minutes: dict[int, int], now_minute: int) -> dict[int, int]:
    oldest = now_minute - WINDOW_MINUTES
    return {m: n for m, n in minutes.items() if m > oldest}


def _recent_pairs(
    minutes: dict[int, tuple[int, float]], now_minute: int
) -> dict[int, tuple[int, float]]:
    oldest = now_minute - WINDOW_MINUTES
    return {m: v for m, v in minutes.items() if m > oldest}


def _recent_days(days: dict[str, int], today: str) -> dict[str, int]:
    return dict(sorted((d, n) for d, n in days.items() if d <= today)[-_DAYS_KEPT:])


def record_assignment(
    tally: PartitionTally,
    team_id: str,
    now: datetime,
    *,
    desk_day: str,
    to_partner: bool,
    contract_day: str | None,
) -> PartitionTally:
    minute = minute_of(now)
    team = tally.teams.get(team_id, TeamTally())
    arrivals = _recent(team.arrivals, minute)
    arrivals[minute] = arrivals.get(minute, 0) + 1
    offers = team.offers
    if contract_day is not None:
        offers = _recent_days(offers, contract_day)
        offers[contract_day] = offers.get(contract_day, 0) + 1
    teams = dict(tally.teams)
    teams[team_id] = TeamTally(
        arrivals=arrivals,
        completions=_recent_pairs(team.completions, minute),
        offers=offers,
        quality=team.quality,
    )
    desk = {d: v for d, v in sorted(tally.desk.items()) if d <= desk_day}
    assigned, partners = desk.get(desk_day, (0, 0))
    desk[desk_day] = (assigned + 1, partners + (1 if to_partner else 0))
    desk = dict(list(desk.items())[-_DAYS_KEPT:])
    return PartitionTally(partition=tally.partition, teams=teams, desk=desk)


def record_resolution(
    tally: PartitionTally, team_id: str, now: datetime, held_seconds: float
) -> PartitionTally:
    minute = minute_of(now)
    team = tally.teams.get(team_id, TeamTally())
    completions = _recent_pairs(team.completions, minute)
    count, total = completions.get(minute, (0, 0.0))
    completions[minute] = (count + 1, total + held_seconds)
    teams = dict(tally.teams)
    teams[team_id] = TeamTally(
        arrivals=_recent(team.arrivals, minute),
        completions=completions,
        offers=team.offers,
        quality=team.quality,
    )
    return PartitionTally(partition=tally.partition, teams=teams, desk=tally.desk)


def record_quality(
    tally: PartitionTally,
    team_id: str,
    day: str,
    *,
    oldest_day: str,
    resolved: int = 0,
    recontacted: int = 0,
    score: int | None = None,
) -> PartitionTally:
    """Count a resolution, a reopen or repeat contact (booked on its resolution's desk
    ``day``) or a CSAT ``score`` for the team; days before ``oldest_day`` are dropped."""
    team = tally.teams.get(team_id, TeamTally())
    quality = {d: v for d, v in team.quality.items() if d >= oldest_day}
    if day >= oldest_day:
        done, again, ratings, points = quality.get(day, (0, 0, 0, 0))
        quality[day] = (
            done + resolved,
            again + recontacted,
            ratings + (score is not None),
            points + (score or 0),
        )
    teams = dict(tally.teams)
    teams[team_id] = team.model_copy(update={"quality": quality})
    return PartitionTally(partition=tally.partition, teams=teams, desk=tally.desk)


@dataclass(frozen=True, slots=True)
class TeamStats:
    arrival_rate: float  # per second over the window
    resolutions: int
    held_seconds: float
    offers_today: int
    quality: QualityFigures = NO_FIGURES

    def handle_seconds(self, prior: float) -> float:
        """Mean slot time: the measurement, shrunk towards the configured prior."""
        return (prior * PRIOR_WEIGHT + self.held_seconds) / (PRIOR_WEIGHT + self.resolutions)


def team_stats(
    tallies: Iterable[TeamTally],
    now: datetime,
    contract_day: str | None,
    quality_since: str | None = None,
) -> TeamStats:
    """``quality_since``: the first desk day of the quality window (None: no quality)."""
    minute = minute_of(now)
    oldest = minute - WINDOW_MINUTES
    arrivals = resolutions = offers = 0
    held = 0.0
    done = again = ratings = points = 0
    for tally in tallies:
        if quality_since is not None:
            for day, (d, a, r, p) in tally.quality.items():
                if day >= quality_since:
                    done, again, ratings, points = done + d, again + a, ratings + r, points + p
        arrivals += sum(n for m, n in tally.arrivals.items() if oldest < m <= minute)
        for m, (count, seconds) in tally.completions.items():
            if oldest < m <= minute:
                resolutions += count
                held += seconds
        if contract_day is not None:
            offers += tally.offers.get(contract_day, 0)
    return TeamStats(
        arrivals / (WINDOW_MINUTES * 60),
        resolutions,
        held,
        offers,
        QualityFigures(done, again, ratings, points),
    )


def merge_tallies(tallies: Iterable[TeamTally]) -> TeamTally:
    """One team's tallies from several partitions as one."""
    arrivals: dict[int, int] = {}
    completions: dict[int, tuple[int, float]] = {}
    offers: dict[str, int] = {}
    quality: dict[str, tuple[int, int, int, int]] = {}
    for tally in tallies:
        for day, values in tally.quality.items():
            kept = quality.get(day, (0, 0, 0, 0))
            quality[day] = (
                kept[0] + values[0],
                kept[1] + values[1],
                kept[2] + values[2],
                kept[3] + values[3],
            )
        for minute, count in tally.arrivals.items():
            arrivals[minute] = arrivals.get(minute, 0) + count
        for minute, (count, seconds) in tally.completions.items():
            before = completions.get(minute, (0, 0.0))
            completions[minute] = (before[0] + count, before[1] + seconds)
        for day, count in tally.offers.items():
            offers[day] = offers.get(day, 0) + count
    return TeamTally.model_construct(
        arrivals=arrivals, completions=completions, offers=offers, quality=quality
    )


def desk_figures(tallies: Iterable[PartitionTally], desk_day: str) -> tuple[int, int]:
    assigned = partners = 0
    for tally in tallies:
        day = tally.desk.get(desk_day)
        if day is not None:
            assigned += day[0]
            partners += day[1]
    return assigned, partners


def _desk_day(registry: Registry, moment: datetime, days_back: int = 0) -> str:
    return (moment.astimezone(registry.desk_zone).date() - timedelta(days=days_back)).isoformat()


def quality_since(registry: Registry, now: datetime) -> str:
    """The first desk day of the partner-quality window ending today."""
    return _desk_day(registry, now, registry.quality.window.days - 1)


def quality_kept_since(registry: Registry, now: datetime) -> str:
    """The oldest desk day a tally keeps quality for: the window, plus the first-contact
    window before it (a late reopen is booked on its resolution's day)."""
    extra = math.ceil(registry.quality.first_contact_window / timedelta(days=1))
    return _desk_day(registry, now, registry.quality.window.days - 1 + extra)


def desk_day(registry: Registry, moment: datetime) -> str:
    return _desk_day(registry, moment)
