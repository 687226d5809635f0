"""The scale-out capacity bound: when this instance may not assign to a team yet, though
the team has room in its load view (docs/architecture.md, "Live load, rebuilt from
Kafka, and the capacity bound").

* **Unconfirmed assignments.** Another instance sees this one's assignments only once
  they are committed and its mirror has read them. This instance counts an assignment
  from its decision until its own mirror reads it back (``Unconfirmed``), and makes at
  most ``limit`` unconfirmed assignments to one team; at the limit it asks for its
  transaction to commit now (``at_limit`` -> ``Step.commit_soon``), so that the
  read-back, and the tickets held meanwhile, follow within one commit.
* **Sole owner.** While this instance owns every partition of ``tickets``, no other
  instance assigns anything (a partition is assigned to a new owner only after this one
  revoked it, and fencing stops a former owner's commits): its own stores count every
  assignment, staged ones included, so the limit does not apply. Unconfirmed
  assignments are still counted, so the limit is exact again the moment a peer joins.
* **A current view.** When a partition becomes this instance's, its peers may have
  committed assignments its mirror has not read yet, among them a former sole owner's,
  made without the limit. Until the mirror has read everything committed before that
  moment (``GlobalTable.sync``, run by the timer: ``mark_current``) nothing is assigned.
"""

from __future__ import annotations

from collections.abc import Callable

from services.router.unconfirmed import Unconfirmed


class CapacityBound:
    def __init__(
        self,
        unconfirmed: Unconfirmed,
        partition_count: Callable[[], int],
        *,
        needs_current_view: bool,
    ) -> None:
        """``needs_current_view``: a service whose timer runs ``mark_current``; a view fed
        by hand (tests, the desk simulation) is always current."""
        self._unconfirmed = unconfirmed
        self._partition_count = partition_count
        self._owned: set[int] = set()
        self._needs_current_view = needs_current_view
        self._ready_epoch = 0
        self._current_epoch = 0

    # -- partitions ------------------------------------------------------------------
    def partition_ready(self, partition: int) -> None:
        """Owned and restored (also again after a failed transaction reset it)."""
        self._owned.add(partition)
        self._unconfirmed.drop_partition(partition)
        if self._needs_current_view:
            self._ready_epoch += 1

    def partition_revoked(self, partition: int) -> None:
        self._owned.discard(partition)
        self._unconfirmed.drop_partition(partition)

    @property
    def sole_owner(self) -> bool:
        count = self._partition_count()
        return count > 0 and len(self._owned) >= count

    # -- a current view ----------------------------------------------------------------
    @property
    def current(self) -> bool:
        return self._current_epoch == self._ready_epoch

    @property
    def ready_epoch(self) -> int:
        """Pass to ``mark_current`` once the mirror read what was committed before now."""
        return self._ready_epoch

    def mark_current(self, epoch: int) -> None:
        self._current_epoch = max(self._current_epoch, epoch)

    # -- decisions ---------------------------------------------------------------------
    def throttled(self, team_id: str) -> bool:
        """No assignment to the team now (the ticket is held)."""
        if not self.current:
            return True
        return not self.sole_owner and self._unconfirmed.at_limit(team_id)

    def decision_made(self, key: str, team_id: str, attempt: int, partition: int) -> None:
        self._unconfirmed.add(key, team_id, attempt, partition)

    def at_limit(self, team_id: str) -> bool:
        """This assignment brought the team to the limit: commit it now."""
        limit = self._unconfirmed.limit
        return 0 < limit <= self._unconfirmed.count(team_id) and not self.sole_owner
