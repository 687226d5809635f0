"""Thin handlers: ticket events in, routing decisions out; and the backlog timer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from pydantic import ValidationError

from plumbing.logging import get_logger
from plumbing.processor import DeadLetterError, Record, Step
from schemas.tickets import (
    TICKET_EVENT,
    ClaimRefused,
    ClaimRequested,
    FirstResponse,
    OfferAccepted,
    OfferExpired,
    OfferRejected,
    PriorityChanged,
    TicketClaimed,
    TicketEvent,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
    TicketUnclaimed,
    UnclaimRequested,
)
from services.router import events
from services.router.claims import ClaimDesk
from services.router.domain import lifecycle
from services.router.domain.state import RouterRecord, TicketRoute
from services.router.routing import DrainMemo, Router

log = get_logger(__name__)

#: Events the in-house agents' claims handle (``services/router/claims.py``).
CLAIM_EVENTS = (
    ClaimRequested,
    UnclaimRequested,
    TicketClaimed,
    ClaimRefused,
    TicketUnclaimed,
    FirstResponse,
)
_OUTCOME = {
    "ticket.offer_rejected": "rejected",
    "ticket.offer_expired": "expired",
    "ticket.released": "released",
}


@dataclass
class RouteHandler:
    router: Router
    claims: ClaimDesk | None = None  # in-house agents' claims (services/router/claims.py)

    def __call__(self, record: Record, step: Step[RouterRecord]) -> None:
        try:
            event = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError as exc:
            raise DeadLetterError("schema_violation", str(exc)) from None
        with structlog.contextvars.bound_contextvars(
            ticket_id=event.ticket_id, correlation_id=event.correlation_id
        ):
            claims = self.claims is not None and isinstance(event, CLAIM_EVENTS)
            try:
                (self._claim if claims else self._handle)(event, step)
            except Exception:
                # The processor undoes this record's writes; keep the indexes in step.
                step.store.record_rollback()
                self.router.resync(step.partition, step.store)
                raise

    def _handle(self, event: TicketEvent, step: Step[RouterRecord]) -> None:
        router = self.router
        key = event.ticket_id
        state = router.ticket(step.store, key)
        match event:
            case TicketOpened() if state is None:
                opened = lifecycle.open_ticket(event, step.partition, router.sla)
                router.quality.opened(step, event, opened)
                router.save(step, key, None, router.route_or_wait(step, key, opened))
            case PriorityChanged() if state is not None:
                changed = lifecycle.reprioritise(state, event.priority, router.sla)
                router.save(step, key, state, changed)
            case OfferAccepted() if state is not None:
                accepted = lifecycle.accept(state, event.assignment_id)
                if accepted is None:
                    self._stale(event.type, key, state)
                    return
                router.metrics.offers.labels(event.team_id, "accepted").inc()
                router.save(step, key, state, accepted)
            case OfferRejected() | OfferExpired() | TicketReleased() if state is not None:
                self._give_back(event, step, state)
            case TicketResolved() if event.actor.kind == "partner" and (
                state is None or not lifecycle.matches(state, event.assignment_id)
            ):
                # A partner resolves only the assignment it holds: a late resolution (after
                # it released the ticket, or a retry after another team got it) is stale.
                self._stale(event.type, key, state)
            case TicketResolved() if state is not None and state.status != "resolved":
                router.save(step, key, state, router.resolve(step, key, state, event.team_id))
            case TicketReopened() if state is not None and state.status == "resolved":
                router.quality.reopened(step, state, event.received_at)
                reopened = lifecycle.reopen(state, event.text, event.received_at, router.sla)
                router.save(step, key, state, router.route_or_wait(step, key, reopened))
            case TicketReopened() if state is None:
                raise DeadLetterError(
                    "unknown_ticket",
                    "reopened ticket is unknown to the router (never opened, or resolved "
                    "longer ago than ROUTER_RESOLVED_RETENTION)",
                )
            case OfferAccepted() | OfferRejected() | TicketReleased():
                self._stale(event.type, key, state)
            case _ if state is None:
                # Never opened here (or an opened event that comes later), or forgotten.
                router.metrics.unknown_ticket_events.labels(event.type).inc()
            case _:
                # The router's own events, replies, follow-ups: nothing to route; a rating
                # counts towards the team's quality (once per ticket).
                router.quality.noticed(step, event, state)

    def _claim(self, event: TicketEvent, step: Step[RouterRecord]) -> None:
        state = self.router.ticket(step.store, event.ticket_id)
        if state is None and isinstance(event, FirstResponse):
            self.router.metrics.unknown_ticket_events.labels(event.type).inc()
            return
        assert self.claims is not None
        self.claims.on_event(event, step, state)

    def _give_back(
        self,
        event: OfferRejected | OfferExpired | TicketReleased,
        step: Step[RouterRecord],
        state: TicketRoute,
    ) -> None:
        router = self.router
        key = event.ticket_id
        if isinstance(event, OfferRejected) and state.status != "offered":
            returned = None  # an offer is rejected before it is accepted, never after
        else:
            returned = lifecycle.give_back(state, event.assignment_id, step.now)
        if returned is None:
            # Our own ticket.offer_expired comes back after the re-route: not news.
            # (and the system's ticket.released of a team that gave a waiting ticket up).
            if not (
                isinstance(event, OfferExpired | TicketReleased) and event.actor.kind == "system"
            ):
                self._stale(event.type, key, state)
            return
        router.metrics.offers.labels(event.team_id, _OUTCOME[event.type]).inc()
        reason = getattr(event, "reason", "offer expired")
        router.withdraw_from_queue(step, key, state, f"{event.type}: {reason}")
        log.info("ticket given back; routing again", team_id=event.team_id, event_type=event.type)
        router.save(step, key, state, router.route_or_wait(step, key, returned))

    def _stale(self, event_type: str, key: str, state: TicketRoute | None) -> None:
        self.router.metrics.stale_events.labels(event_type).inc()
        log.warning(
            "event about an assignment that is no longer live; nothing changes",
            event_type=event_type,
            status=state.status if state else "unknown ticket",
            ticket_id=key,
        )


class _RestoreOnFailure:
    """Timer work: on an exception, undo the step and rebuild the partition's indexes."""

    router: Router

    def __call__(self, step: Step[RouterRecord]) -> None:
        try:
            self.work(step)
        except Exception:
            step.store.record_rollback()
            step.outputs.clear()
            self.router.resync(step.partition, step.store)
            raise

    def work(self, step: Step[RouterRecord]) -> None:
        raise NotImplementedError


