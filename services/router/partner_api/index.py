"""What one API instance knows: the partner tickets and capacities it mirrors, indexed
for requests (by assignment, by partner, by partner action id), and waiters for writes
that expect their outcome to show up.

Fed by the ``GlobalTable`` mirrors' change callbacks (or, in fast tests, straight by a
fake pipeline); every entry comes from a committed changelog record. A ticket is kept
as its changelog bytes (without the customer's data once no assignment is live),
deflated (``compact``), and decoded when a request needs it; listing and statistics
work on compact rows, indexed by team. Nothing else is kept per ticket: when a ticket
changes, its previous record says which rows and action ids to drop. Weeks of history
for every partner then fit in each instance's memory (under 1 KB per partner ticket,
bench/README.md).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from plumbing.logging import get_logger
from services.router.partner_api.codec import decode_ticket, encode_ticket
from services.router.partner_api.compact import pack, unpack_ticket
from services.router.partner_api.domain.capacity import Announcement, CapacityRecord
from services.router.partner_api.domain.stats import BreachRow, WorkRow, rows_of
from services.router.partner_api.domain.view import (
    ActionRecord,
    AssignmentRecord,
    PartnerTicket,
    personal,
    without_personal_data,
)

log = get_logger(__name__)

Located = tuple[PartnerTicket, AssignmentRecord]


@dataclass
class ViewIndex:
    on_invalid: Callable[[str, Exception], None] | None = None
    capacities: dict[str, CapacityRecord] = field(default_factory=dict)
    _records: dict[str, bytes] = field(default_factory=dict)  # deflated (``compact``)
    _breaches: dict[str, list[BreachRow]] = field(default_factory=dict)
    #: Team -> assignment id (its 128-bit int) -> row.
    _by_team: dict[str, dict[int, WorkRow]] = field(default_factory=lambda: defaultdict(dict))
    _live_by_team: dict[str, dict[int, WorkRow]] = field(default_factory=lambda: defaultdict(dict))
    #: Partner action event id (its 128-bit int: half a UUID object) -> ticket id.
    _actions: dict[int, str] = field(default_factory=dict)
    _announcements: dict[uuid.UUID, str] = field(default_factory=dict)
    _waiters: dict[uuid.UUID, list[asyncio.Future[None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    # -- fed by the mirrors ------------------------------------------------------------
    def ticket_changed(self, ticket_id: str, data: bytes | None) -> None:
        """A changelog record (``codec`` format) or a tombstone (None)."""
        record = None
        if data is not None:
            try:
                record = decode_ticket(data)
            except Exception as exc:  # a bad record is counted; the rest goes on
                log.error("unreadable partner view record", ticket_id=ticket_id, error=repr(exc))
                if self.on_invalid is not None:
                    self.on_invalid(ticket_id, exc)
                return
        self._forget(ticket_id)
        if record is None or not record.partnered:
            return
        if personal(record) and not any(a.live for a in record.assignments):
            record = without_personal_data(record)  # never served any more: not kept either
            data = encode_ticket(record)
        assert data is not None
        work, breaches = rows_of(record, ticket_id)
        self._records[ticket_id] = pack(data)
        if breaches:
            self._breaches[ticket_id] = breaches
        actions: list[uuid.UUID] = []
        for row, assignment in zip(work, record.assignments, strict=True):
            self._by_team[row.team_id][row.assignment_id] = row
            if assignment.live:
                self._live_by_team[row.team_id][row.assignment_id] = row
            for done in assignment.actions:
                self._actions[done.event_id.int] = ticket_id
                actions.append(done.event_id)
        for event_id in actions:
            self._wake(event_id)

    def _forget(self, ticket_id: str) -> None:
        packed = self._records.pop(ticket_id, None)
        if packed is None:
            return
        self._breaches.pop(ticket_id, None)
        for assignment in unpack_ticket(packed).assignments:
            team_id = assignment.team_id
            self._by_team[team_id].pop(assignment.assignment_id.int, None)
            self._live_by_team[team_id].pop(assignment.assignment_id.int, None)
            for done in assignment.actions:
                self._actions.pop(done.event_id.int, None)

    def capacity_changed(self, team_id: str, record: CapacityRecord | None) -> None:
        old = self.capacities.pop(team_id, None)
        if old is not None:
            for done in old.recent:
                self._announcements.pop(done.event_id, None)
        if record is None:
            return
        self.capacities[team_id] = record
        for done in record.recent:
            self._announcements[done.event_id] = team_id
            self._wake(done.event_id)

    # -- reads -------------------------------------------------------------------------
    def ticket(self, ticket_id: str) -> PartnerTicket | None:
        packed = self._records.get(ticket_id)
        return None if packed is None else unpack_ticket(packed)

    def locate(self, row: WorkRow) -> Located | None:
        ticket = self.ticket(row.ticket_id)
        if ticket is None:
            return None
        for record in ticket.assignments:
            if record.assignment_id.int == row.assignment_id:
                return ticket, record
        return None

    def assignment(self, team_id: str, assignment_id: uuid.UUID) -> Located | None:
        """The team's own assignment, or None: unknown and someone else's look the same."""
        row = self._by_team.get(team_id, {}).get(assignment_id.int)
        return None if row is None else self.locate(row)

    def team_rows(self, team_id: str, live_only: bool = False) -> list[WorkRow]:
        """The team's assignments; ``live_only`` looks at the live ones alone (a few
        hundred at most, where the whole history is weeks of tickets)."""
        chosen = self._live_by_team if live_only else self._by_team
        return list(chosen.get(team_id, {}).values())

    def breaches(self) -> dict[str, list[BreachRow]]:
        return self._breaches

    def action(
        self, event_id: uuid.UUID
    ) -> tuple[PartnerTicket, AssignmentRecord, ActionRecord] | None:
        """A partner action the view has judged, found by its event id."""
        ticket_id = self._actions.get(event_id.int)
        ticket = self.ticket(ticket_id) if ticket_id is not None else None
        if ticket is None:
            return None
        for record in ticket.assignments:
            for done in record.actions:
                if done.event_id == event_id:
                    return ticket, record, done
        return None

    def announcement(self, event_id: uuid.UUID) -> tuple[CapacityRecord, Announcement] | None:
        team_id = self._announcements.get(event_id)
        record = self.capacities.get(team_id) if team_id is not None else None
        if record is None:
            return None
        for done in record.recent:
            if done.event_id == event_id:
                return record, done
        return None

    def __len__(self) -> int:
        return len(self._records)

    # -- waiting for a write to show ---------------------------------------------------
    async def wait_for(self, event_id: uuid.UUID, timeout: float) -> bool:
        """True once the view holds the outcome of the event with this id."""
        if event_id.int in self._actions or event_id in self._announcements:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[event_id].append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(event_id)
            if waiters is not None:
                if waiter in waiters:
                    waiters.remove(waiter)
                if not waiters:
                    del self._waiters[event_id]
        return True

    def _wake(self, event_id: uuid.UUID) -> None:
        for waiter in self._waiters.pop(event_id, ()):
            if not waiter.done():
                waiter.set_result(None)
