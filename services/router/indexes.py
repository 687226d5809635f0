"""In-memory indexes of the partitions this instance owns, kept in step with their stores:
the tickets waiting for teams (``WaitingIndex``), the offers that will expire, and the
resolved tickets to forget one day.

When a partition becomes ready they are rebuilt in one pass over its packed values
(``rebuild``), read at fixed offsets without decoding a ticket; the same pass counts
the slots each team holds there, for the load view. Entries of the offers and
resolved indexes are never removed, only checked against the store when they fall
due, so a ticket re-offered or reopened meanwhile is left alone.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plumbing.store import StateStore
from services.router.changelog import FormatMark
from services.router.domain import lifecycle, packing
from services.router.domain.registry import Registry, TicketProfile
from services.router.domain.rings import levels, open_levels
from services.router.domain.room import teams_for
from services.router.domain.state import PartitionTally, TicketRoute
from services.router.waiting import Order, TeamSet, WaitingIndex

_HOUR = 3_600_000_000  # microseconds
#: A ticket's profile, its declined teams, and the waits (microseconds since the customer
#: wrote) at which its wider relaxation rings open.
_Profile = tuple[TicketProfile, tuple[str, ...], tuple[int, ...]]
#: Profiles (with declined teams) whose teams are remembered; cleared when full.
_MEMO_LIMIT = 4096


@dataclass
class _Partition:
    offers: list[tuple[int, str]] = field(default_factory=list)  # heap: expires, ticket id
    resolved: dict[int, list[str]] = field(default_factory=dict)  # hour -> ticket ids
    # heap: when the next relaxation ring opens for a waiting ticket, its id, the entry
    # it waits with until then, its profile (shared with its peers: ``Indexes._profile``)
    rings: list[tuple[int, str, Order, _Profile]] = field(default_factory=list)
    marked: bool = False  # its changelog holds the format mark (``changelog``)


@dataclass(frozen=True)
class PartitionLoad:
    """What the load view needs of an owned partition, counted by ``rebuild``."""

    slots: dict[str, int]  # team -> tickets holding one of its slots
    tally: PartitionTally | None


class Indexes:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self.waiting = WaitingIndex()
        # Waiting tickets not decided since they came to wait (``park``), and those held
        # for a team at its capacity bound (``hold``), per team.
        self._parked: list[Order] = []
        self._held: dict[str, list[Order]] = {}
        self._partitions: dict[int, _Partition] = {}
        self._by_section: dict[tuple[bytes, int], TeamSet] = {}
        self._by_profile: dict[tuple[TicketProfile, tuple[str, ...], int], TeamSet] = {}
        self._sections: dict[bytes, _Profile] = {}

    # -- partitions ----------------------------------------------------------------------
    def rebuild(
        self, partition: int, store: StateStore[Any], now_micros: int | None = None
    ) -> PartitionLoad:
        """One pass over the partition's values, reading packed tickets at fixed offsets
        (the hot loop of a restore: a million tickets take a few seconds, hence flat).
        Waiting tickets wait with the relaxation rings open at ``now_micros`` (None: as of
        no wait; the first drain moves those whose rings opened, ``open_rings``)."""
        self.waiting.drop_partition(partition)
        index = self._partitions[partition] = _Partition()
        by_team: dict[bytes, int] = {}
        tally: PartitionTally | None = None
        offers, resolved, parked = index.offers, index.resolved, self._parked
        add, teams, profile_of = self.waiting.add, self._teams, self._profile
        slot_codes, pending, offered = packing.SLOT_CODES, packing.PENDING, packing.OFFERED
        resolved_code, team_at = packing.RESOLVED, packing.HEADER_SIZE
        for key, value in store.items():
            if type(value) is bytes:
                code = value[1]
                if code in slot_codes:
                    team = value[team_at + 1 : team_at + 1 + value[team_at]]
                    by_team[team] = by_team.get(team, 0) + 1
                    if code == offered:
                        offers.append((packing.offer_expiry(value), key))
                elif code == pending:
                    rank, received = packing.backlog_order(value)
                    section = packing.profile_bytes(value)
                    profile = profile_of(section)
                    waits, opened = profile[2], 0
                    if waits and now_micros is not None:
                        opened = sum(1 for wait in waits if wait <= now_micros - received)
                    order = add((rank, received, partition, key, teams(section, opened)))
                    if opened < len(waits):
                        self._schedule_ring(index, order, profile, opened)
                    if not packing.stall_announced(value):
                        parked.append(order)
                elif code == resolved_code:
                    resolved.setdefault(packing.resolved_micros(value) // _HOUR, []).append(key)
            elif isinstance(value, PartitionTally):
                tally = value
            elif isinstance(value, FormatMark):
                index.marked = True
        heapq.heapify(offers)
        slots = {team.decode(): count for team, count in by_team.items() if team}
        return PartitionLoad(slots, tally)

    def drop(self, partition: int) -> None:
        self._partitions.pop(partition, None)
        self.waiting.drop_partition(partition)

    def owns(self, partition: int) -> bool:
        return partition in self._partitions

    def marked(self, partition: int) -> bool:
        index = self._partitions.get(partition)
        return index is None or index.marked

    def set_marked(self, partition: int, marked: bool) -> None:
        index = self._partitions.get(partition)
        if index is not None:
            index.marked = marked

    # -- changes ---------------------------------------------------------------------------
    def track(
        self, partition: int, key: str, data: bytes | None, now_micros: int | None = None
    ) -> Order | None:
        """A ticket of an owned partition changed (staged or committed); returns its place
        in the backlog when it waits: with the teams of the relaxation rings open at
        ``now_micros`` (None: as of no wait, and the next drain moves it)."""
        index = self._partitions.get(partition)
        if index is None:
            return None
        code = -1 if data is None else data[1]
        if code != packing.PENDING:
            self.waiting.discard(key)
        if data is None:
            return None
        if code == packing.PENDING:
            rank, received = packing.backlog_order(data)
            section = packing.profile_bytes(data)
            waits = self._profile(section)[2]
            waited = 0 if now_micros is None else now_micros - received
            rings_open = sum(1 for wait in waits if wait <= waited)
            teams = self._teams(section, rings_open)
            order = self.waiting.add((rank, received, partition, key, teams))
            self._schedule_ring(index, order, self._profile(section), rings_open)
            return order
        if code == packing.OFFERED:
            heapq.heappush(index.offers, (packing.offer_expiry(data), key))
        elif code == packing.RESOLVED:
            hour = packing.resolved_micros(data) // _HOUR
            index.resolved.setdefault(hour, []).append(key)
        return None

    def park(self, order: Order) -> None:
        """``order`` waits without a decision (behind a better ticket, or restored so):
        the next drain decides it, so that it is routed or its stall announced."""
        self._parked.append(order)

    def take_parked(self) -> list[Order]:
        parked, self._parked = self._parked, []
        return parked

    def hold(self, team_id: str, order: Order) -> None:
        """``order`` waits for ``team_id`` to leave its capacity bound (``Router.route``):
        then it is decided again (``release``), routed or its stall announced."""
        self._held.setdefault(team_id, []).append(order)

    def held_teams(self) -> list[str]:
        return list(self._held)

    def release(self, team_id: str) -> None:
        self._parked += self._held.pop(team_id, [])

    def order(self, partition: int, key: str, state: TicketRoute, now: datetime) -> Order:
        """Where ``state`` (pending) would wait at ``now``."""
        rank, received = lifecycle.backlog_order(state)
        return (rank, packing.micros(received), partition, key, self.teams_of(state, now))

    def teams_of(self, state: TicketRoute, now: datetime) -> TeamSet:
        """The teams a ticket may go to at ``now`` (``domain.room.teams_for``, with the
        relaxation rings open for it), remembered per profile."""
        request = lifecycle.routing_request(state, now)
        profile = request.ticket
        rings_open = open_levels(self._registry, profile, request.waited_seconds)
        return self._teams_for(profile, state.declined, rings_open)

    def _teams_for(
        self, profile: TicketProfile, declined: tuple[str, ...], rings_open: int
    ) -> TeamSet:
        memo_key = (profile, declined, rings_open)
        teams = self._by_profile.get(memo_key)
        if teams is None:
            if len(self._by_profile) >= _MEMO_LIMIT:
                self._by_profile.clear()
            teams = self._by_profile[memo_key] = teams_for(
                self._registry, profile, declined, rings_open
            )
        return teams

    # -- relaxation rings ----------------------------------------------------------------
    def open_rings(self, now_micros: int) -> None:
        """Waiting tickets whose next relaxation ring opened by ``now_micros`` move to the
        group of their wider reach, and are decided by the next drain (parked): a ring
        that opened is never skipped (as ``bench/desk/backlog`` does: remove, route)."""
        for partition, index in self._partitions.items():
            rings = index.rings
            while rings and rings[0][0] <= now_micros:
                _, key, order, profile = heapq.heappop(rings)
                if self.waiting.entry(key) is not order:
                    continue  # routed, changed or moved since: its new entry has its own
                rank, received = order[0], order[1]
                rings_open = sum(1 for wait in profile[2] if wait <= now_micros - received)
                teams = self._teams_for(profile[0], profile[1], rings_open)
                moved = self.waiting.add((rank, received, partition, key, teams))
                self._schedule_ring(index, moved, profile, rings_open)
                self._parked.append(moved)

    def next_ring_micros(self) -> int | None:
        """When the next relaxation ring opens for a waiting ticket (to wake the timer)."""
        moments = [index.rings[0][0] for index in self._partitions.values() if index.rings]
        return min(moments) if moments else None

    def _schedule_ring(
        self, index: _Partition, order: Order, profile: _Profile, opened: int
    ) -> None:
        waits = profile[2]
        if opened < len(waits):
            heapq.heappush(index.rings, (order[1] + waits[opened], order[3], order, profile))

    def _profile(self, section: bytes) -> _Profile:
        """The profile, declined teams and waits (microseconds) at which the wider rings
        open, of a packed profile section."""
        known = self._sections.get(section)
        if known is None:
            channel, tier, language, skill, marketplace, needs, declined = packing.unpack_profile(
                section
            )
            profile = TicketProfile(
                skill=skill,
                language=language,
                channel=channel,
                needs=frozenset(needs),
                tier=tier,
                marketplace=marketplace,
            )
            waits = tuple(
                round(level.after_seconds * 1_000_000) for level in levels(self._registry, profile)
            )
            if len(self._sections) >= _MEMO_LIMIT:
                self._sections.clear()
            known = self._sections[section] = (profile, declined, waits)
        return known

    def _teams(self, section: bytes, rings_open: int) -> TeamSet:
        teams = self._by_section.get((section, rings_open))
        if teams is None:
            profile, declined, _ = self._profile(section)
            if len(self._by_section) >= _MEMO_LIMIT:
                self._by_section.clear()
            teams = self._by_section[(section, rings_open)] = teams_for(
                self._registry, profile, declined, rings_open
            )
        return teams

    # -- what falls due ----------------------------------------------------------------
    def due_offers(self, partition: int, now_micros: int) -> list[str]:
        """Tickets whose offer may have expired (to check against the store)."""
        index = self._partitions.get(partition)
        if index is None:
            return []
        due: list[str] = []
        offers = index.offers
        while offers and offers[0][0] <= now_micros:
            due.append(heapq.heappop(offers)[1])
        return due

    def has_due_offers(self, partition: int, now_micros: int) -> bool:
        index = self._partitions.get(partition)
        return index is not None and bool(index.offers) and index.offers[0][0] <= now_micros

    def resolved_before(self, partition: int, moment_micros: int) -> list[str]:
        """Tickets that may have been resolved before the moment (to check)."""
        index = self._partitions.get(partition)
        if index is None:
            return []
        hour = moment_micros // _HOUR
        old = [h for h in index.resolved if h < hour]
        return [key for h in sorted(old) for key in index.resolved.pop(h)]