@dataclass
class OfferTimer(_RestoreOnFailure):
    """Expire the partition's offers that are due; forget long-resolved tickets."""

    router: Router
    resolved_retention: timedelta
    purge: bool = False

    def work(self, step: Step[RouterRecord]) -> None:
        router = self.router
        partition, now = step.partition, step.now
        for key in router.backlog.due_offers(partition, now):
            state = router.ticket(step.store, key)
            if state is None or state.status != "offered" or state.assignment_id is None:
                continue
            expired = events.offer_expired(key, state, now)
            step.emit(router.tickets_topic, expired.to_json_bytes(), key=key.encode())
            router.metrics.offers.labels(expired.team_id, "expired").inc()
            router.save(step, key, state, lifecycle.give_back(state, state.assignment_id, now))
        if self.purge:
            for key in router.backlog.resolved_before(partition, now - self.resolved_retention):
                router.save(step, key, router.ticket(step.store, key), None)


@dataclass
class BacklogDrain(_RestoreOnFailure):
    """Try to route the given pending tickets of one partition, in the given order."""

    router: Router
    keys: list[str]
    memo: DrainMemo

    def work(self, step: Step[RouterRecord]) -> None:
        router = self.router
        for key in self.keys:
            state = router.ticket(step.store, key)
            if state is None or state.status != "pending":
                continue
            routed = router.route(step, key, state, self.memo)
            if routed is not state:
                router.save(step, key, state, routed)
