"""The books checker finds every kind of lost, doubled or misplaced effect."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from plumbing.deadletter import dead_letter
from schemas.base import Channel, Priority, SlaMetric, TeamKind, derive_id
from schemas.customers import Customer
from schemas.sla import SlaBreached
from schemas.tickets import (
    FirstResponse,
    MessageAdded,
    OfferRejected,
    TicketAssigned,
    TicketOpened,
    TicketReopened,
)
from switchboard.ledger import Expectations, Ledger, Record, check, summary

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DUE = timedelta(hours=4)


def email(message_id: str) -> Record:
    payload = {
        "message_id": message_id,
        "from": "anna@example.com",
        "to": ["help@shop.example.com"],
        "subject": "Parcel",
        "text": "Where is it?",
        "received_at": T0.isoformat(),
    }
    return Record("inbound.email", json.dumps(payload).encode())


def ticket(event: object) -> Record:
    return Record("tickets", event.to_json_bytes())  # type: ignore[attr-defined]


def opened(ticket_id: str, message_id: str) -> TicketOpened:
    return TicketOpened(
        event_id=derive_id("opened", ticket_id),
        occurred_at=T0,
        correlation_id="c",
        ticket_id=ticket_id,
        channel=Channel.EMAIL,
        source_message_id=message_id,
        customer=Customer(customer_key="c_1"),
        text="Where is it?",
        received_at=T0,
        language="en",
        skill="orders_shipping",
    )


def assigned(ticket_id: str, attempt: int, team: str = "tallinn-care") -> TicketAssigned:
    return TicketAssigned(
        event_id=derive_id("assigned", ticket_id, str(attempt)),
        occurred_at=T0 + timedelta(seconds=attempt),
        correlation_id="c",
        ticket_id=ticket_id,
        assignment_id=derive_id("assignment", ticket_id, str(attempt)),
        attempt=attempt,
        team_id=team,
        team_kind=TeamKind.IN_HOUSE,
        mode="queue",
        reason="skill",
    )


def answered(ticket_id: str, at: datetime) -> FirstResponse:
    return FirstResponse(
        event_id=uuid.uuid4(),
        occurred_at=at,
        correlation_id="c",
        ticket_id=ticket_id,
        assignment_id=derive_id("assignment", ticket_id, "1"),
        team_id="tallinn-care",
    )


def breach(ticket_id: str, number: int = 1) -> Record:
    event = SlaBreached(
        event_id=derive_id("breach", ticket_id, str(number)),
        occurred_at=T0 + DUE,
        correlation_id="c",
        ticket_id=ticket_id,
        metric=SlaMetric.FIRST_RESPONSE,
        deadline=T0 + DUE,
        budget_seconds=DUE.total_seconds(),
        policy_id="default",
        channel=Channel.EMAIL,
        priority=Priority.NORMAL,
    )
    return Record("sla", event.to_json_bytes())


def balanced_run() -> list[Record]:
    """Two emails (one delivered twice); one answered in time, one breached."""
    a, b = opened("t-a", "<a@x>"), opened("t-b", "<b@x>")
    return [
        email("<a@x>"),
        email("<a@x>"),
        email("<b@x>"),
        ticket(a),
        ticket(b),
        ticket(assigned("t-a", 1)),
        ticket(assigned("t-b", 1)),
        ticket(answered("t-a", T0 + timedelta(hours=1))),
        breach("t-b"),
    ]


EXPECT = Expectations(
    ended_at=T0 + timedelta(hours=6),
    first_response_deadline=lambda opened, _priority: opened.received_at + DUE,
)


def problems(records: list[Record], expect: Expectations = EXPECT) -> list[str]:
    return check(Ledger().read(records), expect)


def test_balanced_books_have_no_problems_and_count_everything() -> None:
    books = Ledger().read(balanced_run())
    assert check(books, EXPECT) == []
    totals = summary(books)
    assert totals["inbound messages (distinct)"] == 2
    assert totals["inbound deliveries"] == 3
    assert totals["tickets opened"] == 2
    assert totals["first-response breaches"] == 1


def test_an_event_delivered_twice_counts_once() -> None:
    records = balanced_run()
    books = Ledger().read([*records, records[-1], records[5]])
    assert check(books, EXPECT) == []
    assert books.duplicate_events == 2


def test_a_message_that_became_two_tickets_is_reported() -> None:
    found = problems([*balanced_run(), ticket(opened("t-c", "<a@x>"))])
    assert any("<a@x> became 2 ticket events" in p for p in found)


def test_a_lost_message_is_reported() -> None:
    found = problems([*balanced_run(), email("<lost@x>")])
    assert found == ["inbound <lost@x> became 0 ticket events"]


def test_two_live_assignments_are_reported_and_a_closed_offer_allows_the_next() -> None:
    doubled = problems([*balanced_run(), ticket(assigned("t-a", 2, "warsaw-care"))])
    assert any("still live" in p for p in doubled)
    rejected = OfferRejected(
        event_id=uuid.uuid4(),
        occurred_at=T0 + timedelta(minutes=1),
        correlation_id="c",
        ticket_id="t-a",
        assignment_id=derive_id("assignment", "t-a", "1"),
        team_id="tallinn-care",
        reason="no capacity",
    )
    rerouted = [*balanced_run(), ticket(rejected), ticket(assigned("t-a", 2, "warsaw-care"))]
    assert problems(rerouted) == []


def test_skipped_attempt_numbers_are_reported() -> None:
    rejected = OfferRejected(
        event_id=uuid.uuid4(),
        occurred_at=T0,
        correlation_id="c",
        ticket_id="t-a",
        assignment_id=derive_id("assignment", "t-a", "1"),
        team_id="tallinn-care",
        reason="no",
    )
    found = problems([*balanced_run(), ticket(rejected), ticket(assigned("t-a", 3))])
    assert any("attempt 3 after 1" in p for p in found)


def test_a_second_breach_of_the_same_metric_is_reported() -> None:
    found = problems([*balanced_run(), breach("t-b", number=2)])
    assert any("2 breaches of first_response" in p for p in found)


def test_each_clock_of_a_reopened_ticket_may_breach_once() -> None:
    def next_response(number: int, due: datetime) -> Record:
        event = SlaBreached(
            event_id=derive_id("next", str(number)),
            occurred_at=due,
            correlation_id="c",
            ticket_id="t-b",
            metric=SlaMetric.NEXT_RESPONSE,
            deadline=due,
            budget_seconds=3600,
            policy_id="default",
            channel=Channel.EMAIL,
            priority=Priority.NORMAL,
        )
        return Record("sla", event.to_json_bytes())

    first, second = T0 + timedelta(hours=2), T0 + timedelta(hours=5)
    assert problems([*balanced_run(), next_response(1, first), next_response(2, second)]) == []
    found = problems([*balanced_run(), next_response(1, first), next_response(2, first)])
    assert any("2 breaches of next_response due 27 11:00:00" in p for p in found)


def test_a_breach_for_a_ticket_answered_in_time_is_reported() -> None:
    found = problems([*balanced_run(), breach("t-a")])
    assert any("breach announced although answered" in p for p in found)


def test_an_answer_a_moment_before_the_deadline_makes_its_breach_wrongful() -> None:
    # t-a is answered an hour in; its breach says the deadline was a second later.
    late = SlaBreached.model_validate(
        {
            **SlaBreached.model_validate_json(breach("t-a").value or b"").model_dump(),
            "deadline": T0 + timedelta(hours=1, seconds=1),
        }
    )
    records = [*balanced_run(), Record("sla", late.to_json_bytes())]
    assert any("breach announced although answered" in p for p in problems(records))


def test_a_reopening_with_a_message_just_added_to_the_ticket_is_one_ticket_event() -> None:
    added = MessageAdded(
        event_id=derive_id("added", "<a2@x>"),
        occurred_at=T0 + timedelta(hours=2),
        correlation_id="c",
        ticket_id="t-a",
        channel=Channel.EMAIL,
        source_message_id="<a2@x>",
        text="And?",
        received_at=T0 + timedelta(hours=2),
    )
    reopened = TicketReopened(
        event_id=derive_id("reopened", "<a2@x>"),
        occurred_at=T0 + timedelta(hours=2),
        correlation_id="c",
        ticket_id="t-a",
        channel=Channel.EMAIL,
        source_message_id="<a2@x>",
        text="And?",
        received_at=T0 + timedelta(hours=2),
    )
    records = [*balanced_run(), email("<a2@x>"), ticket(added), ticket(reopened)]
    assert problems(records) == []
    # Reopening another ticket with it is still two ticket events for one message.
    elsewhere = reopened.model_copy(update={"ticket_id": "t-b", "event_id": uuid.uuid4()})
    assert any(
        "<a2@x> became 2 ticket events" in p for p in problems([*records, ticket(elsewhere)])
    )


def test_a_deadline_that_passed_unanswered_without_a_breach_is_reported() -> None:
    records = [r for r in balanced_run() if r.topic != "sla"]
    found = problems(records)
    assert found == [
        "ticket t-b: first response due 27 13:00:00, unanswered, but no breach was announced"
    ]
    not_yet_due = Expectations(
        ended_at=T0 + timedelta(hours=2), first_response_deadline=(EXPECT.first_response_deadline)
    )
    assert problems(records, not_yet_due) == []


def test_dead_letters_must_be_exactly_the_bad_inputs_fed_in() -> None:
    garbage = b"\xff not json"
    letter = dead_letter(
        service="ingest",
        source_topic="inbound.email",
        partition=0,
        offset=3,
        key=None,
        value=garbage,
        error_kind="undecodable_bytes",
        error="not UTF-8",
        now=T0,
    )
    records = [*balanced_run(), Record("inbound.email", garbage)]
    with_letter = [*records, Record("inbound.email.dlq", letter.to_json_bytes())]
    expect = Expectations(
        ended_at=EXPECT.ended_at,
        bad_inputs=frozenset({garbage}),
        first_response_deadline=EXPECT.first_response_deadline,
    )
    assert problems(with_letter, expect) == []
    assert any("never reached a dead-letter topic" in p for p in problems(records, expect))
    assert any("unexpected dead letter" in p for p in problems(with_letter, EXPECT))


def test_a_ticket_mixing_two_customers_is_reported() -> None:
    follow_up = MessageAdded(
        event_id=uuid.uuid4(),
        occurred_at=T0,
        correlation_id="c",
        ticket_id="t-a",
        channel=Channel.EMAIL,
        source_message_id="<b@x>",
        text="again",
        received_at=T0,
    )
    records = [r for r in balanced_run() if b"t-b" not in (r.value or b"")]
    records.append(ticket(follow_up))
    expect = Expectations(ended_at=T0, customer_of={"<a@x>": "anna", "<b@x>": "boris"})
    assert any("mixes the messages" in p for p in problems(records, expect))


@pytest.mark.parametrize("topic", ["tickets", "sla", "inbound.email.dlq"])
def test_unreadable_records_on_our_own_topics_are_reported(topic: str) -> None:
    assert any("unreadable record" in p for p in problems([Record(topic, b"{}")]))
