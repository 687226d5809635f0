"""Every team's live load, whichever router instance made the assignments.

Sources, combined per partition of ``tickets``:

* partitions this instance owns: its own state stores, staged writes included,
  so a decision sees every earlier decision of the same batch;
* every other partition: a mirror of the router's changelog (all partitions,
  ``read_committed``), i.e. what the other instances have committed.

The capacity bound (docs/architecture.md, "Load view and the capacity bound"):
another instance's assignments are invisible here until its transaction
commits and the mirror reads it back. To keep that gap small and bounded, an
instance makes at most ``max_unconfirmed`` assignments to one team that its own
mirror has not read back yet; the caller holds further tickets for that team
until the mirror catches up. With n instances a team can therefore be exceeded
by at most (n - 1) x ``max_unconfirmed`` tickets.
"""

from __future__ import annotations

import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from schemas.teams import TeamCapacity, agents_on
from services.router.domain.load import DeskFigures, TeamLoad
from services.router.domain.registry import Registry, TeamProfile
from services.router.domain.state import (
    DLQ_MARK_PREFIX,
    HOLDS_SLOT,
    TALLY_PREFIX,
    DeadLetterMark,
    Hold,
    PartitionTally,
    RouterRecord,
    TeamTally,
    TicketRoute,
)
from services.router.domain.tally import (
    TeamStats,
    desk_figures,
    merge_tallies,
    quality_since,
    team_stats,
)
from services.router.unconfirmed import Unconfirmed


