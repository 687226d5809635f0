"""De-duplication, threading, reopening and repeat contacts, per customer.

A message seen before yields nothing. A message whose thread references (email
In-Reply-To/References, chat conversation, social thread, marketplace order
conversation) match a thread of the customer is a follow-up on its ticket
(``ticket.message_added``), or reopens it (``ticket.reopened``) when the ticket was
resolved less than the reopen window ago; later than that it opens a new ticket.
A message in a new conversation about the same problem as a recent ticket (same
order, or same skill when an order id is missing on either side) is a repeat
contact: it joins that ticket if it is still open, and it raises the priority.
Anything else opens a ticket, whose id is derived from the message, so even a
lost memory could not open one message as two tickets.

Decisions use the messages' own times (deterministic on replay); ``now`` only
bounds the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from schemas.base import derive_id
from schemas.config.ingest import IngestConfig
from schemas.ingest import NormalisedMessage, TicketStatusChanged
from schemas.tickets import (
    MessageAdded,
    PriorityChanged,
    RepeatOf,
    TicketEvent,
    TicketReopened,
)
from services.ingest.domain import memory as mem
from services.ingest.domain.enrich import Classification
from services.ingest.domain.memory import CustomerMemory, LastMessage, Thread
from services.ingest.domain.normalise import message_key
from services.ingest.domain.priority import (
    FRUSTRATION,
    REPEAT_CONTACT,
    Signal,
    level,
    reasons,
    summary,
)
from services.ingest.domain.tickets import opened_event

OutcomeKind = Literal["accepted", "deduplicated", "threaded", "reopened", "status", "ignored"]


class Classifier(Protocol):
    """Enrichment as the threader needs it (the customer's tier is already bound)."""

    def classify(self, message: NormalisedMessage) -> Classification: ...
    def frustration(self, text: str, language: str) -> Signal | None: ...


@dataclass(frozen=True)
class Outcome:
    memory: CustomerMemory
    events: tuple[TicketEvent, ...]
    kind: OutcomeKind


def take_message(
    memory: CustomerMemory | None,
    message: NormalisedMessage,
    now: datetime,
    classifier: Classifier,
    config: IngestConfig,
) -> Outcome:
    memory = memory or CustomerMemory()
    key = message_key(message.channel, message.source_message_id)
    if key in memory.seen:
        return Outcome(memory, (), "deduplicated")
    threading = config.threading
    memory = mem.prune(memory, min(message.received_at, now), threading)
    memory = memory.model_copy(
        update={
            "seen": mem.remember(
                memory.seen, key, message.received_at, threading.max_seen_per_customer
            ),
            "touched_at": now,
        }
    )
    refs = set(message.thread_refs)
    thread = next((t for t in reversed(memory.threads) if refs & set(t.refs)), None)
    if thread is not None and thread.status == "open":
        return _follow_up(memory, thread, message, classifier, config, repeat=None)
    if thread is not None and thread.resolved_at is not None:
        if message.received_at - thread.resolved_at <= threading.reopen_window:
            return _reopen(memory, thread, message, classifier, config)
        memory = _without(memory, thread)  # resolved too long ago: a new ticket

    classification = classifier.classify(message)
    same = _same_problem(memory.threads, message, classification, config)
    if same is not None and same[0].status == "open":
        return _follow_up(memory, same[0], message, classifier, config, repeat=same[1])
    repeat = [_repeat_signal(same[1], config)] if same is not None else []
    again = same[0] if same is not None and same[0].resolved_at is not None else None
    return _open(memory, message, classification, repeat, config, again=again)


def apply_status(
    memory: CustomerMemory | None, status: TicketStatusChanged, now: datetime
) -> Outcome:
    """A ticket of the customer was resolved or reopened elsewhere."""
    if memory is None:
        return Outcome(CustomerMemory(), (), "ignored")
    thread = next((t for t in memory.threads if t.ticket_id == status.ticket_id), None)
    if thread is None:
        return Outcome(memory, (), "ignored")
    if status.status == "reopened":
        if thread.status == "open":
            return Outcome(memory, (), "status")
        updated = thread.model_copy(update={"status": "open", "resolved_at": None})
        return Outcome(_with(memory, thread, updated, now), (), "status")
    last = thread.last_message
    if last is not None and last.received_at > status.changed_at:
        # The customer wrote after the resolution, before we heard of it: that message
        # was added to a ticket that is now resolved, so reopen the ticket with it.
        reopened = TicketReopened(
            event_id=derive_id(
                "ticket.reopened", message_key(last.channel, last.source_message_id)
            ),
            occurred_at=last.received_at,
            correlation_id=status.correlation_id,
            ticket_id=thread.ticket_id,
            channel=last.channel,
            source_message_id=last.source_message_id,
            text=last.text,
            received_at=last.received_at,
        )
        return Outcome(_with(memory, thread, thread, now), (reopened,), "status")
    updated = thread.model_copy(
        update={
            "status": "resolved",
            "resolved_at": status.changed_at,
            "resolved_by": status.team_id,
        }
    )
    return Outcome(_with(memory, thread, updated, now), (), "status")


# -- decisions ------------------------------------------------------------------------


def _same_problem(
    threads: tuple[Thread, ...],
    message: NormalisedMessage,
    classification: Classification,
    config: IngestConfig,
) -> tuple[Thread, str] | None:
    """The most recent thread about the same problem within the repeat window, and why."""
    window = config.threading.repeat_contact_window
    candidates: list[tuple[int, datetime, Thread, str]] = []
    for thread in threads:
        if message.received_at - thread.last_activity > window:
            continue
        if message.order_id and thread.order_id:
            if message.order_id == thread.order_id:
                candidates.append((2, thread.last_activity, thread, f"order {message.order_id}"))
        elif (
            classification.skill.matched
            and thread.skill_matched
            and thread.skill == classification.skill.skill
        ):
            candidates.append((1, thread.last_activity, thread, f"skill {thread.skill}"))
    if not candidates:
        return None
    # Open tickets first (the contact joins them), then the stronger match, then the latest.
    best = max(candidates, key=lambda c: (c[2].status == "open", c[0], c[1]))
    return best[2], best[3]


def _repeat_signal(why: str, config: IngestConfig) -> Signal:
    hours = config.threading.repeat_contact_window.total_seconds() / 3600
    return Signal(
        REPEAT_CONTACT,
        config.priority.weights.repeat_contact,
        f"repeat contact about {why} within {hours:g} h",
    )


def _follow_up(
    memory: CustomerMemory,
    thread: Thread,
    message: NormalisedMessage,
    classifier: Classifier,
    config: IngestConfig,
    *,
    repeat: str | None,
) -> Outcome:
    key = message_key(message.channel, message.source_message_id)
    added = MessageAdded(
        event_id=derive_id("ticket.message_added", key),
        occurred_at=message.received_at,
        correlation_id=message.correlation_id,
        ticket_id=thread.ticket_id,
        channel=message.channel,
        source_message_id=message.source_message_id,
        text=message.text,
        received_at=message.received_at,
        repeat_contact=repeat is not None,
    )
    signals = [_repeat_signal(repeat, config)] if repeat is not None else []
    updated, raised = _raise(thread, message, signals, classifier, config)
    events: tuple[TicketEvent, ...] = (added,) if raised is None else (added, raised)
    return Outcome(_with(memory, thread, updated, memory.touched_at), events, "threaded")


def _reopen(
    memory: CustomerMemory,
    thread: Thread,
    message: NormalisedMessage,
    classifier: Classifier,
    config: IngestConfig,
) -> Outcome:
    key = message_key(message.channel, message.source_message_id)
    reopened = TicketReopened(
        event_id=derive_id("ticket.reopened", key),
        occurred_at=message.received_at,
        correlation_id=message.correlation_id,
        ticket_id=thread.ticket_id,
        channel=message.channel,
        source_message_id=message.source_message_id,
        text=message.text,
        received_at=message.received_at,
    )
    updated, raised = _raise(thread, message, [], classifier, config)
    updated = updated.model_copy(update={"status": "open", "resolved_at": None})
    events: tuple[TicketEvent, ...] = (reopened,) if raised is None else (reopened, raised)
    return Outcome(_with(memory, thread, updated, memory.touched_at), events, "reopened")


def _raise(
    thread: Thread,
    message: NormalisedMessage,
    signals: list[Signal],
    classifier: Classifier,
    config: IngestConfig,
) -> tuple[Thread, PriorityChanged | None]:
    """The thread after this message, and a priority change if its signals raised it."""
    if FRUSTRATION not in thread.signals:
        frustration = classifier.frustration(message.text, thread.language)
        if frustration is not None:
            signals = [*signals, frustration]
    refs = mem.bounded_refs(
        thread.refs, list(message.thread_refs), config.threading.max_refs_per_thread
    )
    updated = thread.model_copy(
        update={
            "refs": refs,
            "last_message_at": message.received_at,
            "last_message": _last(message),
        }
    )
    if not signals:
        return updated, None
    points = thread.points + sum(s.points for s in signals)
    priority = level(points, config.priority)
    # The last reason is always the points summary; it is recomputed.
    reasons_now = [
        *thread.reasons[:-1],
        *(s.describe() for s in signals),
        summary(points, config.priority),
    ]
    updated = updated.model_copy(
        update={
            "points": points,
            "priority": max(priority, thread.priority, key=lambda p: p.rank),
            "signals": (*thread.signals, *(s.name for s in signals)),
            "reasons": tuple(reasons_now),
        }
    )
    if priority.rank <= thread.priority.rank:
        return updated, None
    key = message_key(message.channel, message.source_message_id)
    changed = PriorityChanged(
        event_id=derive_id("ticket.priority_changed", key),
        occurred_at=message.received_at,
        correlation_id=message.correlation_id,
        ticket_id=thread.ticket_id,
        priority=priority,
        reasons=reasons_now,
    )
    return updated, changed


def _open(
    memory: CustomerMemory,
    message: NormalisedMessage,
    classification: Classification,
    repeat: list[Signal],
    config: IngestConfig,
    *,
    again: Thread | None = None,
) -> Outcome:
    """A new ticket; ``again``: the resolved ticket it is a repeat contact about."""
    signals = [*classification.signals, *(s for s in repeat if s.points > 0)]
    priority, why = reasons(signals, config.priority)
    opened = opened_event(message, classification, priority, why)
    if again is not None and again.resolved_at is not None:
        opened = opened.model_copy(
            update={
                "repeat_of": RepeatOf(
                    ticket_id=again.ticket_id,
                    resolved_at=again.resolved_at,
                    resolved_by_team=again.resolved_by,
                )
            }
        )
    thread = Thread(
        ticket_id=opened.ticket_id,
        refs=mem.bounded_refs((), list(message.thread_refs), config.threading.max_refs_per_thread),
        opened_at=message.received_at,
        last_message_at=message.received_at,
        skill=classification.skill.skill,
        skill_matched=classification.skill.matched,
        order_id=message.order_id,
        language=classification.language.language,
        priority=priority,
        points=sum(s.points for s in signals),
        signals=tuple(s.name for s in signals),
        reasons=tuple(why),
        last_message=_last(message),
    )
    threads = mem.bounded_threads(
        (*memory.threads, thread), config.threading.max_threads_per_customer
    )
    return Outcome(memory.model_copy(update={"threads": threads}), (opened,), "accepted")


# -- memory helpers -------------------------------------------------------------------


def _last(message: NormalisedMessage) -> LastMessage:
    return LastMessage(
        channel=message.channel,
        source_message_id=message.source_message_id,
        received_at=message.received_at,
        text=message.text[: mem.LAST_TEXT_CHARS],
    )


def _with(memory: CustomerMemory, old: Thread, new: Thread, now: datetime | None) -> CustomerMemory:
    threads = tuple(new if t is old else t for t in memory.threads)
    return memory.model_copy(update={"threads": threads, "touched_at": now})


def _without(memory: CustomerMemory, thread: Thread) -> CustomerMemory:
    return memory.model_copy(
        update={"threads": tuple(t for t in memory.threads if t is not thread)}
    )
