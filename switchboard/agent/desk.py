"""What an agent's terminal knows: the team's queue as ``queue.<team>`` tells it.

Pure: queue events in, the listing (who holds what) and notices for this agent out. The
router decides who holds a ticket (``queue.ticket_claimed``, ``queue.ticket_unclaimed``);
a ticket leaves the queue when it is resolved (``queue.ticket_closed``) or routed to
another team (``queue.ticket_withdrawn``). Every terminal of the team reads the whole
topic, so each shows the same queue and a ticket is on the screen of the one agent who
holds it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from schemas.queue import (
    QueuedClaimRefused,
    QueuedTicket,
    QueuedTicketClaimed,
    QueuedTicketClosed,
    QueuedTicketUnclaimed,
    QueuedTicketWithdrawn,
    QueueEvent,
)


@dataclass
class QueueEntry:
    ticket: QueuedTicket
    order: int  # arrival in the queue, for ties
    holder: str | None = None
    since: datetime | None = None
    answered: bool = False  # a first response went out (from this terminal, or before)

    @property
    def assignment_id(self) -> uuid.UUID:
        return self.ticket.assignment_id


@dataclass
class TeamQueue:
    team_id: str
    agent_id: str
    _open: dict[uuid.UUID, QueueEntry] = field(default_factory=dict)
    _done: set[uuid.UUID] = field(default_factory=set)
    #: The router's answers to this agent's claims, by request id.
    refusals: dict[uuid.UUID, QueuedClaimRefused] = field(default_factory=dict)
    _arrivals: int = 0

    def apply(self, event: QueueEvent) -> str | None:
        """Take in one queue record; returns a notice for this agent, if any."""
        mine = getattr(event, "agent_id", None) == self.agent_id
        match event:
            case QueuedTicket() if event.assignment_id not in self._done:
                self._arrivals += 1
                self._open.setdefault(event.assignment_id, QueueEntry(event, self._arrivals))
            case QueuedTicketClaimed() if entry := self._open.get(event.assignment_id):
                entry.holder, entry.since = event.agent_id, event.occurred_at
                entry.answered = entry.answered or event.answered
                return (
                    f"yours now: {_title(entry.ticket)}  ticket={event.ticket_id}" if mine else None
                )
            case QueuedTicketUnclaimed() if entry := self._open.get(event.assignment_id):
                if entry.holder == event.agent_id:
                    entry.holder, entry.since = None, None
                if mine:
                    return f"back in the queue ({event.reason}): {_title(entry.ticket)}"
            case QueuedClaimRefused() if mine:
                self.refusals[event.request_id] = event
            case QueuedTicketWithdrawn() | QueuedTicketClosed():
                self._done.add(event.assignment_id)
                gone = self._open.pop(event.assignment_id, None)
                if (
                    isinstance(event, QueuedTicketWithdrawn)
                    and gone is not None
                    and gone.holder == self.agent_id
                ):
                    return f"withdrawn: {_title(gone.ticket)} ({event.reason})"
        return None

    def finish(self, assignment_id: uuid.UUID) -> None:
        """This agent resolved it or sent it to another team: it leaves the list at once."""
        self._done.add(assignment_id)
        self._open.pop(assignment_id, None)

    def mark_answered(self, assignment_id: uuid.UUID) -> None:
        entry = self._open.get(assignment_id)
        if entry is not None:
            entry.answered = True

    def entry(self, assignment_id: uuid.UUID) -> QueueEntry | None:
        return self._open.get(assignment_id)

    def listing(self) -> list[QueueEntry]:
        """Every open ticket of the team, most urgent first, then the nearest deadline."""
        return sorted(self._open.values(), key=_urgency)

    def mine(self) -> list[QueueEntry]:
        return [entry for entry in self.listing() if entry.holder == self.agent_id]

    def waiting(self) -> list[QueueEntry]:
        """Tickets nobody holds, most urgent first: what ``next`` asks for."""
        return [entry for entry in self.listing() if entry.holder is None]


def _urgency(entry: QueueEntry) -> tuple[int, float, int]:
    due = entry.ticket.first_response_due
    return (
        -entry.ticket.priority.rank,
        due.timestamp() if due is not None else float("inf"),
        entry.order,
    )


def _title(ticket: QueuedTicket) -> str:
    return ticket.subject or ticket.text[:60]


def describe(position: int, entry: QueueEntry, me: str, now: datetime) -> str:
    ticket = entry.ticket
    if entry.answered:
        sla = "answered"
    elif ticket.first_response_due is None:
        sla = "no SLA"
    else:
        left = (ticket.first_response_due - now).total_seconds()
        sla = f"SLA {_duration(left)} left" if left >= 0 else f"SLA BREACHED {_duration(-left)} ago"
    if entry.holder is None:
        who = "waiting"
    else:
        held = f" for {_duration((now - entry.since).total_seconds())}" if entry.since else ""
        who = f"held by {'you' if entry.holder == me else entry.holder}{held}"
    language = ticket.language
    if ticket.needs_translation:
        language += f" -> {ticket.work_language or '?'}: NEEDS TRANSLATION"
    return (
        f"{position}. [{ticket.priority.value}] {_title(ticket)} "
        f"({language}, {ticket.channel.value}, {ticket.skill}) {sla}; {who}  "
        f"ticket={ticket.ticket_id}"
    )


def _duration(seconds: float) -> str:
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
