"""Tickets no team can take now, grouped so that a drain decides only what can change.

The router's timer routes pending tickets most urgent first, then oldest, and within one
drain does not decide again a ticket whose profile, declined teams and open relaxation
rings already stalled (``services.router.routing.DrainMemo``). Whether a ticket stalls
depends only on its group (profile, declined teams, rings open) and on the teams that
could take it: their hours,
on-line state, daily caps and free slots. Between two changes to one of those teams
their loads only grow, so a stalled group stays stalled. The desk therefore drains
after each such change only the groups that team could serve, each group's tickets in
the router's order, across groups in the same order (a heap of the groups' heads), and
stops a group at its first stall: the same assignments the timer makes, in the same
order, without deciding every pending ticket on every event. A ring opening for a
waiting ticket moves it to the group of its wider reach (``remove``, then routed again).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime

from services.router.domain.registry import TicketProfile

GroupKey = tuple[TicketProfile, frozenset[str], int]  # profile, declined, rings open
Order = tuple[int, datetime, str]  # -priority rank, received at, ticket id


class PendingBacklog:
    def __init__(self) -> None:
        self._groups: dict[GroupKey, list[Order]] = {}
        self._by_team: dict[str, dict[GroupKey, None]] = {}
        self._teams: dict[GroupKey, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return sum(len(tickets) for tickets in self._groups.values())

    def has(self, key: GroupKey) -> bool:
        return key in self._groups

    def add(self, key: GroupKey, order: Order, teams: Iterable[str]) -> None:
        """Park a ticket; ``teams``: every team whose change could let it be routed."""
        tickets = self._groups.get(key)
        if tickets is None:
            tickets = self._groups[key] = []
            self._teams[key] = tuple(teams)
            for team in self._teams[key]:
                self._by_team.setdefault(team, {})[key] = None
        heapq.heappush(tickets, order)

    def head(self, key: GroupKey) -> Order | None:
        tickets = self._groups.get(key)
        return tickets[0] if tickets else None

    def pop_head(self, key: GroupKey) -> None:
        tickets = self._groups[key]
        heapq.heappop(tickets)
        if not tickets:
            del self._groups[key]
            for team in self._teams.pop(key):
                del self._by_team[team][key]

    def remove(self, key: GroupKey, order: Order) -> None:
        """Take one ticket out of its group (a wider ring opened for it)."""
        tickets = self._groups[key]
        tickets.remove(order)
        heapq.heapify(tickets)
        if not tickets:
            del self._groups[key]
            for team in self._teams.pop(key):
                del self._by_team[team][key]

    def groups_for(self, teams: Iterable[str]) -> list[GroupKey]:
        found: dict[GroupKey, None] = {}
        for team in teams:
            found.update(self._by_team.get(team, {}))
        return list(found)

    def ticket_ids(self) -> list[str]:
        return [order[2] for tickets in self._groups.values() for order in tickets]
