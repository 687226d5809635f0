"""De-duplication, threading, reopening and repeat contacts: scenarios and invariants."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.ingest import IngestConfig, ThreadingConfig
from schemas.ingest import NormalisedMessage, TicketStatusChanged
from schemas.tickets import MessageAdded, PriorityChanged, TicketOpened, TicketReopened
from services.ingest.domain.enrich import Classification, Enricher
from services.ingest.domain.language import LanguageGuess
from services.ingest.domain.memory import CustomerMemory
from services.ingest.domain.priority import Signal
from services.ingest.domain.skills import SkillDecision
from services.ingest.domain.threads import Outcome, apply_status, take_message
from services.ingest.validation import accept
from tests.support.ingest import PAYLOADS, at, encoded, message


@dataclass(frozen=True)
class RealClassifier:
    """The service's enricher for a standard-tier customer."""

    enricher: Enricher

    def classify(self, message: NormalisedMessage) -> Classification:
        return self.enricher.classify(message, (CustomerTier.STANDARD, ""))

    def frustration(self, text: str, language: str) -> Signal | None:
        return self.enricher.frustration(text, language)


@dataclass(frozen=True)
class FakeClassifier:
    """Skill from one word of the text; fast, for the property tests."""

    def classify(self, message: NormalisedMessage) -> Classification:
        skill = next((w for w in ("parcel", "refund") if w in message.text), None)
        return Classification(
            language=LanguageGuess("en", 0.9),
            skill=SkillDecision(
                skill or "product_question", 1.0 if skill else 0.0, (), (), skill is not None
            ),
            needs=(),
            tier=CustomerTier.STANDARD,
            signals=(),
        )

    def frustration(self, text: str, language: str) -> Signal | None:
        return Signal("frustration", 1, "frustration: angry") if "angry" in text else None


def inbound(channel: Channel, **fields: Any) -> NormalisedMessage:
    """A channel payload through the service's own validation and normalisation."""
    payload = PAYLOADS[channel](**fields)
    return accept(channel, encoded(payload), 1 << 20, f"inbound.{channel.value}", ["en"])


class Customer:
    """One customer's memory, fed message by message like the threader does."""

    def __init__(self, classifier: Any, config: IngestConfig) -> None:
        self.memory: CustomerMemory | None = None
        self.classifier = classifier
        self.config = config

    def send(self, msg: NormalisedMessage, now: datetime | None = None) -> Outcome:
        outcome = take_message(
            self.memory, msg, now or msg.received_at, self.classifier, self.config
        )
        self.memory = outcome.memory
        return outcome

    def status(
        self,
        ticket_id: str,
        status: Literal["resolved", "reopened"],
        changed_at: datetime,
        team_id: str | None = None,
    ) -> Outcome:
        change = TicketStatusChanged(
            event_id=uuid.uuid4(),
            occurred_at=changed_at,
            correlation_id="status",
            customer_key="c_1",
            ticket_id=ticket_id,
            status=status,
            changed_at=changed_at,
            source_event_id="e",
            team_id=team_id,
        )
        outcome = apply_status(self.memory, change, changed_at)
        self.memory = outcome.memory
        return outcome


@pytest.fixture
def customer(enricher: Enricher, sample_config: Any) -> Customer:
    return Customer(RealClassifier(enricher), sample_config.ingest)


def only(outcome: Outcome, kind: type) -> Any:
    assert len(outcome.events) >= 1, outcome.events
    assert isinstance(outcome.events[0], kind), outcome.events
    return outcome.events[0]


def test_a_redelivered_message_yields_nothing(customer: Customer) -> None:
    first = customer.send(inbound(Channel.EMAIL))
    again = customer.send(inbound(Channel.EMAIL), now=at(5))
    assert first.kind == "accepted"
    assert len(first.events) == 1
    assert again.kind == "deduplicated"
    assert again.events == ()


