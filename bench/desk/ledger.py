"""The router's state of every ticket, kept as the service's shell keeps it.

Each ticket's ``TicketRoute`` moves through the router's ``lifecycle`` functions and
every change goes to the real ``LoadBook`` (``ticket_changed``), as
``services.router.routing.Router.save`` does; assignments and resolutions go into the
partition's tally (``tally.record_assignment`` / ``record_resolution``), which gives the
load view its arrival rates, measured handle times, partner volumes per contract day
and the desk's outsourcing share. One partition, owned by this instance: every change
is visible to the next decision, as within one router instance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bench.desk.intake import DeskTicket
from services.router.domain import lifecycle, tally
from services.router.domain.registry import Registry, TeamProfile
from services.router.domain.state import PartitionTally, TicketRoute
from services.router.loadbook import LoadBook


class RouterLedger:
    def __init__(self, registry: Registry, book: LoadBook) -> None:
        self.registry = registry
        self.book = book
        self.routes: dict[str, TicketRoute] = {}
        self._tally = PartitionTally(partition=0)

    def __getitem__(self, key: str) -> TicketRoute:
        return self.routes[key]

    def _save(self, key: str, new: TicketRoute) -> None:
        self.book.ticket_changed(0, self.routes.get(key), new)
        self.routes[key] = new

    def _count(self, change: Callable[[PartitionTally], PartitionTally]) -> None:
        self._tally = change(self._tally)
        self.book.tally_changed(0, self._tally)

    def open(self, ticket: DeskTicket) -> None:
        self._save(ticket.ticket_id, ticket.route)

    def assign(self, ticket: DeskTicket, team: TeamProfile, now: datetime) -> TicketRoute:
        key = ticket.ticket_id
        route = lifecycle.assign(self.routes[key], key, team, now)
        self._save(key, route)
        desk_day = now.astimezone(self.registry.desk_zone).date().isoformat()
        contract_day = now.astimezone(team.contract_zone).date().isoformat()
        self._count(
            lambda current: tally.record_assignment(
                current,
                team.id,
                now,
                desk_day=desk_day,
                to_partner=team.partner,
                contract_day=contract_day if team.partner else None,
            )
        )
        return route

    def accept(self, key: str) -> TicketRoute:
        route = self.routes[key]
        assert route.assignment_id is not None
        accepted = lifecycle.accept(route, route.assignment_id)
        assert accepted is not None
        self._save(key, accepted)
        return accepted

    def give_back(self, ticket: DeskTicket, now: datetime) -> str:
        """Rejected, expired or taken back: pending again, the team declined. Its id."""
        key = ticket.ticket_id
        route = self.routes[key]
        assert route.assignment_id is not None
        assert route.team_id is not None
        returned = lifecycle.give_back(route, route.assignment_id, now)
        assert returned is not None
        self._save(key, returned)
        return route.team_id

    def count_quality(
        self,
        team_id: str,
        day_of: datetime,
        now: datetime,
        *,
        resolved: int = 0,
        recontacted: int = 0,
        score: int | None = None,
    ) -> None:
        """As ``services.router.quality`` counts into the partition's tally."""
        day = tally.desk_day(self.registry, day_of)
        oldest = tally.quality_kept_since(self.registry, now)
        self._count(
            lambda current: tally.record_quality(
                current,
                team_id,
                day,
                oldest_day=oldest,
                resolved=resolved,
                recontacted=recontacted,
                score=score,
            )
        )

    def resolve(self, key: str, team_id: str, now: datetime) -> None:
        route = self.routes[key]
        held = lifecycle.held_seconds(route, now)
        if route.holds_slot and route.team_id == team_id and held is not None:
            self._count(lambda current: tally.record_resolution(current, team_id, now, held))
        self._save(key, lifecycle.resolve(route, now))
