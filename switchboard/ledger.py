"""The books: read the topics from the beginning and check that nothing was lost or doubled.

Used by the chaos suite after killing services and restarting the broker, and by
operators (``switchboard ledger``). It checks the contract, not the services'
internals:

* every inbound message that is valid became exactly one ticket event
  (``ticket.opened``, ``ticket.message_added`` or ``ticket.reopened``) carrying
  its source message id, and no ticket mixes the messages of two customers (when
  the caller knows who wrote what);
* every ticket's assignments are serial: a new ``ticket.assigned`` only after the
  previous one was closed (offer rejected or expired, released), attempts count
  up by one, assignment ids are never reused, and no ticket ends with two live
  assignments;
* at most one ``sla.breached`` per SLA clock (ticket, metric and deadline: a reopened
  ticket starts new clocks), none for a ticket whose first response came before the
  deadline, and one for every ticket whose deadline passed unanswered (deadlines
  computed by the caller's oracle);
* the dead-letter topics hold only the inputs that were fed in as bad on purpose.

Events are deduplicated by ``event_id`` before counting: producers outside
transactions (agents, partners) may deliver an event twice, and consumers
dedupe on it by contract.
"""

from __future__ import annotations

import base64
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError

from schemas.base import Channel, Priority, SlaMetric
from schemas.dlq import DeadLetter
from schemas.inbound import PAYLOAD_BY_CHANNEL, InboundPayload, SocialPayload
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import (
    TICKET_EVENT,
    FirstResponse,
    MessageAdded,
    OfferExpired,
    OfferRejected,
    PriorityChanged,
    TicketAssigned,
    TicketEvent,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
)


def source_message_id(channel: Channel, payload: InboundPayload) -> str:
    """The id a ticket event carries for the inbound message (the public contract)."""
    if isinstance(payload, SocialPayload):
        return f"{payload.platform}:{payload.message_id}"
    if channel is Channel.PHONE:
        return payload.call_id  # type: ignore[union-attr]
    if channel is Channel.MARKETPLACE:
        return f"{payload.marketplace}:{payload.message_id}"  # type: ignore[union-attr]
    return payload.message_id  # type: ignore[union-attr]


@dataclass(frozen=True)
class Record:
    """What the ledger needs of a Kafka record."""

    topic: str
    value: bytes | None


@dataclass
class TicketBook:
    ticket_id: str
    opened_by: str | None = None
    received_at: datetime | None = None
    messages: list[str] = field(default_factory=list)
    assignments: list[TicketAssigned] = field(default_factory=list)
    live_assignment: str | None = None
    first_response_at: datetime | None = None
    resolved: bool = False
    reopened: bool = False
    priority: Priority = Priority.NORMAL
    breaches: Counter[SlaMetric] = field(default_factory=Counter)
    breach_deadlines: dict[SlaMetric, datetime] = field(default_factory=dict)
    #: Breaches per clock: a reopened ticket starts new next-response and resolution
    #: clocks, each of which may breach once; one clock is one (metric, deadline).
    breach_clocks: Counter[tuple[SlaMetric, datetime]] = field(default_factory=Counter)
    opened: TicketOpened | None = None


@dataclass
class Books:
    inbound: dict[str, int] = field(default_factory=Counter)  # source id -> deliveries
    invalid_inbound: list[bytes] = field(default_factory=list)
    tickets: dict[str, TicketBook] = field(default_factory=dict)
    ticket_of_message: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    dead_letters: list[DeadLetter] = field(default_factory=list)
    unparseable: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen_events: set[str] = field(default_factory=set)
    duplicate_events: int = 0

    def book(self, ticket_id: str) -> TicketBook:
        if ticket_id not in self.tickets:
            self.tickets[ticket_id] = TicketBook(ticket_id)
        return self.tickets[ticket_id]