@pytest.mark.parametrize(
    ("channel", "opening", "follow_up"),
    [
        (
            Channel.EMAIL,
            {"message_id": "<a@x>"},
            {"message_id": "<b@x>", "in_reply_to": "<a@x>", "text": "Any news?"},
        ),
        (Channel.EMAIL, {"message_id": "<a@x>"}, {"message_id": "<c@x>", "references": ["<a@x>"]}),
        (Channel.CHAT, {"message_id": "1"}, {"message_id": "2", "text": "hello??"}),
        (Channel.SOCIAL, {"dm_id": "d1"}, {"dm_id": "d2", "text": "still nothing"}),
        (Channel.MARKETPLACE, {"message_id": "m1"}, {"message_id": "m2", "text": "any update?"}),
    ],
)
def test_a_follow_up_in_the_same_conversation_joins_the_open_ticket(
    customer: Customer, channel: Channel, opening: dict[str, Any], follow_up: dict[str, Any]
) -> None:
    opened = only(customer.send(inbound(channel, **opening)), TicketOpened)
    outcome = customer.send(inbound(channel, **follow_up, **{_time(channel): at(30)}))
    added = only(outcome, MessageAdded)
    assert outcome.kind == "threaded"
    assert added.ticket_id == opened.ticket_id
    assert not added.repeat_contact


def _time(channel: Channel) -> str:
    return {
        Channel.EMAIL: "received_at",
        Channel.CHAT: "sent_at",
        Channel.PHONE: "started_at",
        Channel.SOCIAL: "posted_at",
        Channel.MARKETPLACE: "sent_at",
    }[channel]


def test_repeated_calls_about_one_order_raise_the_priority_step_by_step(customer: Customer) -> None:
    first = only(customer.send(inbound(Channel.PHONE, call_id="1", order_id="4711")), TicketOpened)
    assert first.priority is Priority.NORMAL  # phone: 1 point
    priorities = []
    for n in (2, 3, 4):
        outcome = customer.send(
            inbound(Channel.PHONE, call_id=str(n), order_id="4711", started_at=at(60 * n))
        )
        added = only(outcome, MessageAdded)
        assert added.ticket_id == first.ticket_id
        assert added.repeat_contact
        priorities += [e.priority for e in outcome.events if isinstance(e, PriorityChanged)]
    assert priorities == [Priority.HIGH, Priority.URGENT]  # 3 points, then 5; none at 7
    assert customer.memory is not None
    assert "repeat contact about order 4711 within 72 h (+2)" in customer.memory.threads[0].reasons


def test_a_new_conversation_about_the_same_order_on_another_channel_is_a_repeat(
    customer: Customer,
) -> None:
    # Chat with the e-mail address the customer also writes from: one customer key.
    opening = inbound(Channel.CHAT, order_id="4711", customer={"email": "anna@example.com"})
    opened = only(customer.send(opening), TicketOpened)
    mail = inbound(Channel.EMAIL, message_id="<new@x>", order_id="4711", received_at=at(120))
    assert mail.customer.customer_key == opening.customer.customer_key
    outcome = customer.send(mail)
    added = only(outcome, MessageAdded)
    assert added.ticket_id == opened.ticket_id
    assert added.repeat_contact
    assert [e.priority for e in outcome.events[1:] if isinstance(e, PriorityChanged)] == [
        Priority.HIGH
    ]


def test_the_same_skill_without_an_order_id_is_a_repeat_within_the_window(
    customer: Customer,
) -> None:
    opened = only(
        customer.send(inbound(Channel.CHAT, text="my parcel has not arrived")), TicketOpened
    )
    outcome = customer.send(
        inbound(
            Channel.CHAT,
            message_id="2",
            conversation_id="conv-2",
            text="hello, the parcel still has not arrived",
            sent_at=at(days=1),
        )
    )
    assert only(outcome, MessageAdded).ticket_id == opened.ticket_id
    late = customer.send(
        inbound(
            Channel.CHAT,
            message_id="3",
            conversation_id="conv-3",
            text="another parcel not arrived",
            sent_at=at(days=5),
        )
    )
    assert isinstance(late.events[0], TicketOpened), "outside the repeat window: a new ticket"


