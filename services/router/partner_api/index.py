"""What one API instance knows: the partner tickets and capacities it mirrors, indexed
for requests (by assignment, by partner, by partner action id), and waiters for writes
that expect their outcome to show up.

Fed by the ``GlobalTable`` mirrors' change callbacks (or, in fast tests, straight by a
fake pipeline); every index entry comes from a committed changelog record.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.router.partner_api.domain.capacity import Announcement, CapacityRecord
from services.router.partner_api.domain.view import ActionRecord, AssignmentRecord, PartnerTicket

Located = tuple[PartnerTicket, AssignmentRecord]


@dataclass
class ViewIndex:
    tickets: dict[str, PartnerTicket] = field(default_factory=dict)
    capacities: dict[str, CapacityRecord] = field(default_factory=dict)
    _by_assignment: dict[uuid.UUID, str] = field(default_factory=dict)
    _by_team: dict[str, dict[uuid.UUID, str]] = field(default_factory=lambda: defaultdict(dict))
    _actions: dict[uuid.UUID, tuple[str, uuid.UUID]] = field(default_factory=dict)
    _announcements: dict[uuid.UUID, str] = field(default_factory=dict)
    _waiters: dict[uuid.UUID, list[asyncio.Future[None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    # -- fed by the mirrors ------------------------------------------------------------
    def ticket_changed(self, ticket_id: str, record: PartnerTicket | None) -> None:
        old = self.tickets.pop(ticket_id, None)
        if old is not None:
            for assignment in old.assignments:
                self._by_assignment.pop(assignment.assignment_id, None)
                self._by_team[assignment.team_id].pop(assignment.assignment_id, None)
                for done in assignment.actions:
                    self._actions.pop(done.event_id, None)
        if record is None:
            return
        self.tickets[ticket_id] = record
        for assignment in record.assignments:
            self._by_assignment[assignment.assignment_id] = ticket_id
            self._by_team[assignment.team_id][assignment.assignment_id] = ticket_id
            for done in assignment.actions:
                self._actions[done.event_id] = (ticket_id, assignment.assignment_id)
                self._wake(done.event_id)

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
    def assignment(self, team_id: str, assignment_id: uuid.UUID) -> Located | None:
        """The team's own assignment, or None: unknown and someone else's look the same."""
        ticket_id = self._by_team.get(team_id, {}).get(assignment_id)
        ticket = self.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None:
            return None
        for record in ticket.assignments:
            if record.assignment_id == assignment_id and record.team_id == team_id:
                return ticket, record
        return None

    def team_assignments(self, team_id: str) -> Iterator[Located]:
        for assignment_id, ticket_id in list(self._by_team.get(team_id, {}).items()):
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                continue
            for record in ticket.assignments:
                if record.assignment_id == assignment_id:
                    yield ticket, record

    def team_tickets(self, team_id: str) -> list[PartnerTicket]:
        """Tickets the team was offered (a breach names the team only after an offer)."""
        ids = set(self._by_team.get(team_id, {}).values())
        return [self.tickets[t] for t in ids if t in self.tickets]

    def action(
        self, event_id: uuid.UUID
    ) -> tuple[PartnerTicket, AssignmentRecord, ActionRecord] | None:
        """A partner action the view has judged, found by its event id."""
        found = self._actions.get(event_id)
        if found is None:
            return None
        ticket_id, assignment_id = found
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return None
        for record in ticket.assignments:
            if record.assignment_id == assignment_id:
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
        return len(self.tickets)

    # -- waiting for a write to show ---------------------------------------------------
    async def wait_for(self, event_id: uuid.UUID, timeout: float) -> bool:
        """True once the view holds the outcome of the event with this id."""
        if event_id in self._actions or event_id in self._announcements:
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
