"""The router's side of the in-house agents' claims: decisions in the ticket's partition
transaction, and the events they make. ``domain.claims`` decides; this module reads the
state, the presence roster and the holdings, and writes the outcome:

* on ``tickets``: ``ticket.claimed``, ``ticket.claim_refused``, ``ticket.unclaimed``,
  and ``ticket.released`` (by the system) when the team gives a waiting ticket up;
* on ``queue.<team>``: ``queue.ticket_claimed``, ``queue.ticket_unclaimed`` and
  ``queue.claim_refused``, so every terminal of the team sees who holds what.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from plumbing.logging import get_logger
from plumbing.processor import Step
from schemas.base import derive_id
from schemas.config.teams import TeamConfig
from schemas.queue import QueuedClaimRefused, QueuedTicketClaimed, QueuedTicketUnclaimed
from schemas.tickets import (
    SYSTEM,
    Actor,
    ClaimHow,
    ClaimRefused,
    ClaimRequested,
    FirstResponse,
    RefusalReason,
    TicketClaimed,
    TicketEvent,
    TicketReleased,
    TicketUnclaimed,
    UnclaimReason,
    UnclaimRequested,
)
from schemas.topics import queue_name
from services.router.changelog import RouterRecord
from services.router.claim_metrics import ClaimMetrics
from services.router.domain import claims, lifecycle
from services.router.domain.budget import budget_left
from services.router.domain.load import predicted_wait
from services.router.domain.policy import decide
from services.router.domain.presence import Roster
from services.router.domain.state import TicketRoute
from services.router.holdings import Holdings
from services.router.routing import Router

log = get_logger(__name__)


@dataclass
class ClaimDesk:
    router: Router
    teams: dict[str, TeamConfig]  # in-house teams
    roster: Roster
    holdings: Holdings
    metrics: ClaimMetrics
    monotonic: Callable[[], float] = time.monotonic
    _live: dict[str, int | None] = field(default_factory=dict)
    #: Ticket -> the agent it was taken from for not answering: the distribution gives it
    #: to a colleague while one has room (this instance's memory; a restart forgets it).
    _quiet: dict[str, str] = field(default_factory=dict)

    # -- what the decisions read -------------------------------------------------------
    def limit(self, team_id: str) -> Callable[[str], int]:
        team = self.teams[team_id]
        return team.agent_limit

    def seat(self, team_id: str, agent_id: str) -> claims.Seat:
        return claims.Seat(
            agent_id=agent_id,
            standing=self.roster.standing(team_id, agent_id, self.monotonic()),
            held=self.holdings.held(team_id, agent_id),
            limit=self.teams[team_id].agent_limit(agent_id),
            last_claimed=self.holdings.last_claimed.get((team_id, agent_id), float("-inf")),
        )

    def seats(self, team_id: str) -> list[claims.Seat]:
        return [self.seat(team_id, agent) for agent in self.roster.agents(team_id)]

    def choose(self, key: str, team_id: str, seats: list[claims.Seat]) -> claims.Seat | None:
        """Who gets the waiting ticket ``key`` by the team's distribution, if anyone."""
        distribution = self.teams[team_id].claims.distribution
        quiet = self._quiet.get(key)
        if quiet is not None:
            others = claims.pick([s for s in seats if s.agent_id != quiet], distribution)
            if others is not None:
                return others
        return claims.pick(seats, distribution)

    def live_slots(self, team_id: str) -> int | None:
        """The load view's capacity of an in-house team whose agents announce presence."""
        if team_id not in self.teams:
            return None
        return self.roster.live_slots(team_id, self.limit(team_id), self.monotonic())

    def presence_moved(self) -> list[str]:
        """Teams whose live capacity changed since the last look (an agent came, went,
        or its heartbeat stopped): the load view must recompute them."""
        moved = []
        for team_id in self.teams:
            live = self.live_slots(team_id)
            if self._live.get(team_id, -1) != live:
                self._live[team_id] = live
                moved.append(team_id)
        return moved

    # -- events the router reads on ``tickets`` ----------------------------------------
    def on_event(
        self, event: TicketEvent, step: Step[RouterRecord], state: TicketRoute | None
    ) -> None:
        match event:
            case ClaimRequested():
                self.on_request(event, step, state)
            case UnclaimRequested():
                self.on_unclaim_request(event, step, state)
            case FirstResponse() if state is not None:
                self.on_first_response(event, step, state)
            case _:
                pass  # the router's own decisions read back (claimed, refused, unclaimed)

    def on_request(
        self, event: ClaimRequested, step: Step[RouterRecord], state: TicketRoute | None
    ) -> None:
        agent = event.actor.id
        if event.team_id not in self.teams:
            self._refuse(event, step, state, "not_queued")
            return
        seat = self.seat(event.team_id, agent)
        reason = claims.refusal(state, event.team_id, event.assignment_id, seat)
        if reason is not None:
            self._refuse(event, step, state, reason)
            return
        assert state is not None
        if state.hold is None:  # a repeated request of the holder changes nothing
            self.grant(step, event.ticket_id, state, seat, "requested", request_id=event.event_id)

    def on_unclaim_request(
        self, event: UnclaimRequested, step: Step[RouterRecord], state: TicketRoute | None
    ) -> None:
        if (
            state is None
            or state.hold is None
            or state.hold.agent_id != event.actor.id
            or state.assignment_id != event.assignment_id
        ):
            self.router.metrics.stale_events.labels(event.type).inc()
            return
        self.release(step, event.ticket_id, state, "released")

    def on_first_response(
        self, event: FirstResponse, step: Step[RouterRecord], state: TicketRoute
    ) -> None:
        hold = state.hold
        if state.status != "queued" or state.assignment_id != event.assignment_id:
            return
        answered = claims.answered(state)
        if answered is None:
            return
        self.router.save(step, event.ticket_id, state, answered)
        if hold is None or state.team_id is None:
            return
        self.metrics.answered.labels(state.team_id, hold.agent_id).inc()
        held_for = max((step.now - hold.since).total_seconds(), 0.0)
        self.metrics.first_response.labels(state.team_id, hold.agent_id).observe(held_for)

    # -- decisions ---------------------------------------------------------------------
    def grant(
        self,
        step: Step[RouterRecord],
        key: str,
        state: TicketRoute,
        seat: claims.Seat,
        how: ClaimHow,
        *,
        request_id: uuid.UUID | None = None,
    ) -> TicketRoute:
        assert state.team_id is not None
        assert state.assignment_id is not None
        now = step.now
        held = claims.claim(state, seat.agent_id, now)
        common = self._common(key, state, now)
        self._emit(
            step,
            key,
            TicketClaimed(
                event_id=derive_id(
                    "ticket.claimed", str(state.assignment_id), seat.agent_id, _t(now)
                ),
                agent_id=seat.agent_id,
                how=how,
                request_id=request_id,
                held=seat.held + 1,
                limit=seat.limit,
                **common,
            ),
        )
        self._to_queue(
            step,
            state.team_id,
            key,
            QueuedTicketClaimed(
                event_id=derive_id(
                    "queue.ticket_claimed", str(state.assignment_id), seat.agent_id, _t(now)
                ),
                agent_id=seat.agent_id,
                how=how,
                answered=state.answered,
                **self._queue_common(key, state, now),
            ),
        )
        self.router.save(step, key, state, held)
        self._quiet.pop(key, None)
        self.metrics.claims.labels(state.team_id, how).inc()
        return held

    def release(
        self, step: Step[RouterRecord], key: str, state: TicketRoute, reason: UnclaimReason
    ) -> TicketRoute:
        """The holder lets go (or loses) the ticket: it waits in the team's queue again."""
        hold = state.hold
        assert hold is not None
        assert state.team_id is not None
        now = step.now
        tag = (str(state.assignment_id), hold.agent_id, _t(hold.since))
        self._emit(
            step,
            key,
            TicketUnclaimed(
                event_id=derive_id("ticket.unclaimed", *tag),
                agent_id=hold.agent_id,
                reason=reason,
                held_seconds=round(max((now - hold.since).total_seconds(), 0.0), 3),
                **self._common(key, state, now),
            ),
        )
        self._to_queue(
            step,
            state.team_id,
            key,
            QueuedTicketUnclaimed(
                event_id=derive_id("queue.ticket_unclaimed", *tag),
                agent_id=hold.agent_id,
                reason=reason,
                **self._queue_common(key, state, now),
            ),
        )
        waiting = claims.unclaim(state)
        self.router.save(step, key, state, waiting)
        if reason == "no_first_response":
            self._quiet[key] = hold.agent_id
        self.metrics.returned.labels(state.team_id, reason).inc()
        log.info("ticket back in the team's queue", agent_id=hold.agent_id, reason=reason)
        return waiting

    def give_up_terms(self, team_id: str, now: datetime) -> tuple[int, float]:
        """The team's agents online and its predicted wait now: what ``team_gives_up``
        weighs against each waiting ticket's time left."""
        team = self.router.registry.by_id[team_id]
        online = self.roster.counts(team_id, self.monotonic())["online"]
        return online, predicted_wait(team, self.router.book.load(team, now))

    def team_gives_up(self, state: TicketRoute, now: datetime) -> str | None:
        """Why a waiting ticket should leave its team now, or None. Only for another
        team that can take it now: a ticket nobody else may have (a data policy, a skill
        only this team has) stays for this team's next free agent."""
        assert state.team_id is not None
        online, wait = self.give_up_terms(state.team_id, now)
        budget = budget_left(state.facts.first_response_due, now)
        if not claims.team_gives_up(online, wait, budget):
            return None
        request = lifecycle.routing_request(state, now)
        # Rings already open for the ticket stay open elsewhere (waited_seconds kept).
        elsewhere = dataclasses.replace(request, declined=request.declined | {state.team_id})
        if decide(self.router.registry, elsewhere, self.router.book, now).team is None:
            return None
        if online == 0:
            return "no_agent_online"
        return "deadline_out_of_reach"

    def give_up(self, step: Step[RouterRecord], key: str, state: TicketRoute, reason: str) -> None:
        """The team cannot take the waiting ticket in time: the router routes it again, as
        if the team had released it (it is never offered to this team again)."""
        assert state.team_id is not None
        assert state.assignment_id is not None
        released = TicketReleased(
            event_id=derive_id("ticket.released.team_gave_up", str(state.assignment_id)),
            reason=f"team_gave_up: {reason}",
            **self._common(key, state, step.now, SYSTEM),
        )
        self._emit(step, key, released)
        self.router.withdraw_from_queue(step, key, state, released.reason)
        returned = lifecycle.give_back(state, state.assignment_id, step.now)
        assert returned is not None
        self.router.metrics.offers.labels(state.team_id, "released").inc()
        self.metrics.given_up.labels(state.team_id, reason).inc()
        log.info("team gave a waiting ticket up; routing again", team_id=state.team_id, why=reason)
        self.router.save(step, key, state, self.router.route_or_wait(step, key, returned))

    # -- helpers -----------------------------------------------------------------------
    def _refuse(
        self,
        event: ClaimRequested,
        step: Step[RouterRecord],
        state: TicketRoute | None,
        reason: RefusalReason,
    ) -> None:
        holder = state.hold.agent_id if state is not None and state.hold is not None else None
        refused = ClaimRefused(
            event_id=derive_id("ticket.claim_refused", str(event.event_id)),
            occurred_at=step.now,
            correlation_id=event.correlation_id,
            ticket_id=event.ticket_id,
            assignment_id=event.assignment_id,
            team_id=event.team_id,
            agent_id=event.actor.id,
            request_id=event.event_id,
            reason=reason,
            holder=holder,
        )
        self._emit(step, event.ticket_id, refused)
        if event.team_id in self.teams:
            self._to_queue(
                step,
                event.team_id,
                event.ticket_id,
                QueuedClaimRefused(
                    event_id=derive_id("queue.claim_refused", str(event.event_id)),
                    occurred_at=step.now,
                    correlation_id=event.correlation_id,
                    ticket_id=event.ticket_id,
                    assignment_id=event.assignment_id,
                    team_id=event.team_id,
                    agent_id=event.actor.id,
                    request_id=event.event_id,
                    reason=reason,
                    holder=holder,
                ),
            )
        self.metrics.refused.labels(event.team_id, reason).inc()

    @staticmethod
    def _common(
        key: str, state: TicketRoute, now: datetime, actor: Actor = SYSTEM
    ) -> dict[str, object]:
        assert state.assignment_id is not None
        assert state.team_id is not None
        return {
            "occurred_at": now,
            "correlation_id": state.facts.correlation_id,
            "ticket_id": key,
            "assignment_id": state.assignment_id,
            "team_id": state.team_id,
            "actor": actor,
        }

    @staticmethod
    def _queue_common(key: str, state: TicketRoute, now: datetime) -> dict[str, object]:
        assert state.assignment_id is not None
        assert state.team_id is not None
        return {
            "occurred_at": now,
            "correlation_id": state.facts.correlation_id,
            "ticket_id": key,
            "assignment_id": state.assignment_id,
            "team_id": state.team_id,
        }

    def _emit(self, step: Step[RouterRecord], key: str, event: object) -> None:
        payload = event.to_json_bytes()  # type: ignore[attr-defined]
        step.emit(self.router.tickets_topic, payload, key=key.encode())

    def _to_queue(self, step: Step[RouterRecord], team_id: str, key: str, event: object) -> None:
        payload = event.to_json_bytes()  # type: ignore[attr-defined]
        step.emit(self.router.topic(queue_name(team_id)), payload, key=key.encode())


def _t(moment: datetime) -> str:
    return moment.isoformat()
