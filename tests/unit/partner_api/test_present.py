"""What a partner gets: masks, pseudonyms, and never a field outside its allow-list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.config.partner_api import DEFAULT_FIELDS, PartnerField
from schemas.partner_api import AssignmentDetail, AssignmentSummary
from schemas.tickets import OfferAccepted, OfferRejected
from services.router.partner_api.domain.minimise import Keep, mask_email, mask_phone, pseudonym
from services.router.partner_api.domain.present import Presenter
from services.router.partner_api.domain.view import PartnerTicket
from tests.support.partner_events import NOW, PARTNER, action, offered, opened
from tests.unit.partner_api.test_view import HOUSE, replay

F = PartnerField
SECRET = b"s" * 32
EVERYTHING = Keep.union([list(PartnerField)], HOUSE)
ALWAYS = set(AssignmentDetail.model_fields) - {"customer", "order", "subject", "conversation"}


def presenter(*fields: PartnerField, team_id: str = PARTNER) -> Presenter:
    return Presenter(team_id, frozenset(fields), SECRET, timedelta(seconds=2))


def live_ticket() -> PartnerTicket:
    record = replay(opened(), offered(), keep=EVERYTHING)
    assert record is not None
    return record


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("kadri.tamm@example.com", "k***@e***.com"),
        ("a@b.ee", "a***@b***.ee"),
        ("jan@localhost", "j***@l***"),
        ("not an address", "***"),
    ],
)
def test_email_masks_keep_initials_and_the_top_level_domain(address: str, masked: str) -> None:
    assert mask_email(address) == masked


def test_phone_masks_keep_the_last_two_digits() -> None:
    assert mask_phone("+372 5555 1267") == "***67"
    assert mask_phone("12") == "***"


def test_pseudonyms_are_stable_per_partner_and_differ_between_partners() -> None:
    mine = pseudonym(SECRET, "riga", "key-1")
    assert mine == pseudonym(SECRET, "riga", "key-1")
    assert mine.startswith("cus_")
    assert mine != pseudonym(SECRET, "manila", "key-1")
    assert mine != pseudonym(b"t" * 32, "riga", "key-1"), "keyed: not recomputable without it"
    assert "key-1" not in mine


def test_the_default_allow_list_gives_name_masks_pseudonym_order_and_conversation() -> None:
    ticket = live_ticket()
    answer = presenter(*DEFAULT_FIELDS).detail(ticket, ticket.assignments[0], NOW)
    assert answer["customer"] == {
        "id": pseudonym(SECRET, PARTNER, "key-t-1"),
        "name": "Kadri Tamm",
        "email_masked": "k***@e***.com",
        "phone_masked": "***67",
    }
    assert answer["order"] == {"id": "4711"}
    assert answer["subject"] == "Where is my parcel?"
    assert [m["text"] for m in answer["conversation"]] == ["Order 4711 has not arrived."]
    assert answer["allowed_actions"] == ["accept", "reject"]
    AssignmentDetail.model_validate(answer)  # within the documented schema


def test_a_partner_allowed_clear_contact_data_gets_it() -> None:
    ticket = live_ticket()
    answer = presenter(F.CUSTOMER_EMAIL, F.CUSTOMER_PHONE, F.ORDER_VALUE).detail(
        ticket, ticket.assignments[0], NOW
    )
    assert answer["customer"] == {"email": "kadri.tamm@example.com", "phone": "+372 5555 1267"}
    assert answer["order"] == {"value": "59.90", "currency": "EUR"}
    assert "conversation" not in answer
    assert "subject" not in answer


def test_nothing_personal_once_the_assignment_is_over() -> None:
    assigned = offered()
    record = replay(opened(), assigned, action(OfferRejected, assigned), keep=EVERYTHING)
    assert record is not None
    answer = presenter(*PartnerField).detail(record, record.assignments[0], NOW)
    assert set(answer) == ALWAYS
    assert answer["status"] == "rejected"
    summary = presenter(*PartnerField).summary(record, record.assignments[0], NOW)
    assert "subject" not in summary


@given(allowed=st.sets(st.sampled_from(list(PartnerField))))
def test_no_answer_carries_a_field_outside_the_allow_list(allowed: set[PartnerField]) -> None:
    if {F.CUSTOMER_EMAIL, F.CUSTOMER_EMAIL_MASKED} <= allowed:
        allowed.discard(F.CUSTOMER_EMAIL_MASKED)
    ticket = live_ticket()
    accepted = replay(opened(), offered(), action(OfferAccepted, offered()), keep=EVERYTHING)
    assert accepted is not None
    who = presenter(*allowed)
    for record, source in ((ticket.assignments[0], ticket), (accepted.assignments[0], accepted)):
        detail = who.detail(source, record, NOW)
        summary = who.summary(source, record, NOW)
        personal = _personal_fields(detail)
        assert personal <= {f.value for f in allowed}, personal
        assert set(summary) - set(AssignmentSummary.model_fields) == set()
        if F.SUBJECT not in allowed:
            assert "subject" not in summary
        AssignmentDetail.model_validate(detail)
        AssignmentSummary.model_validate(summary)


def _personal_fields(answer: dict[str, Any]) -> set[str]:
    names = {
        "id": "customer.id",
        "name": "customer.name",
        "email": "customer.email",
        "email_masked": "customer.email_masked",
        "phone": "customer.phone",
        "phone_masked": "customer.phone_masked",
        "handle": "customer.handle",
    }
    found = {names[key] for key in answer.get("customer") or {}}
    orders = {"id": "order.id", "value": "order.value", "marketplace": "order.marketplace"}
    found |= {orders[key] for key in answer.get("order") or {} if key in orders}
    if "currency" in (answer.get("order") or {}):
        found.add("order.value")
    if "subject" in answer:
        found.add("ticket.subject")
    if "conversation" in answer:
        found.add("ticket.conversation")
    return found


def test_the_models_refuse_a_field_the_partner_may_not_have() -> None:
    """Defence in depth: even code that tried to add the e-mail would fail, not leak."""
    who = presenter(*DEFAULT_FIELDS)
    ticket = live_ticket()
    answer = who.detail(ticket, ticket.assignments[0], NOW)
    answer["customer"]["email"] = "kadri.tamm@example.com"
    with pytest.raises(ValidationError):
        who.detail_model.model_validate(answer)