def test_different_order_ids_are_different_problems(customer: Customer) -> None:
    customer.send(inbound(Channel.CHAT, order_id="1", text="parcel not arrived"))
    outcome = customer.send(
        inbound(
            Channel.CHAT,
            message_id="2",
            conversation_id="conv-2",
            order_id="2",
            text="parcel not arrived",
            sent_at=at(10),
        )
    )
    assert isinstance(outcome.events[0], TicketOpened)


def test_messages_without_evidence_are_never_taken_for_the_same_problem(
    customer: Customer,
) -> None:
    customer.send(inbound(Channel.CHAT, text="hello?"))
    outcome = customer.send(
        inbound(
            Channel.CHAT, message_id="2", conversation_id="conv-2", text="hi there", sent_at=at(10)
        )
    )
    assert isinstance(outcome.events[0], TicketOpened)


def test_a_reply_within_the_reopen_window_reopens_and_later_opens_a_new_ticket(
    customer: Customer,
) -> None:
    opened = only(customer.send(inbound(Channel.EMAIL, message_id="<a@x>")), TicketOpened)
    assert customer.status(opened.ticket_id, "resolved", at(days=1)).kind == "status"
    reply = customer.send(
        inbound(
            Channel.EMAIL,
            message_id="<b@x>",
            in_reply_to="<a@x>",
            text="Still broken",
            received_at=at(days=3),
        )
    )
    reopened = only(reply, TicketReopened)
    assert reply.kind == "reopened"
    assert reopened.ticket_id == opened.ticket_id

    customer.status(opened.ticket_id, "resolved", at(days=4))
    window = IngestConfig().threading.reopen_window
    late = customer.send(
        inbound(
            Channel.EMAIL,
            message_id="<c@x>",
            in_reply_to="<b@x>",
            text="Me again",
            received_at=at(days=4) + window + timedelta(minutes=1),
        )
    )
    new = only(late, TicketOpened)
    assert new.ticket_id != opened.ticket_id
    assert customer.memory is not None
    assert [t.ticket_id for t in customer.memory.threads] == [new.ticket_id]


def test_a_new_contact_about_a_recently_resolved_problem_opens_a_ticket_with_more_priority(
    customer: Customer,
) -> None:
    opened = only(customer.send(inbound(Channel.CHAT, order_id="77")), TicketOpened)
    assert opened.repeat_of is None
    customer.status(opened.ticket_id, "resolved", at(60), team_id="manila-247")
    outcome = customer.send(
        inbound(
            Channel.CHAT, message_id="2", conversation_id="conv-2", order_id="77", sent_at=at(180)
        )
    )
    new = only(outcome, TicketOpened)
    assert new.ticket_id != opened.ticket_id
    assert new.priority is Priority.HIGH
    assert any("repeat contact about order 77" in reason for reason in new.priority_reasons)
    # Whoever resolved the first ticket did not resolve it at first contact.
    assert new.repeat_of is not None
    assert new.repeat_of.ticket_id == opened.ticket_id
    assert new.repeat_of.resolved_by_team == "manila-247"
    assert new.repeat_of.resolved_at == at(60)


def test_a_resolution_that_crossed_a_customer_message_reopens_with_that_message(
    customer: Customer,
) -> None:
    opened = only(customer.send(inbound(Channel.CHAT)), TicketOpened)
    customer.send(inbound(Channel.CHAT, message_id="2", text="are you there?", sent_at=at(30)))
    outcome = customer.status(opened.ticket_id, "resolved", at(20))  # resolved before msg 2
    reopened = only(outcome, TicketReopened)
    assert (reopened.ticket_id, reopened.source_message_id, reopened.text) == (
        opened.ticket_id,
        "2",
        "are you there?",
    )
    assert customer.memory is not None
    assert customer.memory.threads[0].status == "open"