class MirrorTicket(BaseModel):
    """The part of a changelog ticket record the load view needs."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kind: Literal["ticket"] = "ticket"
    partition: int
    status: str
    team_id: str | None = None
    assignment_id: uuid.UUID | None = None
    hold: Hold | None = None


MirrorRecord = Annotated[
    MirrorTicket | PartitionTally | DeadLetterMark, Field(discriminator="kind")
]
MIRROR_RECORD = TypeAdapter[MirrorRecord](MirrorRecord)


def decode_mirror(data: bytes) -> MirrorRecord:
    return MIRROR_RECORD.validate_json(data)


#: How stale (seconds) a team's throughput may get while nothing about the team changes.
_REFRESH_SECONDS = 180


def _add(target: dict[str, int], source: dict[str, int], sign: int) -> None:
    for team, count in source.items():
        target[team] = target.get(team, 0) + sign * count


class LoadBook:
    def __init__(
        self,
        registry: Registry,
        *,
        max_unconfirmed: int,
        unconfirmed_ttl_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        on_change: Callable[[], None] = lambda: None,
        observe_confirmation: Callable[[float], None] = lambda _: None,
        live_slots: Callable[[str], int | None] = lambda _: None,
    ) -> None:
        self._registry = registry
        #: In-house teams whose agents announce presence: slots of the agents online.
        self._live_slots = live_slots
        self._unconfirmed = Unconfirmed(
            max_unconfirmed, unconfirmed_ttl_seconds, monotonic, observe_confirmation
        )
        self.on_change = on_change
        self._open: dict[str, int] = {}
        self._mirror_slots: dict[str, tuple[int, str]] = {}
        self._mirror_counts: dict[int, dict[str, int]] = defaultdict(dict)
        self._local_counts: dict[int, dict[str, int]] = {}
        self._mirror_tallies: dict[int, PartitionTally] = {}
        self._local_tallies: dict[int, PartitionTally | None] = {}
        self._versions: dict[str, int] = defaultdict(int)  # anything about the team
        self._tally_versions: dict[str, int] = defaultdict(int)  # its throughput tallies
        self._desk_version = 0
        self._loads: dict[str, tuple[int, datetime, TeamLoad]] = {}
        self._stats: dict[str, tuple[int, int, TeamStats]] = {}
        self._now: tuple[datetime, float] | None = None
        self._offsets: dict[str, float] = {}
        self._merged_tallies: dict[str, tuple[int, TeamTally]] = {}
        self._desk: tuple[int, int, DeskFigures] | None = None
        self._capacity: dict[str, TeamCapacity] = {}

    # -- partitions this instance owns ------------------------------------------------
    def partition_ready(self, partition: int, entries: Iterable[tuple[str, RouterRecord]]) -> None:
        counts: dict[str, int] = {}
        tally: PartitionTally | None = None
        for _, record in entries:
            if isinstance(record, TicketRoute) and record.holds_slot and record.team_id:
                counts[record.team_id] = counts.get(record.team_id, 0) + 1
            elif isinstance(record, PartitionTally):
                tally = record
        previous = self._local_counts.get(partition)
        _add(self._open, previous if previous is not None else self._mirror_counts[partition], -1)
        _add(self._open, counts, +1)
        self._local_counts[partition] = counts
        self._local_tallies[partition] = tally
        self._invalidate_all()

    def partition_revoked(self, partition: int) -> None:
        counts = self._local_counts.pop(partition, None)
        if counts is None:
            return
        _add(self._open, counts, -1)
        _add(self._open, self._mirror_counts[partition], +1)
        self._local_tallies.pop(partition, None)
        self._invalidate_all()

    def owns(self, partition: int) -> bool:
        return partition in self._local_counts

    def ticket_changed(
        self, partition: int, old: TicketRoute | None, new: TicketRoute | None
    ) -> None:
        """A handler changed a ticket of an owned partition (staged or committed)."""
        old_team = old.team_id if old is not None and old.holds_slot else None
        new_team = new.team_id if new is not None and new.holds_slot else None
        counts = self._local_counts.get(partition)
        if old_team == new_team or counts is None:
            return
        for team, sign in ((old_team, -1), (new_team, +1)):
            if team is not None:
                counts[team] = counts.get(team, 0) + sign
                self._open[team] = self._open.get(team, 0) + sign
                self._versions[team] += 1

    def tally_changed(self, partition: int, new: PartitionTally) -> None:
        old = self._local_tallies.get(partition)
        self._local_tallies[partition] = new
        self._invalidate(old, new)

    def decision_made(self, key: str, team_id: str, assignment: uuid.UUID) -> None:
        """Remember an assignment until this instance's mirror reads it back."""
        self._unconfirmed.add(key, team_id, assignment)

    def throttled(self, team_id: str) -> bool:
        """True while this instance has too many unconfirmed assignments to the team."""
        return self._unconfirmed.at_limit(team_id)

    def unconfirmed(self, team_id: str) -> int:
        return self._unconfirmed.count(team_id)

    # -- the mirror of the changelog (all partitions) ------------------------------
    def mirror_changed(self, key: str, record: MirrorRecord | None) -> None:
        if key.startswith(DLQ_MARK_PREFIX):
            return
        if key.startswith(TALLY_PREFIX):
            if isinstance(record, PartitionTally):
                old = self._mirror_tallies.get(record.partition)
                self._mirror_tallies[record.partition] = record
                if record.partition not in self._local_counts:
                    self._invalidate(old, record)
            self.on_change()
            return
        ticket = record if isinstance(record, MirrorTicket) else None
        previous = self._mirror_slots.pop(key, None)
        if previous is not None:
            self._count_mirror(previous[0], previous[1], -1)
        if ticket is not None and ticket.status in HOLDS_SLOT and ticket.team_id:
            self._mirror_slots[key] = (ticket.partition, ticket.team_id)
            self._count_mirror(ticket.partition, ticket.team_id, +1)
        self._unconfirmed.read_back(
            key, ticket.assignment_id if ticket else None, deleted=record is None
        )
        self.on_change()

    def _count_mirror(self, partition: int, team: str, sign: int) -> None:
        counts = self._mirror_counts[partition]
        counts[team] = counts.get(team, 0) + sign
        if partition not in self._local_counts:
            self._open[team] = self._open.get(team, 0) + sign
            self._versions[team] += 1

    # -- run-time capacity --------------------------------------------------------------
    def capacity_changed(self, key: str, record: TeamCapacity | None) -> None:
        if record is None:
            self._capacity.pop(key, None)
        else:
            self._capacity[record.team_id] = record
        self._versions[record.team_id if record is not None else key] += 1
        self.on_change()

    def team_changed(self, team_id: str) -> None:
        """Something outside this book changed the team's load (its agents' presence)."""
        self._versions[team_id] += 1
        self.on_change()

    # -- the view the policy reads (domain.load.DeskView) ------------------------------
    def load(self, team: TeamProfile, now: datetime) -> TeamLoad:
        """The team's load; the same object until something about the team changes or a
        minute passes (the policy memoises its predicted wait on that object)."""
        # Anything about the team changing (an assignment, a resolution, its capacity)
        # refreshes its load at once; otherwise only the sliding window moves, and that
        # is refreshed every few minutes, each team at its own moment so that no single
        # decision recomputes every team.
        version = self._versions[team.id]
        cached = self._loads.get(team.id)
        if cached is not None and cached[0] == version and now < cached[1]:
            return cached[2]
        seconds = now.timestamp() + self._offset(team.id)
        period = int(seconds // _REFRESH_SECONDS)
        expires = now + timedelta(seconds=_REFRESH_SECONDS - seconds % _REFRESH_SECONDS)
        stats = self._team_stats(team, now, period)
        capacity = self._capacity.get(team.id)
        agents = agents_on(capacity, team.agents, team.contract_zone, now)
        live = self._live_slots(team.id)
        load = TeamLoad(
            open=self._open.get(team.id, 0),
            capacity=live if live is not None else agents * team.concurrency,
            online=capacity.online if capacity is not None else True,
            arrival_rate=stats.arrival_rate,
            handle_seconds=stats.handle_seconds(team.handle_seconds),
            offers_today=stats.offers_today,
            quality=stats.quality,
        )
        self._loads[team.id] = (version, expires, load)
        return load

    def desk(self, now: datetime) -> DeskFigures:
        minute = self._minute(now)
        cached = self._desk
        if cached is not None and cached[0] == self._desk_version and cached[1] == minute:
            return cached[2]
        day = now.astimezone(self._registry.desk_zone).date().isoformat()
        assigned, partners = desk_figures(self._effective_tallies(), day)
        figures = DeskFigures(assigned, partners)
        self._desk = (self._desk_version, minute, figures)
        return figures

    # -- internals ---------------------------------------------------------------------
    def _effective_tallies(self) -> list[PartitionTally]:
        tallies = [t for t in self._local_tallies.values() if t is not None]
        tallies += [t for p, t in self._mirror_tallies.items() if p not in self._local_counts]
        return tallies

    def _minute(self, now: datetime) -> int:
        return int(self._seconds(now) // 60)

    def _seconds(self, now: datetime) -> float:
        cached = self._now
        if cached is not None and cached[0] is now:
            return cached[1]
        seconds = now.timestamp()
        self._now = (now, seconds)
        return seconds

    def _offset(self, team_id: str) -> float:
        offset = self._offsets.get(team_id)
        if offset is None:
            offset = float(zlib.crc32(team_id.encode()) % _REFRESH_SECONDS)
            self._offsets[team_id] = offset
        return offset

    def _team_stats(self, team: TeamProfile, now: datetime, period: int) -> TeamStats:
        version = self._tally_versions[team.id]
        cached = self._stats.get(team.id)
        if cached is not None and cached[0] == version and cached[1] == period:
            return cached[2]
        day = now.astimezone(team.contract_zone).date().isoformat() if team.partner else None
        since = quality_since(self._registry, now) if team.partner else None
        stats = team_stats(self._merged(team.id), now, day, since)
        self._stats[team.id] = (version, period, stats)
        return stats

    def _merged(self, team_id: str) -> list[TeamTally]:
        """The team's tallies of every partition, merged into one (until it changes)."""
        version = self._tally_versions[team_id]
        cached = self._merged_tallies.get(team_id)
        if cached is not None and cached[0] == version:
            return [cached[1]]
        merged = merge_tallies(
            t.teams[team_id] for t in self._effective_tallies() if team_id in t.teams
        )
        self._merged_tallies[team_id] = (version, merged)
        return [merged]

    def _invalidate(self, old: PartitionTally | None, new: PartitionTally) -> None:
        old_teams = old.teams if old is not None else {}
        for team in set(old_teams) | set(new.teams):
            before, after = old_teams.get(team), new.teams.get(team)
            if before is not after and before != after:
                self._versions[team] += 1
                self._tally_versions[team] += 1
        if old is None or old.desk != new.desk:
            self._desk_version += 1

    def _invalidate_all(self) -> None:
        for team in self._registry.by_id:
            self._versions[team] += 1
            self._tally_versions[team] += 1
        self._desk_version += 1
