"""How long the view keeps what: customer data only while needed, figures for statistics,
tombstones after that; and what each API instance keeps of the changelog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from plumbing.processor import DeadLetterError, Step
from plumbing.store import StateStore
from schemas.tickets import OfferAccepted, TicketResolved
from services.router.partner_api.codec import decode_served, decode_ticket, encode_ticket, served
from services.router.partner_api.domain.view import PartnerTicket, personal
from services.router.partner_api.handlers import Purge, ViewHandler, expired, settled
from services.router.partner_api.index import ViewIndex
from tests.support.partner_events import NOW, action, offered, opened
from tests.unit.partner_api.test_view import KEEP, replay

RETENTION, FACTS = timedelta(days=35), timedelta(days=7)


def worked(ticket_id: str) -> PartnerTicket:
    assigned = offered(ticket_id)
    record = replay(
        opened(ticket_id),
        assigned,
        action(OfferAccepted, assigned),
        action(TicketResolved, assigned),
    )
    assert record is not None
    return record


def test_what_expires_when() -> None:
    done = worked("t-1")
    assert not expired(done, NOW + timedelta(days=34), RETENTION, FACTS)
    assert expired(done, NOW + RETENTION, RETENTION, FACTS)
    facts_only = replay(opened("t-2"))
    assert facts_only is not None
    assert not expired(facts_only, NOW + timedelta(days=30), RETENTION, FACTS), "still open"
    closed = facts_only.model_copy(update={"resolved_at": NOW})
    assert expired(closed, NOW + FACTS, RETENTION, FACTS)
    assert not settled(done, NOW + timedelta(days=6), FACTS)
    assert settled(done, NOW + FACTS, FACTS)


def test_the_purge_strips_settled_tickets_and_tombstones_expired_ones() -> None:
    store = StateStore[bytes]()  # the view's store keeps changelog records
    store.put("old", encode_ticket(worked("old")))
    before = worked("settled").model_copy(update={"touched_at": NOW + timedelta(days=30)})
    store.put("settled", encode_ticket(before))
    live = replay(opened("live"), offered("live"))
    assert live is not None
    store.put(
        "live", encode_ticket(live.model_copy(update={"touched_at": NOW + timedelta(days=30)}))
    )
    store.commit()
    step = Step[bytes](partition=0, store=store, now=NOW + timedelta(days=37))
    Purge(RETENTION, FACTS)(step)
    assert "old" not in store
    kept = decode_ticket(store.get("settled") or b"")
    assert not personal(kept)
    assert kept.assignments == before.assignments, "the figures stay"
    assert personal(decode_ticket(store.get("live") or b"")), (
        "a live offer keeps what the partner needs"
    )
    assert sorted(key for key, _ in store.staged(lambda data: data)) == ["old", "settled"]


def test_the_mirror_keeps_no_customer_data_once_nobody_works_on_the_ticket() -> None:
    live = replay(opened("t-1"), offered("t-1"))
    assert live is not None
    assert served(encode_ticket(live)) == encode_ticket(live)
    facts_only = replay(opened("t-2"))
    assert facts_only is not None
    assert served(encode_ticket(facts_only)) is None
    done = decode_served(encode_ticket(worked("t-3")))
    assert done is not None
    assert not personal(done)
    with pytest.raises(ValueError, match="format"):
        served(b"X{}")


def test_the_index_counts_a_record_it_cannot_read_and_goes_on() -> None:
    bad: list[str] = []
    index = ViewIndex(on_invalid=lambda ticket_id, _: bad.append(ticket_id))
    index.ticket_changed("t-1", b"P{not json")
    index.ticket_changed("t-2", encode_ticket(worked("t-2")))
    assert bad == ["t-1"]
    assert len(index) == 1
    ticket = index.ticket("t-2")
    assert ticket is not None
    assert not personal(ticket)


def test_the_index_keeps_each_ticket_once_and_forgets_its_old_rows_and_actions() -> None:
    assigned = offered("t-1")
    accepted = action(OfferAccepted, assigned)
    index = ViewIndex()
    first = replay(opened("t-1"), assigned, accepted)
    assert first is not None
    index.ticket_changed("t-1", encode_ticket(first))
    assert index.ticket("t-1") == first, "kept deflated, decoded as it was"
    assert [row.status.value for row in index.team_rows(assigned.team_id, live_only=True)] == [
        "accepted"
    ]
    assert index.action(accepted.event_id) is not None

    done = worked("t-1")
    index.ticket_changed("t-1", encode_ticket(done))
    assert index.team_rows(assigned.team_id, live_only=True) == []
    assert [row.status.value for row in index.team_rows(assigned.team_id)] == ["resolved"]
    assert index.action(accepted.event_id) is None, "that record's actions are gone"
    found = index.action(done.assignments[0].actions[-1].event_id)
    assert found is not None
    assert found[1].assignment_id == assigned.assignment_id

    index.ticket_changed("t-1", None)
    assert len(index) == 0
    assert index.team_rows(assigned.team_id) == []
    assert index.action(done.assignments[0].actions[-1].event_id) is None


@dataclass(frozen=True)
class _Record:
    topic: str
    value: bytes | None
    key: bytes | None = None
    partition: int = 0
    offset: int = 0


def test_the_view_store_keeps_changelog_records_and_dead_letters_bad_events() -> None:
    handler = ViewHandler(tickets_topic="tickets", keep=KEEP)
    store = StateStore[bytes]()
    step = Step[bytes](partition=0, store=store, now=NOW)
    assigned = offered("t-1")
    for event in (opened("t-1"), assigned, action(OfferAccepted, assigned)):
        handler(_Record("tickets", event.to_json_bytes()), step)
    stored = store.get("t-1")
    assert stored is not None
    assert stored[:1] == b"P", "what the changelog gets, as it is"
    assert decode_ticket(stored).assignments[0].status.value == "accepted"
    with pytest.raises(DeadLetterError):
        handler(_Record("tickets", b'{"type": "ticket.opened"}'), step)
    with pytest.raises(DeadLetterError):
        handler(_Record("sla", b"not json"), step)