def test_status_changes_of_unknown_tickets_are_ignored(customer: Customer) -> None:
    assert customer.status("t-unknown", "resolved", at()).kind == "ignored"
    customer.send(inbound(Channel.CHAT))
    assert customer.status("t-unknown", "resolved", at()).kind == "ignored"


def test_a_reopened_status_reopens_the_thread(customer: Customer) -> None:
    opened = only(customer.send(inbound(Channel.CHAT)), TicketOpened)
    customer.status(opened.ticket_id, "resolved", at(10))
    customer.status(opened.ticket_id, "reopened", at(20))
    assert customer.memory is not None
    assert customer.memory.threads[0].status == "open"


def test_frustration_in_a_follow_up_counts_once(sample_config: Any) -> None:
    customer = Customer(FakeClassifier(), sample_config.ingest)
    customer.send(message("1", text="parcel?"))
    raised = customer.send(
        message("2", text="I am angry", thread_refs=["ref:1"], received_at=at(1))
    )
    again = customer.send(message("3", text="so angry", thread_refs=["ref:1"], received_at=at(2)))
    assert [type(e).__name__ for e in raised.events] == ["MessageAdded"]  # 1 point: normal
    assert customer.memory is not None
    assert customer.memory.threads[0].points == 1
    assert len(again.events) == 1
    assert customer.memory.threads[0].points == 1


# -- invariants -------------------------------------------------------------------------

REFS = [f"ref:{i}" for i in range(4)]


@st.composite
def deliveries(draw: st.DrawFn, max_messages: int = 25) -> list[NormalisedMessage]:
    """Distinct messages of one customer, each delivered 1-3 times, in any order."""
    count = draw(st.integers(1, max_messages))
    messages = [
        message(
            f"m{i}",
            channel=draw(st.sampled_from(list(Channel))),
            text=draw(st.sampled_from(["parcel", "refund", "hello", "angry parcel"])),
            received_at=at(draw(st.integers(0, 60 * 24 * 10))),
            thread_refs=draw(st.lists(st.sampled_from(REFS), max_size=2)),
            order_id=draw(st.sampled_from([None, "o1", "o2"])),
        )
        for i in range(count)
    ]
    copies = [m for m in messages for _ in range(draw(st.integers(1, 3)))]
    return draw(st.permutations(copies))


@settings(max_examples=150, deadline=None)
@given(deliveries(), st.lists(st.integers(0, 30), max_size=5))
def test_each_message_has_exactly_one_effect_whatever_the_duplication_and_order(
    stream: list[NormalisedMessage], resolve_at: list[int]
) -> None:
    customer = Customer(FakeClassifier(), IngestConfig())
    effects: Counter[str] = Counter()
    opened: list[str] = []
    for step, msg in enumerate(stream):
        outcome = customer.send(msg)
        for event in outcome.events:
            if isinstance(event, TicketOpened | MessageAdded | TicketReopened):
                effects[event.source_message_id] += 1
            if isinstance(event, TicketOpened):
                opened.append(event.ticket_id)
        if step in resolve_at and opened:
            customer.status(opened[-1], "resolved", msg.received_at)
    assert set(effects) == {m.source_message_id for m in stream}
    assert all(count == 1 for count in effects.values()), effects
    assert len(opened) == len(set(opened)), "a ticket was opened twice"


@settings(max_examples=100, deadline=None)
@given(deliveries(max_messages=40))
def test_memory_stays_within_its_bounds(stream: list[NormalisedMessage]) -> None:
    bounds = ThreadingConfig(
        max_seen_per_customer=5, max_threads_per_customer=3, max_refs_per_thread=2
    )
    customer = Customer(FakeClassifier(), IngestConfig(threading=bounds))
    for msg in stream:
        customer.send(msg)
        memory = customer.memory
        assert memory is not None
        assert len(memory.seen) <= 5
        assert len(memory.threads) <= 3
        assert all(len(t.refs) <= 2 for t in memory.threads)
