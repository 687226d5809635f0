"""This instance's assignments that its load view has not read back yet (the scale-out
capacity bound, see ``bound``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable


class Unconfirmed:
    def __init__(
        self,
        limit: int,
        ttl_seconds: float,
        monotonic: Callable[[], float],
        observe: Callable[[float], None],
    ) -> None:
        self.limit = limit
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._observe = observe
        self._by_key: dict[str, tuple[str, int, float, int]] = {}
        self._by_team: dict[str, set[str]] = defaultdict(set)

    def add(self, key: str, team_id: str, attempt: int, partition: int) -> None:
        self._forget(key)
        self._by_key[key] = (team_id, attempt, self._monotonic(), partition)
        self._by_team[team_id].add(key)

    def read_back(self, key: str, attempt: int | None, deleted: bool) -> bool:
        """The mirror saw ``key``: confirms the assignment (attempt) it carries, or a
        deletion. A later attempt confirms an earlier one too (the record moved on)."""
        waiting = self._by_key.get(key)
        if waiting is None or not (deleted or (attempt is not None and attempt >= waiting[1])):
            return False
        self._observe(self._monotonic() - waiting[2])
        self._forget(key)
        return True

    def drop_partition(self, partition: int) -> None:
        """The partition was reset to what Kafka committed, or revoked: its assignments
        not committed never will be, and the committed ones are in the changelog (read
        back, or restored by the next owner)."""
        for key in [k for k, entry in self._by_key.items() if entry[3] == partition]:
            self._forget(key)

    def at_limit(self, team_id: str) -> bool:
        """At the limit of unconfirmed assignments to the team (0: no limit). An assignment
        that is never read back (its partition's mirror stalled) stops counting after the
        TTL."""
        if self.limit <= 0:
            return False
        keys = self._by_team.get(team_id)
        if not keys or len(keys) < self.limit:
            return False
        oldest_allowed = self._monotonic() - self._ttl
        for key in [k for k in keys if self._by_key[k][2] < oldest_allowed]:
            self._forget(key)
        return len(keys) >= self.limit

    def __bool__(self) -> bool:
        """Any assignment waiting to be read back."""
        return bool(self._by_key)

    def count(self, team_id: str) -> int:
        return len(self._by_team.get(team_id, ()))

    def _forget(self, key: str) -> None:
        entry = self._by_key.pop(key, None)
        if entry is not None:
            self._by_team[entry[0]].discard(key)
