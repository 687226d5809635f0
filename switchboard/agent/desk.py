"""What one agent's terminal knows: the open tickets of its partitions of ``queue.<team>``.

Pure: queue events in, a listing and the offsets that are safe to commit out. The
committed offset of a partition stays at its oldest ticket still open, so an agent
who restarts (or whose partitions move to a colleague) sees every open ticket again;
the router's ``queue.ticket_closed`` and ``queue.ticket_withdrawn`` events, read in
the same replay, drop the ones already done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from schemas.queue import QueuedTicket, QueuedTicketClosed, QueuedTicketWithdrawn, QueueEvent


@dataclass
class OpenTicket:
    ticket: QueuedTicket
    partition: int
    offset: int
    responded: bool = False


@dataclass
class AgentDesk:
    team_id: str
    _open: dict[uuid.UUID, OpenTicket] = field(default_factory=dict)
    _done: set[uuid.UUID] = field(default_factory=set)
    _positions: dict[int, int] = field(default_factory=dict)

    def apply(self, event: QueueEvent, partition: int, offset: int) -> str | None:
        """Take in one queue record; returns a notice for the agent, if any."""
        self._positions[partition] = max(self._positions.get(partition, 0), offset + 1)
        match event:
            case QueuedTicket() if event.assignment_id not in self._done:
                self._open[event.assignment_id] = OpenTicket(event, partition, offset)
                return None
            case QueuedTicketWithdrawn() | QueuedTicketClosed():
                self._done.add(event.assignment_id)
                gone = self._open.pop(event.assignment_id, None)
                if gone is None or isinstance(event, QueuedTicketClosed):
                    return None
                return f"withdrawn: {_title(gone.ticket)} ({event.reason})"
            case _:
                return None

    def finish(self, assignment_id: uuid.UUID) -> None:
        """This agent resolved or released it: it leaves the list at once."""
        self._done.add(assignment_id)
        self._open.pop(assignment_id, None)

    def mark_responded(self, assignment_id: uuid.UUID) -> None:
        self._open[assignment_id].responded = True

    def drop_partitions(self, partitions: set[int]) -> None:
        """Partitions moved to another agent's terminal."""
        for key in [k for k, t in self._open.items() if t.partition in partitions]:
            del self._open[key]
        for partition in partitions:
            self._positions.pop(partition, None)

    def listing(self) -> list[OpenTicket]:
        """Most urgent first, then the nearest first-response deadline."""

        def urgency(item: OpenTicket) -> tuple[int, bool, float, int]:
            due = item.ticket.first_response_due
            return (
                -item.ticket.priority.rank,
                item.responded,
                due.timestamp() if due is not None else float("inf"),
                item.offset,
            )

        return sorted(self._open.values(), key=urgency)

    def safe_offsets(self) -> dict[int, int]:
        """Per partition: the oldest open ticket, or everything read when none is open."""
        offsets = dict(self._positions)
        for ticket in self._open.values():
            offsets[ticket.partition] = min(offsets[ticket.partition], ticket.offset)
        return offsets


def _title(ticket: QueuedTicket) -> str:
    return ticket.subject or ticket.text[:60]


def describe(position: int, open_ticket: OpenTicket, now: datetime) -> str:
    ticket = open_ticket.ticket
    if open_ticket.responded:
        sla = "answered"
    elif ticket.first_response_due is None:
        sla = "no SLA"
    else:
        left = (ticket.first_response_due - now).total_seconds()
        sla = f"SLA {_duration(left)} left" if left >= 0 else f"SLA BREACHED {_duration(-left)} ago"
    language = ticket.language
    if ticket.needs_translation:
        language += f" -> {ticket.work_language or '?'}: NEEDS TRANSLATION"
    return (
        f"{position}. [{ticket.priority.value}] {_title(ticket)} "
        f"({language}, {ticket.channel.value}, {ticket.skill}) {sla}  "
        f"ticket={ticket.ticket_id}"
    )


def _duration(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
