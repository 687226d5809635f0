"""The pending tickets of the partitions this instance owns, grouped by the teams they may
go to, so that a freed slot reaches the best ticket waiting for it without a look at
the others.

A ticket's *teams* are its static candidates (``Registry.candidates``: skill, language,
channel, needs, data policy) minus the teams that gave it back. Whether a pending
ticket can be routed depends only on those teams: each is either able to take a
ticket now (online, open, under its cap, a free slot, not throttled) or not, the same
for every ticket (``domain.waiting``). So tickets with the same teams stall together:
each group is a heap in the backlog order (most urgent, then oldest, then partition
and ticket id), and only its head is ever tried. A change to a team concerns only the
groups listing it.

Entries are removed lazily: ``_where`` says where each ticket waits now, and a heap
entry that is not that one is dropped when it reaches the top (a heap is rebuilt when
more than half of it is stale).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Final

#: The teams a ticket may go to, sorted: the key of its group.
TeamSet = tuple[str, ...]
#: -priority rank, received at (microseconds), partition, ticket id, its teams.
Order = tuple[int, int, int, str, TeamSet]

_PARTITION: Final = 2
_KEY: Final = 3
_TEAMS: Final = 4


class WaitingIndex:
    def __init__(self) -> None:
        self._where: dict[str, Order] = {}
        self._groups: dict[TeamSet, list[Order]] = {}
        self._live: dict[TeamSet, int] = {}
        self._by_team: dict[str, dict[TeamSet, None]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def entry(self, key: str) -> Order | None:
        return self._where.get(key)

    def add(self, order: Order) -> Order:
        """Wait in the group of ``order``'s teams (moving from where the ticket waited);
        returns the entry now in force (the existing one when nothing changed)."""
        key = order[_KEY]
        current = self._where.get(key)
        if current is not None and current == order:
            return current
        self._where[key] = order
        if current is not None:
            self._forget(current)
        teams = order[_TEAMS]
        group = self._groups.get(teams)
        if group is None:
            group = self._groups[teams] = []
            self._live[teams] = 0
            for team in teams:
                self._by_team.setdefault(team, {})[teams] = None
        heapq.heappush(group, order)
        self._live[teams] += 1
        return order

    def discard(self, key: str) -> None:
        current = self._where.pop(key, None)
        if current is not None:
            self._forget(current)

    def drop_partition(self, partition: int) -> None:
        for order in [o for o in self._where.values() if o[_PARTITION] == partition]:
            self.discard(order[_KEY])

    def head(self, teams: TeamSet) -> Order | None:
        """The best ticket waiting with these teams."""
        group = self._groups.get(teams)
        if group is None:
            return None
        where = self._where
        while group and where.get(group[0][_KEY]) is not group[0]:
            heapq.heappop(group)
        return group[0] if group else None

    def teams(self) -> list[str]:
        """Teams some ticket waits for."""
        return list(self._by_team)

    def groups_of(self, team: str) -> list[TeamSet]:
        return list(self._by_team.get(team, ()))

    def best_for(self, team: str) -> Order | None:
        """The best ticket waiting for ``team`` (among others, perhaps)."""
        heads = [head for teams in self.groups_of(team) if (head := self.head(teams))]
        return min(heads) if heads else None

    def orders(self) -> Iterator[Order]:
        return iter(self._where.values())

    def _forget(self, order: Order) -> None:
        teams = order[_TEAMS]
        live = self._live[teams] - 1
        if live:
            self._live[teams] = live
            group = self._groups[teams]
            if len(group) > 2 * live + 16:
                where = self._where
                group[:] = [o for o in group if where.get(o[_KEY]) is o]
                heapq.heapify(group)
            return
        del self._groups[teams], self._live[teams]
        for team in teams:
            groups = self._by_team[team]
            del groups[teams]
            if not groups:
                del self._by_team[team]
