"""A team as agents at work: a multi-server queue that serves only in working hours.

A team has ``slots`` servers (agents on shift x tickets each works at once, the same
unit as the router's capacity). Tickets handed to it (queued in-house tickets, accepted
partner offers) wait in one first-come-first-served line and start when a slot is free
and the team is open (the router's ``OpeningHours``: weekly hours in the team's time
zone, public holidays). A ticket in progress when the team closes is finished; nothing
new starts until it opens again. When capacity drops (a partner's announcement), tickets
in progress are finished and no new one starts until the team is below its slots.
"""

from __future__ import annotations

from datetime import datetime

from services.router.domain.registry import TeamProfile


class TeamDesk:
    def __init__(self, team: TeamProfile) -> None:
        self.team = team
        self.slots = team.capacity
        # Insertion-ordered dicts as ordered sets: O(1) removal, deterministic order.
        self.working: dict[str, None] = {}
        self.waiting: dict[str, None] = {}

    def hand_over(self, ticket_id: str) -> None:
        self.waiting[ticket_id] = None

    def withdraw(self, ticket_id: str) -> bool:
        """Take a ticket out of the line before an agent starts it; False if started."""
        return self.waiting.pop(ticket_id, False) is None

    def is_waiting(self, ticket_id: str) -> bool:
        return ticket_id in self.waiting

    def finish(self, ticket_id: str) -> None:
        del self.working[ticket_id]

    def start_what_can(self, now: datetime) -> list[str]:
        """Tickets agents start now: the oldest in line, while slots are free and open."""
        if not self.waiting or len(self.working) >= self.slots:
            return []
        if not self.team.hours.is_open(now):
            return []
        started: list[str] = []
        while self.waiting and len(self.working) < self.slots:
            ticket_id = next(iter(self.waiting))
            del self.waiting[ticket_id]
            self.working[ticket_id] = None
            started.append(ticket_id)
        return started
