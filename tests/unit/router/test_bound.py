"""The scale-out capacity bound: unconfirmed assignments per team, none while this
instance owns every partition, nothing assigned until the view is current after a
partition became this instance's, and an early commit when a team reaches the limit."""

from __future__ import annotations

from datetime import timedelta

from plumbing.processor import Step
from schemas.base import Priority
from services.router.changelog import RouterRecord
from services.router.loadbook import LoadBook
from tests.unit.router.test_handlers import FakeRecord
from tests.unit.router.test_lifecycle import REGISTRY, opened
from tests.unit.router.test_waiting import World


def test_a_sole_owner_is_not_bound_and_is_bound_again_once_a_peer_takes_a_partition() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=2, partition_count=lambda: 2)
    book.partition_ready(0, {}, None)
    for key in ("a", "b", "c"):
        book.decision_made(key, "tallinn-care", 1, 0)
    assert book.throttled("tallinn-care")  # one of two partitions: bound
    book.partition_ready(1, {}, None)
    assert book.bound.sole_owner
    assert not book.throttled("tallinn-care")  # every partition: not bound
    assert not book.bound.at_limit("tallinn-care")
    book.decision_made("d", "tallinn-care", 1, 1)
    # A peer takes partition 1: what was assigned there is in the changelog for the
    # peer to restore, the rest still counts until the mirror reads it back.
    book.partition_revoked(1)
    assert book.unconfirmed("tallinn-care") == 3
    assert book.throttled("tallinn-care")


def test_a_partition_reset_forgets_its_unconfirmed_assignments() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=2)
    book.partition_ready(0, {}, None)
    book.partition_ready(1, {}, None)
    book.decision_made("a", "tallinn-care", 1, 0)
    book.decision_made("b", "tallinn-care", 1, 1)
    assert book.throttled("tallinn-care")
    book.partition_ready(0, {}, None)  # its transaction failed: restored from the changelog
    assert book.unconfirmed("tallinn-care") == 1
    assert not book.throttled("tallinn-care")


def test_nothing_is_assigned_until_the_view_is_current_after_a_partition_is_ready() -> None:
    book = LoadBook(REGISTRY, max_unconfirmed=0, needs_current_view=True)
    book.partition_ready(0, {}, None)
    epoch = book.bound.ready_epoch
    assert book.throttled("tallinn-care")
    book.partition_ready(1, {}, None)  # another one, while the mirror caught up
    book.bound.mark_current(epoch)
    assert book.throttled("warsaw-care")  # not current for partition 1 yet
    book.bound.mark_current(book.bound.ready_epoch)
    assert not book.throttled("warsaw-care")


def test_the_assignment_that_reaches_the_limit_asks_for_an_early_commit() -> None:
    world = World([1, 0, 0, 0, 0, 0], max_unconfirmed=2)  # Tallinn: 3 slots
    desk = world.desk
    requested = []
    for number in (1, 2, 3):
        step = Step[RouterRecord](partition=0, store=desk.store, now=desk.now)
        event = opened(
            ticket_id=f"t-{number}",
            language="et",
            skill="payments_billing",
            priority=Priority.NORMAL,
            received_at=desk.now - timedelta(minutes=number),
        )
        desk.handler(FakeRecord(event.to_json_bytes()), step)
        desk.store.commit()
        requested.append((len(step.outputs), step.commit_requested))
    # The first assignment, then the second at the limit (commit now), then one held.
    assert requested == [(2, False), (2, True), (0, False)]
