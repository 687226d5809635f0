"""Who holds what, for the claims: every agent's held tickets across all partitions, and
per owned partition the held and waiting in-house tickets.

The same pattern as the load view (``loadbook``): partitions this instance owns are
counted from its state stores, staged writes included, so a decision sees the claims
before it in the same transaction; every other partition from the mirror of the router's
changelog, i.e. what other instances committed. With several router instances two of
them may give one agent a ticket each before either reads the other's claim back: an
agent's limit can be passed by at most (instances - 1) tickets, for the mirror's lag.

A Black Friday queues hundreds of thousands of tickets in the in-house teams: each
waiting ticket costs one int and one sorted entry here, and the claims' timer reads
only the front of a team's queue and the range of deadlines it cannot meet
(``TeamQueue``), never the whole of it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sortedcontainers import SortedList

from schemas.base import Priority, TeamKind
from services.router.domain import packing
from services.router.domain.claims import position_bounds, queue_position
from services.router.domain.state import Hold, TicketRoute

Agent = tuple[str, str]  # (team id, agent id)
#: Where a scan of a team's waiting tickets stands: (partition, queue position, key).
ScanMark = tuple[int, int, str]
_RANKS = sorted({priority.rank for priority in Priority})


class TeamQueue:
    """One team's waiting tickets in one partition, by queue position (most urgent
    first, then nearest deadline, then oldest; ``claims.queue_position``)."""

    def __init__(self) -> None:
        self._position: dict[str, int] = {}
        self._ordered: SortedList = SortedList()  # (position, key)

    def __len__(self) -> int:
        return len(self._position)

    def add(self, key: str, position: int) -> None:
        self.remove(key)
        self._position[key] = position
        self._ordered.add((position, key))

    def remove(self, key: str) -> bool:
        position = self._position.pop(key, None)
        if position is None:
            return False
        self._ordered.remove((position, key))
        return True

    def in_order(self) -> Iterator[tuple[int, str]]:
        entries: Iterator[tuple[int, str]] = iter(self._ordered)
        return entries

    def between(
        self, low: int | None, high: int | None, after: tuple[int, str] | None = None
    ) -> Iterator[tuple[int, str]]:
        """Entries with low <= position <= high (no bound where None), only those past
        the entry ``after`` when given."""
        lower = None if low is None else (low, "")
        inclusive = True
        if after is not None and (lower is None or after >= lower):
            lower, inclusive = after, False
        upper = None if high is None else (high, "\U0010ffff")
        entries: Iterator[tuple[int, str]] = self._ordered.irange(
            lower, upper, inclusive=(inclusive, True)
        )
        return entries


@dataclass
class _Owned:
    #: key -> (team, hold, answered)
    held: dict[str, tuple[str, Hold, bool]] = field(default_factory=dict)
    queues: dict[str, TeamQueue] = field(default_factory=dict)

    def unqueue(self, key: str) -> None:
        for queue in self.queues.values():
            if queue.remove(key):
                return

    def queue(self, team_id: str) -> TeamQueue:
        queue = self.queues.get(team_id)
        if queue is None:
            queue = self.queues[team_id] = TeamQueue()
        return queue


def _holder(state: Any) -> tuple[str, Hold] | None:
    """(team, hold) of a queued, held ticket; mirror records have the same fields."""
    hold = getattr(state, "hold", None)  # a mirror record has one only while queued
    if hold is None or not state.team_id:
        return None
    if isinstance(state, TicketRoute) and state.status != "queued":
        return None
    return state.team_id, hold


class Holdings:
    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self.on_change = on_change
        self._owned: dict[int, _Owned] = {}
        self._mirror: dict[int, dict[str, Agent]] = {}
        self._mirror_partition: dict[str, int] = {}
        self._counts: Counter[Agent] = Counter()
        #: When each agent last got a ticket (timestamp of the claim), for the distribution.
        self.last_claimed: dict[Agent, float] = {}

    # -- the router's watcher protocol (``Router.watchers``) ---------------------------
    def ready(self, partition: int, entries: Iterable[tuple[str, object]]) -> None:
        if partition in self._owned:
            self._forget_owned(partition)
        else:  # the mirror counted it until now
            for agent in self._mirror.get(partition, {}).values():
                self._counts[agent] -= 1
        owned = self._owned[partition] = _Owned()
        for key, record in entries:
            if isinstance(record, TicketRoute):
                self.saved(partition, key, None, record)
            elif isinstance(record, bytes) and packing.is_packed(record):
                self._restored(owned, key, record)
        self.on_change()

    def _restored(self, owned: _Owned, key: str, data: bytes) -> None:
        """A packed ticket of a restored store, read without decoding it."""
        fields = packing.queue_fields(data)
        team_id = packing.team_of(data) if fields is not None else None
        if fields is None or team_id is None:
            return
        held, answered, rank, due, received = fields
        if not held:
            owned.queue(team_id).add(key, queue_position(rank, due, received))
            return
        hold = packing.hold_of(data)
        assert hold is not None
        owned.held[key] = (team_id, hold, answered)
        agent = (team_id, hold.agent_id)
        self._counts[agent] += 1
        self._note_claim(agent, hold)

    def revoked(self, partition: int) -> None:
        if partition not in self._owned:
            return
        self._forget_owned(partition)
        del self._owned[partition]
        for agent in self._mirror.get(partition, {}).values():
            self._counts[agent] += 1

    def saved(
        self, partition: int, key: str, old: TicketRoute | None, new: TicketRoute | None
    ) -> None:
        owned = self._owned.get(partition)
        if owned is None:
            return
        before = owned.held.pop(key, None)
        if before is not None:
            self._counts[(before[0], before[1].agent_id)] -= 1
        owned.unqueue(key)
        if new is None or new.status != "queued" or new.team_kind is not TeamKind.IN_HOUSE:
            return
        assert new.team_id is not None
        if new.hold is None:
            facts = new.facts
            owned.queue(new.team_id).add(
                key,
                queue_position(
                    facts.priority.rank,
                    packing.micros(facts.first_response_due),
                    packing.micros(facts.received_at),
                ),
            )
        else:
            owned.held[key] = (new.team_id, new.hold, new.answered)
            agent = (new.team_id, new.hold.agent_id)
            self._counts[agent] += 1
            self._note_claim(agent, new.hold)
        self.on_change()

    # -- the mirror of the changelog (all partitions) ----------------------------------
    def mirror_changed(self, key: str, record: Any) -> None:
        partition = getattr(record, "partition", None)
        previous = self._mirror_partition.pop(key, None)
        if previous is not None:
            agent = self._mirror[previous].pop(key, None)
            if agent is not None and previous not in self._owned:
                self._counts[agent] -= 1
        holder = _holder(record) if isinstance(partition, int) else None
        if holder is None or partition is None:
            return
        team_id, hold = holder
        agent = (team_id, hold.agent_id)
        self._mirror.setdefault(partition, {})[key] = agent
        self._mirror_partition[key] = partition
        if partition not in self._owned:
            self._counts[agent] += 1
            self._note_claim(agent, hold)
            self.on_change()

    # -- questions -----------------------------------------------------------------
    def held(self, team_id: str, agent_id: str) -> int:
        return max(self._counts.get((team_id, agent_id), 0), 0)

    def holders(self, team_id: str) -> dict[str, int]:
        return {a: n for (t, a), n in self._counts.items() if t == team_id and n > 0}

    def owned_partitions(self) -> list[int]:
        return sorted(self._owned)

    def held_in(self, partition: int) -> dict[str, tuple[str, Hold, bool]]:
        owned = self._owned.get(partition)
        return dict(owned.held) if owned is not None else {}

    def waiting_count(self, team_id: str, partitions: Iterable[int]) -> int:
        return sum(len(self._queue(partition, team_id)) for partition in partitions)

    def waiting(self, team_id: str, partitions: Iterable[int]) -> Iterator[tuple[int, str, int]]:
        """(position, key, partition) of the team's waiting tickets, most urgent first
        across the partitions; lazily, so reading the front costs only the front."""
        return heapq.merge(
            *(
                _tagged(queue.in_order(), partition)
                for partition in partitions
                if (queue := self._queue(partition, team_id))
            )
        )

    def scan(
        self,
        team_id: str,
        partitions: Iterable[int],
        due: tuple[int, int | None] | None,
        after: ScanMark | None = None,
    ) -> Iterator[tuple[ScanMark, str]]:
        """The team's waiting tickets, all of them (``due`` None) or those whose
        first-response deadline is in [due[0], due[1]) microseconds, in one fixed order
        (partition, then queue position): each as its mark and key, only those past the
        mark ``after``, so that a scan cut short can resume where it stopped."""
        ranges = (
            [(None, None)]
            if due is None
            # Ranks from most urgent (smallest positions) down: positions ascend.
            else [position_bounds(rank, *due) for rank in reversed(_RANKS)]
        )
        for partition in sorted(partitions):
            if after is not None and partition < after[0]:
                continue
            queue = self._queue(partition, team_id)
            resume = after[1:] if after is not None and partition == after[0] else None
            for low, high in ranges:
                for position, key in queue.between(low, high, resume):
                    yield (partition, position, key), key

    def _queue(self, partition: int, team_id: str) -> TeamQueue:
        owned = self._owned.get(partition)
        queue = owned.queues.get(team_id) if owned is not None else None
        return queue if queue is not None else _EMPTY

    # -- internals -------------------------------------------------------------------
    def _forget_owned(self, partition: int) -> None:
        owned = self._owned.get(partition)
        if owned is None:
            return
        for team_id, hold, _ in owned.held.values():
            self._counts[(team_id, hold.agent_id)] -= 1

    def _note_claim(self, agent: Agent, hold: Hold) -> None:
        at = hold.since.timestamp()
        if at > self.last_claimed.get(agent, float("-inf")):
            self.last_claimed[agent] = at


def _tagged(entries: Iterator[tuple[int, str]], partition: int) -> Iterator[tuple[int, str, int]]:
    for position, key in entries:
        yield position, key, partition


_EMPTY = TeamQueue()
