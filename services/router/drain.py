"""Give what became free to the tickets waiting for it, best first, across the partitions
this instance owns.

Only teams that can take a ticket now (``Router.can_take``) and have tickets waiting
for them are looked at; of each group of tickets waiting for those teams
(``WaitingIndex``), only the head is tried. A head that is routed makes way for the
next ticket of its group; a head that cannot be routed (it stalls, or the team it
should go to is throttled) stops its group for this drain, since the rest of the
group waits for the same teams. So a drain costs a decision per ticket it routes
and per group it stops, whatever the size of the backlog.

Tickets that came to wait without a decision (``Indexes.park``: behind a better ticket
for a team that had just freed a slot; or held for a team at its capacity bound, once
the team is below it again) are decided once in the same order, so each is routed or
has its stall announced.

Heads are taken in one order across partitions (most urgent, then oldest): the drain
runs as a sequence of partition steps, each routing the heads of its partition for as
long as the best head is one of them (``run_in``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final, TypeVar

from plumbing.processor import Step
from services.router.changelog import RouterRecord
from services.router.domain import packing
from services.router.handlers import RestoreOnFailure
from services.router.routing import Router
from services.router.waiting import Order, TeamSet

_PARTITION: Final = 2
_KEY: Final = 3

Partition = TypeVar("Partition")


class Drain(RestoreOnFailure):
    def __init__(self, router: Router, now: datetime) -> None:
        self.router = router
        self.routed = 0
        waiting, indexes = router.indexes.waiting, router.indexes
        # Tickets whose next relaxation ring opened move to their wider reach's group,
        # parked: decided below with it (``Indexes.open_rings``).
        indexes.open_rings(packing.micros(now))
        for team in indexes.held_teams():
            if not router.book.throttled(team):
                indexes.release(team)  # its held tickets are decided again (parked)
        groups: dict[TeamSet, None] = {}
        for team in waiting.teams():
            if router.can_take(team, now):
                groups.update(dict.fromkeys(waiting.groups_of(team)))
        # (order, tie-breaker, the group; None for a parked ticket)
        self._pushed = itertools.count()
        self._heads: list[tuple[Order, int, TeamSet | None]] = [
            (head, next(self._pushed), teams) for teams in groups if (head := waiting.head(teams))
        ]
        self._heads += [(order, next(self._pushed), None) for order in router.indexes.take_parked()]
        heapq.heapify(self._heads)

    def next_partition(self) -> int | None:
        return self._heads[0][0][_PARTITION] if self._heads else None

    def skip(self, partition: int) -> None:
        """The partition could not be worked on (not ready): leave its tickets waiting."""
        self._heads = [head for head in self._heads if head[0][_PARTITION] != partition]
        heapq.heapify(self._heads)

    def work(self, step: Step[RouterRecord]) -> None:
        router, heads = self.router, self._heads
        waiting = router.indexes.waiting
        while heads and heads[0][0][_PARTITION] == step.partition:
            order, _, teams = heapq.heappop(heads)
            key = order[_KEY]
            if teams is None:
                self._decide_parked(step, order)
                continue
            if waiting.entry(key) is order:
                state = router.ticket(step.store, key)
                if state is None or state.status != "pending":
                    continue
                routed = router.route(step, key, state)
                if routed is not state:
                    router.save(step, key, state, routed)
                if routed.status == "pending":
                    continue  # stalled or held: the rest of the group waits for the same
                self.routed += 1
            # Routed, or changed since the drain began: the group's next ticket.
            head = waiting.head(teams)
            if head is not None:
                heapq.heappush(heads, (head, next(self._pushed), teams))

    def _decide_parked(self, step: Step[RouterRecord], order: Order) -> None:
        router, key = self.router, order[_KEY]
        if router.indexes.waiting.entry(key) != order:
            return  # routed or changed since it was parked
        state = router.ticket(step.store, key)
        if state is None or state.status != "pending" or state.stall_announced:
            return
        routed = router.route(step, key, state)
        if routed is not state:
            router.save(step, key, state, routed)
        if routed.status != "pending":
            self.routed += 1


async def run_in(
    drain: Drain,
    owned: dict[int, Partition],
    stage: Callable[[Partition, Drain], Awaitable[bool]],
) -> int:
    """Run ``drain`` partition step by partition step; ``stage(tp, drain)`` runs it in
    a step of that partition and says whether it ran. Returns the tickets routed."""
    while (partition := drain.next_partition()) is not None:
        tp = owned.get(partition)
        if tp is None or not await stage(tp, drain):
            drain.skip(partition)
    return drain.routed
