"""The desk in simulated time: arrivals, decisions, offers, agents' work, responses.

Events are processed in time order (ties in the order they were scheduled):

* a ticket arrives: the policy decides at once (unless tickets of its group already
  wait, see ``backlog``); no team: it waits in the pending backlog;
* an in-house assignment joins the team's line; a partner assignment is an offer the
  partner answers as ``Workforce.partner_decision`` says (accept or reject after a
  delay, or never); an offer not accepted within the contract's timeout expires; a
  rejected or expired offer puts the team on the ticket's declined list and the
  ticket is routed again (``services.router.domain.lifecycle.give_back``);
* an accepted offer joins the partner's line; an agent starts a ticket when a slot is
  free and the team is open; the first response goes out after
  ``Workforce.first_response_delay`` and the ticket is resolved after
  ``Workforce.handle_time`` (at the earliest with the first response), freeing the slot;
* partners' ``team.capacity`` announcements (``partner_capacity_announcements``) change
  their slots, and the router's view of them, at run time;
* a team opening or closing, or a partner's contract day turning, is an event too.

The router's state and load view are kept as the service keeps them (``ledger``). The
pending backlog is drained at the instant something changes, where the service's timer
would within a tick (``backlog``).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from bench.desk.backlog import GroupKey, Order, PendingBacklog
from bench.desk.intake import DeskTicket
from bench.desk.ledger import RouterLedger
from bench.desk.outcome import Outcome
from bench.desk.quality import CustomerReactions
from bench.desk.strategies import Strategy, matches
from bench.desk.teams import TeamDesk
from schemas.config import SwitchboardConfig
from schemas.teams import TeamCapacity
from services.router.domain import lifecycle
from services.router.domain.registry import Registry, TeamProfile
from services.router.loadbook import LoadBook
from switchboard.simulator import Workforce


class Kind(IntEnum):
    CAPACITY = 0
    HOURS = 1
    RESOLVED = 2
    ANSWER = 3
    EXPIRY = 4
    PICKUP = 5
    FIRST_RESPONSE = 6
    ARRIVAL = 7
    RING = 8  # a waiting ticket's next relaxation ring opens
    CUSTOMER = 9  # a customer comes back about a resolution, or rates it


class DeskSimulation:
    def __init__(
        self,
        config: SwitchboardConfig,
        tickets: Sequence[DeskTicket],
        strategy: Callable[[Registry, LoadBook], Strategy],
        *,
        workforce: Workforce,
        announcements: Sequence[TeamCapacity],
        until: datetime,
        drain_everything: bool = False,
    ) -> None:
        """``drain_everything``: after every event, try every pending ticket (as if every
        team had changed) instead of only those a change could help; for tests of the
        backlog's shortcut, which must give the same run."""
        self.drain_everything = drain_everything
        self.registry = Registry(config.teams, config.outsourcing)
        self.book = LoadBook(self.registry, max_unconfirmed=0)
        self.book.partition_ready(0, [])
        self.strategy = strategy(self.registry, self.book)
        self.routes = RouterLedger(self.registry, self.book)
        self.reactions = CustomerReactions(workforce, self.routes)
        #: Offers per partner and contract day, to check the contracts' caps.
        self.offers_by_day: Counter[tuple[str, str]] = Counter()
        self.workforce = workforce
        self.until = until
        self.tickets = {ticket.ticket_id: ticket for ticket in tickets}
        self.outcomes = {ticket.ticket_id: Outcome() for ticket in tickets}
        self.desks = {team.id: TeamDesk(team) for team in self.registry.teams}
        self.backlog = PendingBacklog()
        self._parked: dict[str, tuple[GroupKey, Order, int]] = {}  # ..., ring event token
        self._events: list[tuple[datetime, int, Kind, Any]] = []
        self._sequence = 0
        for ticket in tickets:
            self._at(ticket.received_at, Kind.ARRIVAL, ticket.ticket_id)
        for announcement in announcements:
            self._at(announcement.occurred_at, Kind.CAPACITY, announcement)
        if tickets:
            start = min(ticket.received_at for ticket in tickets)
            for team in self.registry.teams:
                self._next_hours_change(team, start)

    # -- the event loop ----------------------------------------------------------------
    def run(self) -> None:
        handlers: dict[Kind, Callable[[datetime, Any], None]] = {
            Kind.ARRIVAL: self._arrive,
            Kind.ANSWER: self._answer,
            Kind.EXPIRY: self._expire,
            Kind.PICKUP: self._pickup,
            Kind.FIRST_RESPONSE: self._first_response,
            Kind.RESOLVED: self._resolved,
            Kind.CAPACITY: self._capacity,
            Kind.HOURS: self._hours,
            Kind.RING: self._ring_opens,
            Kind.CUSTOMER: lambda now, event: self.reactions.happened(
                now, event, self.outcomes[event[0]]
            ),
        }
        every_team = [team.id for team in self.registry.teams]
        while self._events and self._events[0][0] <= self.until:
            now, _, kind, payload = heapq.heappop(self._events)
            handlers[kind](now, payload)
            if self.drain_everything:
                self._drain(every_team, now)

    def _at(self, when: datetime, kind: Kind, payload: Any) -> None:
        self._sequence += 1
        heapq.heappush(self._events, (when, self._sequence, kind, payload))

    # -- routing -------------------------------------------------------------------------
    def _route(self, key: str, now: datetime) -> None:
        """Route a pending ticket now, or park it in the backlog."""
        route, profile = self.routes[key], self.tickets[key].profile
        rings_open = self.strategy.rings_open(route, profile, now)
        group = (profile, frozenset(route.declined), rings_open)
        if not self.drain_everything and not self.backlog.has(group) and self._try(key, now):
            return
        order: Order = (*lifecycle.backlog_order(route), key)
        teams = [t.id for t in self.registry.teams if matches(t, profile)]
        self.backlog.add(group, order, teams + self.strategy.ring_teams(profile, rings_open))
        self._sequence += 1
        self._parked[key] = (group, order, self._sequence)
        ring_at = self.strategy.next_ring_at(route, profile, now)
        if ring_at is not None:
            self._at(ring_at, Kind.RING, (key, self._sequence))

    def _ring_opens(self, now: datetime, payload: tuple[str, int]) -> None:
        key, token = payload
        parked = self._parked.get(key)
        if parked is None or parked[2] != token:
            return  # routed since, or parked again with another ring to wait for
        del self._parked[key]
        self.backlog.remove(parked[0], parked[1])
        self._route(key, now)

    def _try(self, key: str, now: datetime) -> bool:
        choice = self.strategy.choose(self.routes[key], self.tickets[key].profile, now)
        if choice is None:
            return False
        outcome = self.outcomes[key]
        outcome.translated = choice.translated
        outcome.proficiency = (
            choice.proficiency
            if choice.proficiency is not None
            else choice.team.skills.get(self.tickets[key].skill, 0.0)
        )
        self._assign(key, choice.team, now, choice.pickup_timeout)
        return True

    def _drain(self, teams: Sequence[str], now: datetime) -> None:
        """Route what waits for these teams, most urgent and oldest first."""
        heads = [
            (head, group)
            for group in self.backlog.groups_for(teams)
            if (head := self.backlog.head(group)) is not None
        ]
        heapq.heapify(heads)
        while heads:
            (_, _, key), group = heapq.heappop(heads)
            if not self._try(key, now):
                continue  # the whole group stalls (``backlog`` explains why)
            self.backlog.pop_head(group)
            self._parked.pop(key, None)
            head = self.backlog.head(group)
            if head is not None:
                heapq.heappush(heads, (head, group))

    def _assign(self, key: str, team: TeamProfile, now: datetime, pickup: timedelta | None) -> None:
        ticket, outcome = self.tickets[key], self.outcomes[key]
        before = self.book.load(team, now)
        route = self.routes.assign(ticket, team, now)
        outcome.assigned(team, now)
        if not team.partner:
            self.desks[team.id].hand_over(key)
            self._start_work(team, now)
            if pickup is not None:
                self._at(now + pickup, Kind.PICKUP, (key, route.attempt))
            return
        outcome.offers += 1
        self.offers_by_day[team.id, now.astimezone(team.contract_zone).date().isoformat()] += 1
        if not team.may_receive(ticket.skill, ticket.tier, ticket.marketplace):
            outcome.against_policy = True
        answer = self.workforce.partner_decision(
            key,
            team.id,
            language=ticket.language,
            skill=ticket.skill,
            proficiency=team.skills.get(ticket.skill, 0.0),
            load=before.utilisation,
            attempt=route.attempt,
        )
        if answer.after is not None and answer.after < team.offer_timeout:
            self._at(now + answer.after, Kind.ANSWER, (key, route.attempt, answer.outcome))
        self._at(now + team.offer_timeout, Kind.EXPIRY, (key, route.attempt))

    def _give_back(self, key: str, now: datetime) -> None:
        team_id = self.routes.give_back(self.tickets[key], now)
        self._route(key, now)
        self._drain([team_id], now)

    # -- work ------------------------------------------------------------------------------
    def _start_work(self, team: TeamProfile, now: datetime) -> None:
        for key in self.desks[team.id].start_what_can(now):
            ticket, outcome = self.tickets[key], self.outcomes[key]
            attempt = self.routes[key].attempt
            outcome.handled_by = team
            reply = self.workforce.first_response_delay(key, ticket.channel, attempt=attempt)
            handle = self.workforce.handle_time(
                key, ticket.channel, ticket.skill, team_kind=team.kind, attempt=attempt
            )
            if outcome.first_response_at is None:
                self._at(now + reply, Kind.FIRST_RESPONSE, key)
            self._at(now + max(handle, reply), Kind.RESOLVED, (key, team.id))

    # -- events ----------------------------------------------------------------------------
    def _arrive(self, now: datetime, key: str) -> None:
        self.routes.open(self.tickets[key])
        self._route(key, now)

    def _answer(self, now: datetime, payload: tuple[str, int, str]) -> None:
        key, attempt, answer = payload
        route = self.routes[key]
        if route.status != "offered" or route.attempt != attempt:
            return
        if answer == "accept":
            team_id = self.routes.accept(key).team_id
            assert team_id is not None
            self.desks[team_id].hand_over(key)
            self._start_work(self.registry.by_id[team_id], now)
        else:
            self.outcomes[key].rejected += 1
            self._give_back(key, now)

    def _expire(self, now: datetime, payload: tuple[str, int]) -> None:
        key, attempt = payload
        route = self.routes[key]
        if route.status == "offered" and route.attempt == attempt:
            self.outcomes[key].expired += 1
            self._give_back(key, now)

    def _pickup(self, now: datetime, payload: tuple[str, int]) -> None:
        key, attempt = payload
        route = self.routes[key]
        if route.status != "queued" or route.attempt != attempt or route.team_id is None:
            return
        desk = self.desks[route.team_id]
        if not desk.is_waiting(key):
            return  # an agent has started it
        if self.strategy.overflow(route, self.tickets[key].profile, now):
            desk.withdraw(key)
            self.outcomes[key].taken_back += 1
            self._give_back(key, now)

    def _first_response(self, now: datetime, key: str) -> None:
        self.outcomes[key].first_response_at = now

    def _resolved(self, now: datetime, payload: tuple[str, str]) -> None:
        key, team_id = payload
        self.desks[team_id].finish(key)
        attempt = self.routes[key].attempt
        self.routes.resolve(key, team_id, now)
        self.outcomes[key].resolved_at = now
        team = self.registry.by_id[team_id]
        for when, event in self.reactions.resolved(key, team, self.outcomes[key], now, attempt):
            self._at(when, Kind.CUSTOMER, event)
        self._start_work(self.registry.by_id[team_id], now)
        self._drain([team_id], now)

    def _capacity(self, now: datetime, announcement: TeamCapacity) -> None:
        team = self.registry.by_id.get(announcement.team_id)
        if team is None:
            return
        self.book.capacity_changed(team.id, announcement)
        agents = announcement.agents_on_shift if announcement.online else 0
        self.desks[team.id].slots = agents * team.concurrency
        self._start_work(team, now)
        self._drain([team.id], now)

    def _hours(self, now: datetime, team: TeamProfile) -> None:
        self._start_work(team, now)
        self._drain([team.id], now)
        self._next_hours_change(team, now)

    def _next_hours_change(self, team: TeamProfile, now: datetime) -> None:
        if team.hours.always_open:
            return
        self._at(team.hours.state_at(now).until, Kind.HOURS, team)