class Ledger:
    """Folds the records of a deployment's topics into ``Books``; ``prefix`` is the
    deployment's topic prefix."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.books = Books()
        self._channels = {f"{prefix}inbound.{c.value}": c for c in Channel}

    def read(self, records: Iterable[Record]) -> Books:
        for record in records:
            self.add(record)
        return self.books

    def add(self, record: Record) -> None:
        topic = record.topic
        if topic.endswith(".dlq"):
            self._dead_letter(record)
        elif topic in self._channels:
            self._inbound(self._channels[topic], record)
        elif topic == f"{self.prefix}tickets":
            self._ticket_event(record)
        elif topic == f"{self.prefix}sla":
            self._sla_event(record)

    def _inbound(self, channel: Channel, record: Record) -> None:
        try:
            payload = PAYLOAD_BY_CHANNEL[channel].model_validate_json(record.value or b"")
        except ValidationError:
            self.books.invalid_inbound.append(record.value or b"")
            return
        self.books.inbound[source_message_id(channel, payload)] += 1

    def _dead_letter(self, record: Record) -> None:
        try:
            self.books.dead_letters.append(DeadLetter.model_validate_json(record.value or b""))
        except ValidationError:
            self.books.unparseable.append((record.topic, record.value or b""))

    def _fresh(self, event_id: str) -> bool:
        if event_id in self.books.seen_events:
            self.books.duplicate_events += 1
            return False
        self.books.seen_events.add(event_id)
        return True

    def _ticket_event(self, record: Record) -> None:
        try:
            event: TicketEvent = TICKET_EVENT.validate_json(record.value or b"")
        except ValidationError:
            self.books.unparseable.append((record.topic, record.value or b""))
            return
        if not self._fresh(str(event.event_id)):
            return
        book = self.books.book(event.ticket_id)
        match event:
            case TicketOpened():
                self._opened(book, event)
            case MessageAdded():
                self._message(book, event.source_message_id)
            case TicketReopened():
                self._reopened(book, event)
            case PriorityChanged():
                book.priority = event.priority
            case TicketAssigned():
                self._assigned(book, event)
            case OfferRejected() | OfferExpired() | TicketReleased() if book.live_assignment == str(
                event.assignment_id
            ):
                book.live_assignment = None
            case FirstResponse():
                if book.first_response_at is None:
                    book.first_response_at = event.occurred_at
            case TicketResolved():
                book.resolved = True
                book.live_assignment = None
            case _:
                pass

    def _opened(self, book: TicketBook, event: TicketOpened) -> None:
        if book.opened_by is not None:
            self.books.problems.append(f"ticket {event.ticket_id} opened twice")
        book.opened_by = event.source_message_id
        book.received_at = event.received_at
        book.priority = event.priority
        book.opened = event
        self._message(book, event.source_message_id)

    def _reopened(self, book: TicketBook, event: TicketReopened) -> None:
        # Ingest reopens with a message it had just added when the resolution turns out
        # to be older than the message: one message on one ticket, not two ticket events.
        if event.source_message_id not in book.messages:
            self._message(book, event.source_message_id)
        book.resolved, book.reopened = False, True

    def _message(self, book: TicketBook, message_id: str) -> None:
        book.messages.append(message_id)
        self.books.ticket_of_message[message_id].append(book.ticket_id)

    def _assigned(self, book: TicketBook, event: TicketAssigned) -> None:
        problems = self.books.problems
        if book.live_assignment is not None:
            problems.append(
                f"ticket {book.ticket_id}: assigned to {event.team_id} (attempt "
                f"{event.attempt}) while assignment {book.live_assignment} was still live"
            )
        if any(a.assignment_id == event.assignment_id for a in book.assignments):
            problems.append(f"ticket {book.ticket_id}: assignment {event.assignment_id} reused")
        if book.assignments and event.attempt != book.assignments[-1].attempt + 1:
            problems.append(
                f"ticket {book.ticket_id}: attempt {event.attempt} after "
                f"{book.assignments[-1].attempt}"
            )
        book.assignments.append(event)
        book.live_assignment = str(event.assignment_id)

    def _sla_event(self, record: Record) -> None:
        try:
            event = SLA_EVENT.validate_json(record.value or b"")
        except ValidationError:
            self.books.unparseable.append((record.topic, record.value or b""))
            return
        if not isinstance(event, SlaBreached) or not self._fresh(str(event.event_id)):
            return
        book = self.books.book(event.ticket_id)
        book.breaches[event.metric] += 1
        book.breach_deadlines[event.metric] = event.deadline
        book.breach_clocks[event.metric, event.deadline] += 1


#: The first-response deadline of an opened ticket at its latest priority (a priority
#: change re-targets the running clock), as the SLA policy says.
DeadlineOracle = Callable[[TicketOpened, Priority], datetime]


@dataclass(frozen=True)
class Expectations:
    """What the caller knows: the run's end, the bad inputs it fed in, and optionally
    who wrote each message and an oracle for first-response deadlines."""

    ended_at: datetime
    bad_inputs: frozenset[bytes] = frozenset()
    customer_of: dict[str, str] = field(default_factory=dict)
    first_response_deadline: DeadlineOracle | None = None
    #: Deadlines this close to the end are not judged (the last tick may be in flight).
    margin: timedelta = timedelta(seconds=5)


def check(books: Books, expect: Expectations) -> list[str]:
    """Every violation of the books, as sentences; empty when the books balance."""
    problems = list(books.problems)
    problems += [
        f"unreadable record on {topic}: {value[:80]!r}"
        for topic, value in books.unparseable
        if value not in expect.bad_inputs
    ]
    for message_id in books.inbound:
        tickets = books.ticket_of_message.get(message_id, [])
        if len(tickets) != 1:
            problems.append(f"inbound {message_id} became {len(tickets)} ticket events")
    for message_id in books.ticket_of_message:
        if message_id not in books.inbound:
            problems.append(f"ticket event for {message_id}, which never came in")
    problems += _customers(books, expect)
    for book in books.tickets.values():
        if book.opened_by is None:
            problems.append(f"ticket {book.ticket_id} has events but was never opened")
        problems += _breaches(book, expect)
    problems += _dead_letters(books, expect)
    return problems


def _customers(books: Books, expect: Expectations) -> list[str]:
    problems = []
    for ticket_id, book in books.tickets.items():
        customers = {who for m in book.messages if (who := expect.customer_of.get(m))}
        if len(customers) > 1:
            problems.append(f"ticket {ticket_id} mixes the messages of {sorted(customers)}")
    return problems


def _breaches(book: TicketBook, expect: Expectations) -> list[str]:
    problems = []
    for (metric, due), count in book.breach_clocks.items():
        if count > 1:
            problems.append(
                f"ticket {book.ticket_id}: {count} breaches of {metric.value} due {due:%d %H:%M:%S}"
            )
    breached = book.breaches[SlaMetric.FIRST_RESPONSE] > 0
    deadline = book.breach_deadlines.get(SlaMetric.FIRST_RESPONSE)
    answered = book.first_response_at
    # Strict: the SLA service announces a breach only once it read every reply that
    # could have beaten the deadline, however late the reply reached it.
    if breached and deadline is not None and answered is not None and answered < deadline:
        problems.append(
            f"ticket {book.ticket_id}: breach announced although answered at {answered:%H:%M:%S}"
            f" before the deadline {deadline:%H:%M:%S}"
        )
    oracle = expect.first_response_deadline
    # A reopened ticket starts new clocks: only its first life is judged here.
    if oracle is not None and book.opened is not None and not breached and not book.reopened:
        due = oracle(book.opened, book.priority)
        unanswered = answered is None or answered > due
        if unanswered and due < expect.ended_at - expect.margin:
            problems.append(
                f"ticket {book.ticket_id}: first response due {due:%d %H:%M:%S}, "
                "unanswered, but no breach was announced"
            )
    return problems


def _dead_letters(books: Books, expect: Expectations) -> list[str]:
    problems = []
    for letter in books.dead_letters:
        original = letter.original_value() or b""
        if original not in expect.bad_inputs:
            preview = base64.b64encode(original[:60]).decode()
            problems.append(
                f"unexpected dead letter from {letter.source_topic} ({letter.error_kind}): "
                f"{letter.error[:120]} [{preview}]"
            )
    fed = Counter(expect.bad_inputs)
    lettered = Counter(letter.original_value() or b"" for letter in books.dead_letters)
    for value in fed:
        if lettered[value] == 0:
            problems.append(f"bad input never reached a dead-letter topic: {value[:60]!r}")
    return problems


def summary(books: Books) -> dict[str, int]:
    """The ledger's totals, for printing."""
    assignments = [a for book in books.tickets.values() for a in book.assignments]
    return {
        "inbound messages (distinct)": len(books.inbound),
        "inbound deliveries": sum(books.inbound.values()),
        "invalid inbound": len(books.invalid_inbound),
        "tickets opened": sum(1 for b in books.tickets.values() if b.opened_by),
        "follow-ups and reopenings": sum(
            max(0, len(b.messages) - 1) for b in books.tickets.values()
        ),
        "assignments": len(assignments),
        "re-assignments": sum(1 for a in assignments if a.attempt > 1),
        "tickets answered": sum(1 for b in books.tickets.values() if b.first_response_at),
        "tickets resolved": sum(1 for b in books.tickets.values() if b.resolved),
        "tickets with a live assignment": sum(
            1 for b in books.tickets.values() if b.live_assignment
        ),
        "first-response breaches": sum(
            b.breaches[SlaMetric.FIRST_RESPONSE] for b in books.tickets.values()
        ),
        "dead letters": len(books.dead_letters),
        "events delivered twice (deduplicated)": books.duplicate_events,
    }


async def read_books(bootstrap: str, prefix: str = "", **client: object) -> Books:
    """Read every topic the books need, from the beginning to their current end."""
    from aiokafka import AIOKafkaConsumer, TopicPartition  # noqa: PLC0415 - I/O only here
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client)
    await admin.start()
    try:
        names = [
            name
            for name in await admin.list_topics()
            if name.startswith(prefix)
            and (
                name.endswith(".dlq")
                or name in (f"{prefix}tickets", f"{prefix}sla")
                or name.startswith(f"{prefix}inbound.")
            )
        ]
        described = await admin.describe_topics(names) if names else []
    finally:
        await admin.close()
    partitions = [
        TopicPartition(description["topic"], p["partition"])
        for description in described
        for p in description["partitions"]
    ]
    if not partitions:
        return Books()

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        **client,
    )
    await consumer.start()
    ledger = Ledger(prefix)
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=10_000)
            for records in batch.values():
                for record in records:
                    ledger.add(Record(record.topic, record.value))
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return ledger.books
