"""The router's handler and timer on an in-memory store: what each event causes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from plumbing.processor import DeadLetterError, Step
from plumbing.store import StateStore
from schemas.base import Channel
from schemas.config import load_config
from schemas.queue import QUEUE_EVENT, QueuedTicket, QueuedTicketClosed, QueuedTicketWithdrawn
from schemas.tickets import (
    TICKET_EVENT,
    Actor,
    OfferAccepted,
    OfferRejected,
    RoutingStalled,
    TicketAssigned,
    TicketReleased,
    TicketResolved,
)
from services.router.backlog import Backlog
from services.router.domain.registry import Registry
from services.router.domain.state import RouterRecord
from services.router.handlers import BacklogDrain, OfferTimer, RouteHandler
from services.router.loadbook import LoadBook
from services.router.metrics import RouterMetrics
from services.router.routing import Router
from tests.conftest import SAMPLE_CONFIG
from tests.unit.router.test_lifecycle import opened

FRIDAY_NOON = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # everyone is open
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # only Manila works


@dataclass
class FakeRecord:
    value: bytes | None
    topic: str = "tickets"
    partition: int = 0
    offset: int = 0
    key: bytes | None = None


class Desk:
    """One partition of the router, driven by hand."""

    def __init__(self, now: datetime = FRIDAY_NOON) -> None:
        config = load_config(SAMPLE_CONFIG)
        registry = Registry(config.teams, config.outsourcing)
        self.router = Router(
            config=config,
            registry=registry,
            book=LoadBook(registry, max_unconfirmed=0),
            backlog=Backlog(),
            tickets_topic="tickets",
            topic=lambda name: name,
            metrics=RouterMetrics(CollectorRegistry()),
        )
        self.handler = RouteHandler(self.router)
        self.store = StateStore[RouterRecord]()
        self.router.resync(0, self.store)
        self.now = now

    def send(self, event: Any) -> list[Any]:
        step = Step[RouterRecord](partition=0, store=self.store, now=self.now)
        self.handler(FakeRecord(event.to_json_bytes()), step)
        self.store.commit()
        return self._decode(step)

    def tick(self) -> list[Any]:
        step = Step[RouterRecord](partition=0, store=self.store, now=self.now)
        OfferTimer(self.router, timedelta(days=7))(step)
        for _, keys in self.router.backlog.merged([0]):
            BacklogDrain(self.router, keys, {})(step)
        self.store.commit()
        return self._decode(step)

    @staticmethod
    def _decode(step: Step[RouterRecord]) -> list[Any]:
        return [
            (QUEUE_EVENT if out.topic.startswith("queue.") else TICKET_EVENT).validate_json(
                out.value or b""
            )
            for out in step.outputs
        ]


def action(kind: type, assigned: TicketAssigned, **fields: Any) -> Any:
    return kind(
        event_id=uuid.uuid4(),
        occurred_at=assigned.occurred_at,
        correlation_id="c-1",
        ticket_id=assigned.ticket_id,
        assignment_id=assigned.assignment_id,
        team_id=assigned.team_id,
        **fields,
    )


def test_an_opened_ticket_is_assigned_in_house_and_queued() -> None:
    desk = Desk()
    out = desk.send(opened(channel=Channel.EMAIL, language="et"))
    assigned, queued = out
    assert isinstance(assigned, TicketAssigned)
    assert (assigned.team_id, assigned.mode, assigned.attempt) == ("tallinn-care", "queue", 1)
    assert assigned.sla_budget_seconds == 4 * 3600
    assert assigned.alternatives[0].team_id == "tallinn-care"
    assert isinstance(queued, QueuedTicket)
    assert queued.first_response_due == FRIDAY_NOON + timedelta(hours=4)
    assert desk.send(opened(channel=Channel.EMAIL, language="et")) == []  # duplicate


def test_a_rejected_offer_goes_elsewhere_and_an_expired_one_too() -> None:
    desk = Desk(SATURDAY_NIGHT)
    (offer,) = desk.send(opened(language="en"))
    assert (offer.team_id, offer.mode) == ("manila-247", "offer")
    assert offer.offer_expires_at == SATURDAY_NIGHT + timedelta(minutes=5)
    out = desk.send(action(OfferRejected, offer, reason="no capacity"))
    # Nobody else is open on Saturday night: stalled, never back to Manila.
    assert [type(e) for e in out] == [RoutingStalled]
    assert "gave this ticket back before" in out[0].reason
    # Monday morning Tallinn opens and the backlog drains.
    desk.now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assigned, _ = desk.tick()
    assert (assigned.team_id, assigned.attempt) == ("tallinn-care", 2)


def test_offer_expiry_fires_from_the_timer_once() -> None:
    desk = Desk(SATURDAY_NIGHT)
    (offer,) = desk.send(opened(language="en"))
    assert desk.tick() == []  # not due yet
    desk.now += timedelta(minutes=5)
    out = desk.tick()
    assert [e.type for e in out] == ["ticket.offer_expired", "ticket.routing_stalled"]
    assert out[0].assignment_id == offer.assignment_id
    assert desk.tick() == []
    # Our own expiry event coming back through the topic changes nothing.
    assert desk.send(out[0]) == []


def test_release_withdraws_from_the_queue_and_reroutes_then_a_partner_accepts() -> None:
    desk = Desk()
    assigned, _ = desk.send(opened(language="en"))
    assert assigned.team_id == "tallinn-care"
    withdrawn, reassigned, queued = desk.send(action(TicketReleased, assigned, reason="wrong"))
    assert isinstance(withdrawn, QueuedTicketWithdrawn)
    assert (withdrawn.team_id, withdrawn.assignment_id) == ("tallinn-care", assigned.assignment_id)
    assert (reassigned.team_id, reassigned.attempt) == ("warsaw-care", 2)
    assert isinstance(queued, QueuedTicket)
    _, offer = desk.send(action(TicketReleased, reassigned, reason="wrong again"))
    # In-house gave it back twice: a partner gets the offer; Riga before the cheaper Manila
    # because its contract promises it 10% of the day's tickets and it has none yet.
    assert (offer.team_id, offer.mode) == ("nearshore-bpo", "offer")
    assert "in-house Tallinn Customer Care gave this ticket back before" in offer.reason
    assert desk.send(action(OfferAccepted, offer)) == []
    state = desk.router.ticket(desk.store, offer.ticket_id)
    assert state is not None
    assert (state.status, state.declined) == ("accepted", ("tallinn-care", "warsaw-care"))


def test_resolution_closes_the_queue_entry_and_records_the_handle_time() -> None:
    desk = Desk()
    assigned, _ = desk.send(opened(language="en"))
    desk.now += timedelta(minutes=8)
    (closed,) = desk.send(action(TicketResolved, assigned))
    assert isinstance(closed, QueuedTicketClosed)
    tallinn = desk.router.registry.by_id["tallinn-care"]
    load = desk.router.book.load(tallinn, desk.now)
    assert load.open == 0
    assert load.handle_seconds == pytest.approx((10 * 720 + 480) / 11)


def test_stale_actions_change_nothing_and_unknown_reopens_are_dead_lettered() -> None:
    desk = Desk()
    assigned, _ = desk.send(opened(language="en"))
    stale = action(OfferAccepted, assigned.model_copy(update={"assignment_id": uuid.uuid4()}))
    assert desk.send(stale) == []
    state = desk.router.ticket(desk.store, assigned.ticket_id)
    assert state is not None
    assert state.status == "queued"
    reopened = TICKET_EVENT.validate_python(
        {
            "type": "ticket.reopened",
            "event_id": str(uuid.uuid4()),
            "occurred_at": FRIDAY_NOON.isoformat(),
            "correlation_id": "c-9",
            "ticket_id": "never-seen",
            "channel": "email",
            "source_message_id": "m-9",
            "text": "again",
            "received_at": FRIDAY_NOON.isoformat(),
        }
    )
    with pytest.raises(DeadLetterError) as refused:
        desk.send(reopened)
    assert refused.value.kind == "unknown_ticket"
    with pytest.raises(DeadLetterError):
        desk.handler(FakeRecord(b"not json"), Step(partition=0, store=desk.store, now=desk.now))


def test_a_partner_resolution_counts_only_for_the_assignment_it_holds() -> None:
    desk = Desk(SATURDAY_NIGHT)
    (offer,) = desk.send(opened(language="en"))
    partner = Actor(kind="partner", id=offer.team_id, key_id="k1")
    desk.send(action(OfferAccepted, offer, actor=partner))
    desk.send(action(TicketReleased, offer, reason="wrong skill", actor=partner))
    # The partner's late resolution (a retry after it gave the ticket back) is stale:
    # the ticket stays with the router, waiting for another team.
    late = action(TicketResolved, offer, actor=partner)
    assert desk.send(late) == []
    state = desk.router.ticket(desk.store, offer.ticket_id)
    assert state is not None
    assert state.status == "pending"
    stale = desk.router.metrics.stale_events.labels("ticket.resolved")._value.get()
    assert stale == 1
    # An agent or supervisor (not a partner) may still close it.
    desk.send(action(TicketResolved, offer))
    state = desk.router.ticket(desk.store, offer.ticket_id)
    assert state is not None
    assert state.status == "resolved"


def test_an_accepted_offer_cannot_be_rejected_only_released() -> None:
    desk = Desk(SATURDAY_NIGHT)
    (offer,) = desk.send(opened(language="en"))
    desk.send(action(OfferAccepted, offer))
    # Two partner API instances raced: the accept got into the log first.
    assert desk.send(action(OfferRejected, offer, reason="too late")) == []
    state = desk.router.ticket(desk.store, offer.ticket_id)
    assert state is not None
    assert state.status == "accepted"
    assert desk.router.metrics.stale_events.labels("ticket.offer_rejected")._value.get() == 1
