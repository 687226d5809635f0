"""Who holds what, for the claims: every agent's held tickets across all partitions, and
per owned partition the held and waiting in-house tickets.

The same pattern as the load view (``loadbook``): partitions this instance owns are
counted from its state stores, staged writes included, so a decision sees the claims
before it in the same transaction; every other partition from the mirror of the router's
changelog, i.e. what other instances committed. With several router instances two of
them may give one agent a ticket each before either reads the other's claim back: an
agent's limit can be passed by at most (instances - 1) tickets, for the mirror's lag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.base import TeamKind
from services.router.domain.claims import waiting_order
from services.router.domain.state import Hold, TicketRoute

Agent = tuple[str, str]  # (team id, agent id)


@dataclass
class _Owned:
    #: key -> (team, hold, answered)
    held: dict[str, tuple[str, Hold, bool]] = field(default_factory=dict)
    waiting: dict[str, tuple[str, tuple[int, datetime, datetime]]] = field(default_factory=dict)


def _holder(state: Any) -> tuple[str, Hold] | None:
    """(team, hold) of a queued, held ticket; mirror records have the same fields."""
    hold = getattr(state, "hold", None)
    if hold is None or getattr(state, "status", None) != "queued" or not state.team_id:
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
    def ready(self, partition: int, entries: Iterable[tuple[str, Any]]) -> None:
        if partition in self._owned:
            self._forget_owned(partition)
        else:  # the mirror counted it until now
            for agent in self._mirror.get(partition, {}).values():
                self._counts[agent] -= 1
        self._owned[partition] = _Owned()
        for key, record in entries:
            if isinstance(record, TicketRoute):
                self.saved(partition, key, None, record)
        self.on_change()

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
        owned.waiting.pop(key, None)
        if new is None or new.status != "queued" or new.team_kind is not TeamKind.IN_HOUSE:
            return
        assert new.team_id is not None
        if new.hold is None:
            owned.waiting[key] = (new.team_id, waiting_order(new))
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

    def waiting(self, partitions: Iterable[int]) -> list[tuple[int, str, str]]:
        """(partition, key, team) of every waiting ticket, most urgent first."""
        entries = sorted(
            (order, key, partition, team)
            for partition in partitions
            if (owned := self._owned.get(partition)) is not None
            for key, (team, order) in owned.waiting.items()
        )
        return [(partition, key, team) for _, key, partition, team in entries]

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
