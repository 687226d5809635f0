"""Bounds of the customer memory and of the ticket links, and the sweep that applies them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plumbing.processor import Step
from plumbing.store import StateStore
from schemas.config.ingest import ThreadingConfig
from services.ingest.domain.encoding import encode_link, expire_link_record
from services.ingest.domain.links import TicketLink, expire_link
from services.ingest.domain.memory import (
    CustomerMemory,
    Thread,
    bounded_refs,
    bounded_threads,
    expire,
    prune,
    remember,
)
from services.ingest.sweep import sweep_partition
from tests.support.ingest import at

CONFIG = ThreadingConfig()


def thread(ticket_id: str, *, opened: datetime, resolved: datetime | None = None) -> Thread:
    return Thread(
        ticket_id=ticket_id,
        refs=(),
        opened_at=opened,
        status="resolved" if resolved else "open",
        resolved_at=resolved,
    )


def test_remember_keeps_the_newest_keys() -> None:
    seen: dict[str, datetime] = {}
    for n in range(5):
        seen = remember(seen, f"k{n}", at(n), limit=3)
    assert list(seen) == ["k2", "k3", "k4"]


def test_prune_forgets_old_ids_and_threads_past_their_windows() -> None:
    memory = CustomerMemory(
        seen={"old": at(days=-31), "new": at(days=-1)},
        threads=(
            thread("resolved-long-ago", opened=at(days=-20), resolved=at(days=-8)),
            thread("resolved-recently", opened=at(days=-20), resolved=at(days=-2)),
            thread("idle-open", opened=at(days=-31)),
            thread("open", opened=at(days=-3)),
        ),
    )
    pruned = prune(memory, at(), CONFIG)
    assert list(pruned.seen) == ["new"]
    assert [t.ticket_id for t in pruned.threads] == ["resolved-recently", "open"]
    assert prune(pruned, at(), CONFIG) is pruned, "nothing to prune: the same object"


def test_bounded_threads_drop_resolved_then_longest_idle() -> None:
    threads = (
        thread("open-old", opened=at(1)),
        thread("resolved", opened=at(2), resolved=at(3)),
        thread("open-new", opened=at(4)),
    )
    assert [t.ticket_id for t in bounded_threads(threads, 2)] == ["open-old", "open-new"]
    assert [t.ticket_id for t in bounded_threads(threads, 1)] == ["open-new"]


def test_bounded_refs_keep_the_newest_message_refs() -> None:
    assert set(bounded_refs(("a", "b", "c"), ["z"], limit=2)) == {"z", "a"}


def test_an_idle_customer_is_forgotten_by_processing_time_not_message_time() -> None:
    now = datetime(2026, 12, 30, tzinfo=UTC)
    back_dated = CustomerMemory(seen={"k": at(days=-400)}, touched_at=now - timedelta(days=1))
    assert expire(back_dated, now, CONFIG) is back_dated
    idle = CustomerMemory(seen={"k": now}, touched_at=now - timedelta(days=31))
    assert expire(idle, now, CONFIG) is None


def test_the_first_memory_format_is_still_readable() -> None:
    memory = CustomerMemory.model_validate_json(
        b'{"seen": ["email:<a@x>"], "threads": [{"ticket_id": "t", "refs": ["r"], '
        b'"opened_at": "2026-11-27T09:00:00Z"}]}'
    )
    assert "email:<a@x>" in memory.seen
    assert memory.threads[0].status == "open"


def test_links_expire_after_the_reopen_window_once_resolved() -> None:
    resolved = TicketLink(customer_key="c", status="resolved", touched_at=at())
    open_link = TicketLink(customer_key="c", touched_at=at())
    assert expire_link(resolved, at(days=6), CONFIG) is resolved
    assert expire_link(resolved, at(days=8), CONFIG) is None
    assert expire_link(open_link, at(days=8), CONFIG) is open_link
    assert expire_link(open_link, at(days=31), CONFIG) is None


def test_the_sweep_deletes_what_expired_and_stages_it_for_the_changelog() -> None:
    store = StateStore[bytes]()
    for n in range(4):
        status = "resolved" if n % 2 else "open"
        link = TicketLink(customer_key="c", status=status, touched_at=at())
        store.restore(f"t{n}", encode_link(link))
    step = Step[bytes](partition=0, store=store, now=at(days=8))
    sweep_partition(step, lambda data, now: expire_link_record(data, now, CONFIG), max_changes=10)
    assert sorted(store.keys()) == ["t0", "t2"]
    assert sorted(store.staged(lambda v: b"x")) == [("t1", None), ("t3", None)]


def test_the_sweep_stops_after_max_changes() -> None:
    store = StateStore[bytes]()
    for n in range(5):
        store.restore(f"t{n}", encode_link(TicketLink(customer_key="c", touched_at=at())))
    step = Step[bytes](partition=0, store=store, now=at(days=40))
    sweep_partition(step, lambda data, now: expire_link_record(data, now, CONFIG), max_changes=2)
    assert len(store) == 3
