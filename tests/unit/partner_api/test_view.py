"""The partner view of a ticket: what is kept, how assignments move, and that the view
always ends where the router ends."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.base import CustomerTier, SlaMetric, TeamKind
from schemas.config.partner_api import DEFAULT_FIELDS, PartnerField
from schemas.config.teams import DataPolicy
from schemas.partner_api import AssignmentStatus
from schemas.sla import SLA_EVENT
from schemas.tickets import (
    TICKET_EVENT,
    Actor,
    FirstResponse,
    OfferAccepted,
    OfferRejected,
    TicketEvent,
    TicketReleased,
    TicketResolved,
)
from services.router.partner_api.domain.minimise import Keep
from services.router.partner_api.domain.view import (
    MAX_MESSAGE_CHARS,
    MAX_MESSAGES,
    PartnerTicket,
    apply_sla_event,
    apply_ticket_event,
    fingerprint,
)
from tests.support.partner_events import (
    NOW,
    PARTNER,
    action,
    breached,
    expired,
    message,
    offered,
    opened,
)
from tests.unit.router.test_handlers import SATURDAY_NIGHT
from tests.unit.router.test_handlers import Desk as RouterDesk
from tests.unit.router.test_lifecycle import opened as router_opened

S = AssignmentStatus
HOUSE = DataPolicy(never_skills=["payments_billing"], never_tiers=[CustomerTier.VIP])
KEEP = Keep.union([DEFAULT_FIELDS], HOUSE)


def replay(*events: Any, keep: Keep = KEEP) -> PartnerTicket | None:
    record: PartnerTicket | None = None
    for event in events:
        if event.type.startswith("sla."):
            record = apply_sla_event(record, event, NOW)
        else:
            record = apply_ticket_event(record, event, NOW, keep)
    return record


def test_a_ticket_is_kept_minimised_from_the_moment_it_opens() -> None:
    record = replay(opened())
    assert record is not None
    assert record.facts is not None
    assert not record.partnered, "facts only: no partner was offered it yet"
    customer = record.facts.customer
    # No partner may see the e-mail or phone in clear: only their masks are kept.
    assert (customer.email, customer.email_masked) == (None, "k***@e***.com")
    assert (customer.phone, customer.phone_masked) == (None, "***67")
    assert customer.handle is None
    assert record.facts.order_value is None  # nobody may see order values
    assert (customer.name, customer.key, record.facts.order_id) == ("Kadri Tamm", "key-t-1", "4711")
    assert [m.text for m in record.facts.messages] == ["Order 4711 has not arrived."]


def test_what_one_partner_may_see_in_clear_is_kept_in_clear() -> None:
    keep = Keep.union(
        [DEFAULT_FIELDS, [PartnerField.CUSTOMER_EMAIL, PartnerField.ORDER_VALUE]], HOUSE
    )
    record = replay(opened(), keep=keep)
    assert record is not None
    assert record.facts is not None
    assert record.facts.customer.email == "kadri.tamm@example.com"
    assert (record.facts.order_value, record.facts.currency) == (Decimal("59.90"), "EUR")


def test_tickets_the_house_never_lets_out_are_not_kept_at_all() -> None:
    vip = opened(customer={"customer_key": "k", "name": "V", "tier": "vip"})
    dispute = opened(skill="payments_billing")
    assert replay(vip) is None
    assert replay(dispute) is None


def test_stuffed_events_leave_nothing_extra_in_the_view() -> None:
    raw = json.loads(opened().to_json_bytes())
    raw["customer"] |= {"date_of_birth": "1990-01-01", "iban": "EE38 2200 2210 2014 5685"}
    raw |= {"internal_notes": "VIP refund approved", "card_number": "4111 1111 1111 1111"}
    event = TICKET_EVENT.validate_json(json.dumps(raw))
    record = replay(event, offered())
    assert record is not None
    stored = record.model_dump_json()
    for secret in ("1990-01-01", "EE38", "VIP refund", "4111", "kadri.tamm@example.com"):
        assert secret not in stored


def test_an_offer_then_accept_respond_resolve() -> None:
    assigned = offered()
    accept = action(OfferAccepted, assigned)
    respond = action(FirstResponse, assigned, awaiting_customer=True)
    resolve = action(TicketResolved, assigned, resolution="sent a new parcel")
    record = replay(opened(), assigned, accept, respond, resolve)
    assert record is not None
    (mine,) = record.assignments
    assert mine.status is S.RESOLVED
    assert mine.respond_by == NOW + timedelta(hours=1)
    assert (mine.accepted_at, mine.first_response_at) == (accept.occurred_at, respond.occurred_at)
    assert mine.awaiting_customer
    assert record.resolved_at == resolve.occurred_at
    assert [(a.action.value, a.applied, a.key_id) for a in mine.actions] == [
        ("accept", True, "key-1"),
        ("first_response", True, "key-1"),
        ("resolve", True, "key-1"),
    ]
    assert mine.actions[2].fingerprint == fingerprint(
        mine.actions[2].action, assigned.assignment_id, {"resolution": "sent a new parcel"}
    )


def test_a_duplicate_event_changes_nothing() -> None:
    assigned = offered()
    accept = action(OfferAccepted, assigned)
    record = replay(opened(), assigned, accept)
    assert apply_ticket_event(record, accept, NOW, KEEP) is record
    assert apply_ticket_event(record, assigned, NOW, KEEP) is record


def test_of_two_racing_requests_the_first_in_the_log_wins() -> None:
    assigned = offered()
    reject = action(OfferRejected, assigned, reason="too busy")
    accept = action(OfferAccepted, assigned)
    record = replay(opened(), assigned, reject, accept)
    assert record is not None
    (mine,) = record.assignments
    assert mine.status is S.REJECTED
    assert mine.end_reason == "too busy"
    assert [(a.action.value, a.applied) for a in mine.actions] == [
        ("reject", True),
        ("accept", False),
    ]


def test_the_routers_expiry_wins_over_an_accept_it_had_not_read() -> None:
    assigned = offered()
    accept = action(OfferAccepted, assigned)
    record = replay(opened(), assigned, accept, expired(assigned))
    assert record is not None
    assert record.assignments[0].status is S.EXPIRED


def test_resolved_by_someone_else_withdraws_the_partner() -> None:
    assigned = offered()
    by_agent = action(TicketResolved, assigned, actor=Actor(kind="agent", id="anna"))
    other = by_agent.model_copy(update={"assignment_id": uuid.uuid4(), "team_id": "tallinn-care"})
    record = replay(opened(), assigned, action(OfferAccepted, assigned), other)
    assert record is not None
    assert record.assignments[0].status is S.WITHDRAWN
    assert record.assignments[0].end_reason == "resolved by another team"


def test_a_partners_late_resolution_of_a_released_ticket_is_ignored() -> None:
    assigned = offered()
    record = replay(
        opened(),
        assigned,
        action(OfferAccepted, assigned),
        action(TicketReleased, assigned),
        action(TicketResolved, assigned),
    )
    assert record is not None
    assert record.assignments[0].status is S.RELEASED
    assert record.resolved_at is None


def test_in_house_assignments_are_not_partner_data() -> None:
    record = replay(opened(), offered(team_id="tallinn-care", kind=TeamKind.IN_HOUSE))
    assert record is not None
    assert not record.partnered


def test_breaches_are_kept_for_partners_whatever_order_they_arrive_in() -> None:
    assigned = offered()
    breach = breached("t-1", SlaMetric.FIRST_RESPONSE, NOW + timedelta(hours=1))
    in_house = breached("t-1", SlaMetric.RESOLUTION, NOW, "tallinn-care", TeamKind.IN_HOUSE)
    early = replay(breach, opened(), assigned, in_house)
    late = replay(opened(), assigned, breach, in_house, breach)
    assert early is not None
    assert late is not None
    assert early.breaches == late.breaches
    assert [(b.metric, b.team_id) for b in late.breaches] == [(SlaMetric.FIRST_RESPONSE, PARTNER)]
    assert SLA_EVENT.validate_json(breach.to_json_bytes()) == breach


def test_the_conversation_is_bounded() -> None:
    events: list[Any] = [opened()]
    events += [message("t-1", f"chaser {n}", NOW + timedelta(minutes=n)) for n in range(60)]
    events.append(message("t-1", "x" * 10_000, NOW + timedelta(hours=2)))
    record = replay(*events)
    assert record is not None
    assert record.facts is not None
    texts = [m.text for m in record.facts.messages]
    assert len(texts) == MAX_MESSAGES
    assert texts[0] == "chaser 11"
    assert len(texts[-1]) == MAX_MESSAGE_CHARS
    assert texts[-1].endswith("…")


# -- the view agrees with the router ---------------------------------------------------
STEPS = ["accept", "reject", "respond", "resolve", "release", "repeat", "expire"]
KINDS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "accept": (OfferAccepted, {}),
    "reject": (OfferRejected, {"reason": "busy"}),
    "respond": (FirstResponse, {}),
    "resolve": (TicketResolved, {}),
    "release": (TicketReleased, {"reason": "wrong skill"}),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=st.lists(st.sampled_from(STEPS), min_size=1, max_size=8))
def test_the_view_ends_where_the_router_ends(script: list[str]) -> None:
    """Any sequence of partner events (stale, duplicated, racing the router's expiry) fed to
    the real router handler and to the view leaves both agreeing on the assignment."""
    desk = RouterDesk(SATURDAY_NIGHT)
    record: PartnerTicket | None = None

    def log(*events: TicketEvent) -> None:
        nonlocal record
        for event in events:
            record = apply_ticket_event(record, event, desk.now, KEEP)

    ticket = router_opened(language="en")
    outputs = desk.send(ticket)
    log(ticket, *outputs)
    (offer,) = outputs
    partner = Actor(kind="partner", id=offer.team_id, key_id="k")
    last: Any = None
    for step in script:
        if step == "expire":
            desk.now = offer.offer_expires_at + timedelta(seconds=1)
            log(*[e for e in desk.tick() if e.type.startswith("ticket.")])
            continue
        if step == "repeat":
            if last is None:
                continue
            event = last
        else:
            kind, fields = KINDS[step]
            event = action(kind, offer, at=desk.now, actor=partner, **fields)
        last = event
        log(event, *[e for e in desk.send(event) if e.type.startswith("ticket.")])

    route = desk.router.ticket(desk.store, offer.ticket_id)
    assert route is not None
    assert record is not None
    mine = record.assignments[0]
    holds = route.assignment_id == offer.assignment_id and route.status in ("offered", "accepted")
    expected = {
        S.OFFERED: ("offered", True),
        S.ACCEPTED: ("accepted", True),
        S.RESPONDED: ("accepted", True),
    }
    if mine.status in expected:
        assert (route.status, holds) == expected[mine.status], script
    elif mine.status is S.RESOLVED:
        assert route.status == "resolved", script
    else:
        assert not holds, script
        assert offer.team_id in route.declined, script
