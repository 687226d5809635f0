"""Ticket routing state: budgets, offers, give-backs, resolutions, reopening."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schemas.base import Channel, CustomerTier, Priority
from schemas.config import load_config
from schemas.customers import Customer
from schemas.tickets import TicketOpened
from services.router.domain import lifecycle
from services.router.domain.budget import SlaTargets, budget_left
from services.router.domain.registry import Registry
from services.router.domain.state import assignment_id
from tests.conftest import SAMPLE_CONFIG

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CONFIG = load_config(SAMPLE_CONFIG)
REGISTRY = Registry(CONFIG.teams, CONFIG.outsourcing)
TARGETS = SlaTargets.from_config(CONFIG.sla)


def opened(**overrides: object) -> TicketOpened:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "occurred_at": NOW,
        "correlation_id": "c-1",
        "ticket_id": "t-1",
        "channel": Channel.CHAT,
        "source_message_id": "m-1",
        "customer": Customer(customer_key="c_1", name="Kadri"),
        "text": "Where is my parcel?",
        "received_at": NOW,
        "language": "en",
        "skill": "orders_shipping",
    }
    fields.update(overrides)
    return TicketOpened.model_validate(fields)


def test_budget_comes_from_the_first_matching_sla_policy() -> None:
    state = lifecycle.open_ticket(opened(), 0, TARGETS)
    assert state.facts.first_response_due == NOW + timedelta(minutes=2)  # chat: PT2M
    email = lifecycle.open_ticket(opened(channel=Channel.EMAIL), 0, TARGETS)
    assert email.facts.first_response_due == NOW + timedelta(hours=4)  # default
    request = lifecycle.routing_request(state, NOW + timedelta(seconds=30))
    assert request.budget_seconds == 90
    assert budget_left(state.facts.first_response_due, NOW + timedelta(hours=1)) == 0
    policy = TARGETS.first_response_policy(
        channel=Channel.SOCIAL,
        priority=Priority.LOW,
        tier=CustomerTier.VIP,
        marketplace=None,
        received_at=NOW,
    )
    assert policy.id == "default"


def test_the_budget_follows_the_season_and_its_business_calendar() -> None:
    # Christmas season: standard email gets 8 working hours of the Tallinn office
    # (Mon-Fri 08:00-12:00 and 12:30-18:00 local, UTC+2 in winter).
    friday_evening = datetime(2026, 12, 25, 15, 0, tzinfo=UTC)  # 17:00 local, Christmas Day
    state = lifecycle.open_ticket(
        opened(channel=Channel.EMAIL, received_at=friday_evening), 0, TARGETS
    )
    # Christmas Day and Boxing Day (Saturday) are Estonian holidays; Sunday is closed:
    # the 8 hours run Monday 28 Dec 08:00-12:00 and 12:30-16:30 local.
    assert state.facts.first_response_due == datetime(2026, 12, 28, 14, 30, tzinfo=UTC)
    before_season = lifecycle.open_ticket(
        opened(channel=Channel.EMAIL, received_at=datetime(2026, 12, 18, 15, 0, tzinfo=UTC)),
        0,
        TARGETS,
    )
    assert before_season.facts.first_response_due == datetime(
        2026, 12, 18, 19, 0, tzinfo=UTC
    )  # base policy: 4 calendar hours


def test_a_marketplace_reply_deadline_tightens_the_budget() -> None:
    deadline = NOW + timedelta(hours=1)
    state = lifecycle.open_ticket(
        opened(channel=Channel.MARKETPLACE, marketplace="allegro", reply_deadline=deadline),
        0,
        TARGETS,
    )
    assert state.facts.first_response_due == deadline  # not the policy's 12 h
    reprioritised = lifecycle.reprioritise(state, Priority.HIGH, TARGETS)
    assert reprioritised.facts.first_response_due == deadline
    assert reprioritised.facts.priority is Priority.HIGH


def test_offer_accept_reject_and_never_back_to_the_same_team() -> None:
    partner = REGISTRY.by_id["nearshore-bpo"]
    state = lifecycle.assign(lifecycle.open_ticket(opened(), 0, TARGETS), "t-1", partner, NOW)
    assert state.status == "offered"
    assert state.offer_expires_at == NOW + timedelta(minutes=3)
    assert state.assignment_id == assignment_id("t-1", 1)
    assert lifecycle.accept(state, uuid.uuid4()) is None  # someone else's offer
    accepted = lifecycle.accept(state, state.assignment_id)
    assert accepted is not None
    assert accepted.status == "accepted"
    assert accepted.holds_slot
    assert lifecycle.accept(accepted, state.assignment_id) is None  # already accepted
    released = lifecycle.give_back(accepted, state.assignment_id, NOW)
    assert released is not None
    assert released.status == "pending"
    assert released.declined == ("nearshore-bpo",)
    assert lifecycle.routing_request(released, NOW).declined == {"nearshore-bpo"}
    assert lifecycle.give_back(released, state.assignment_id, NOW) is None  # no longer live
    again = lifecycle.assign(released, "t-1", REGISTRY.by_id["manila-247"], NOW)
    assert again.attempt == 2
    assert again.assignment_id != state.assignment_id


def test_resolve_then_reopen_starts_a_new_clock_without_the_old_text() -> None:
    team = REGISTRY.by_id["tallinn-care"]
    state = lifecycle.assign(lifecycle.open_ticket(opened(), 0, TARGETS), "t-1", team, NOW)
    assert state.status == "queued"
    later = NOW + timedelta(minutes=9)
    assert lifecycle.held_seconds(state, later) == 540
    resolved = lifecycle.resolve(state, later)
    assert not resolved.holds_slot
    assert resolved.facts.text == ""
    reopened = lifecycle.reopen(resolved, "It broke again", NOW + timedelta(days=1), TARGETS)
    assert reopened.status == "pending"
    assert reopened.facts.text == "It broke again"
    assert reopened.facts.first_response_due == NOW + timedelta(days=1, minutes=2)


@pytest.mark.parametrize(
    ("priority", "minutes_old", "before"),
    [(Priority.URGENT, 0, True), (Priority.NORMAL, 10, True), (Priority.LOW, 60, False)],
)
def test_backlog_order_is_priority_then_age(
    priority: Priority, minutes_old: int, before: bool
) -> None:
    reference = lifecycle.open_ticket(opened(priority=Priority.NORMAL), 0, TARGETS)
    other = lifecycle.open_ticket(
        opened(priority=priority, received_at=NOW - timedelta(minutes=minutes_old)), 0, TARGETS
    )
    assert (lifecycle.backlog_order(other) < lifecycle.backlog_order(reference)) is before
