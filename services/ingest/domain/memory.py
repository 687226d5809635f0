"""A customer's memory: the message ids seen recently and the tickets of their threads.

Bounded by count and by age, so that one chatty customer or years of traffic
cannot grow it without limit: message ids are kept for ``dedup_window`` (at most
``max_seen_per_customer``), resolved threads until their reopen and repeat-contact
windows have passed, open threads until ``idle_retention`` without a message (at
most ``max_threads_per_customer``), and a customer with nothing left is forgotten.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.base import Channel, Priority
from schemas.config.ingest import ThreadingConfig

#: Text kept of a thread's last customer message, to reopen the ticket with it when
#: the resolution turns out to have crossed that message.
LAST_TEXT_CHARS = 2_000


class LastMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel: Channel
    source_message_id: str
    received_at: datetime
    text: str


class Thread(BaseModel):
    """One ticket of the customer, as the threader needs to know it."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    refs: tuple[str, ...]
    opened_at: datetime
    last_message_at: datetime | None = None
    status: Literal["open", "resolved"] = "open"
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # the team, for repeat contacts' first-contact resolution
    skill: str = ""
    skill_matched: bool = False
    order_id: str | None = None
    language: str = "und"
    priority: Priority = Priority.NORMAL
    points: int = 0
    signals: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    last_message: LastMessage | None = None

    @property
    def last_activity(self) -> datetime:
        times = [self.opened_at, self.last_message_at, self.resolved_at]
        return max(t for t in times if t is not None)


class CustomerMemory(BaseModel):
    model_config = ConfigDict(frozen=True)

    #: message key -> when the message was received, oldest first.
    seen: dict[str, datetime] = Field(default_factory=dict)
    threads: tuple[Thread, ...] = ()
    #: Processing time of the last change, for the idle sweep.
    touched_at: datetime | None = None

    @field_validator("seen", mode="before")
    @classmethod
    def _seen_from_first_format(cls, value: Any) -> Any:
        # The walking skeleton stored a bare list of keys; keep it readable (age unknown).
        if isinstance(value, list | tuple):
            return dict.fromkeys(value, datetime.fromtimestamp(0, UTC))
        return value

    def is_empty(self) -> bool:
        return not self.seen and not self.threads


def remember(
    seen: dict[str, datetime], key: str, received_at: datetime, limit: int
) -> dict[str, datetime]:
    """``seen`` plus ``key``, keeping the newest ``limit`` entries."""
    kept = dict(seen)
    kept[key] = received_at
    while len(kept) > limit:
        del kept[next(iter(kept))]
    return kept


def bounded_refs(
    refs: set[str] | tuple[str, ...], newest: list[str], limit: int
) -> tuple[str, ...]:
    """The thread's references with the newest message's first, at most ``limit``."""
    ordered = list(dict.fromkeys([*newest, *sorted(refs)]))
    return tuple(sorted(ordered[:limit]))


def _keeps(thread: Thread, reference: datetime, config: ThreadingConfig) -> bool:
    if thread.status == "resolved" and thread.resolved_at is not None:
        window = max(config.reopen_window, config.repeat_contact_window)
        return reference - thread.resolved_at <= window
    return reference - thread.last_activity <= config.idle_retention


def prune(memory: CustomerMemory, reference: datetime, config: ThreadingConfig) -> CustomerMemory:
    """Forget what is past its window at ``reference``; the same object if nothing is."""
    cutoff = reference - config.dedup_window
    seen = memory.seen
    if any(at < cutoff for at in seen.values()):
        seen = {key: at for key, at in seen.items() if at >= cutoff}
    threads = tuple(t for t in memory.threads if _keeps(t, reference, config))
    if seen is memory.seen and len(threads) == len(memory.threads):
        return memory
    return memory.model_copy(update={"seen": seen, "threads": threads})


def bounded_threads(threads: tuple[Thread, ...], limit: int) -> tuple[Thread, ...]:
    """At most ``limit`` threads: resolved ones go first, then the longest idle."""
    if len(threads) <= limit:
        return threads
    ranked = sorted(threads, key=lambda t: (t.status == "open", t.last_activity))
    dropped = {id(t) for t in ranked[: len(threads) - limit]}
    return tuple(t for t in threads if id(t) not in dropped)


def expire(memory: CustomerMemory, now: datetime, config: ThreadingConfig) -> CustomerMemory | None:
    """The sweep's decision: None to forget a customer idle for ``idle_retention``.

    Idleness is measured in processing time (``touched_at``), not in the messages'
    own timestamps, so replayed or back-dated input is not forgotten early. An
    active customer's memory is pruned by each of their messages instead.
    """
    if memory.touched_at is None:
        pruned = prune(memory, now, config)
        return None if pruned.is_empty() else pruned
    if now - memory.touched_at > config.idle_retention:
        return None
    return memory
