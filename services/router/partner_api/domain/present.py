"""Answers for one partner, built from its allow-list.

Each partner gets its own response models (``create_model``): only the fields its
allow-list names exist in them, and they forbid any other, so a field outside the
list cannot be sent even by mistake: building such an answer fails instead. Personal
data (customer, order, subject, conversation) is filled in only while the assignment
is live; afterwards the partner keeps the facts of its work, not the customer's data.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from schemas.config.partner_api import PartnerField
from schemas.partner_api import AssignmentBase, Breach, Message
from services.router.partner_api.domain.assignments import allowed_actions
from services.router.partner_api.domain.minimise import pseudonym
from services.router.partner_api.domain.view import AssignmentRecord, PartnerTicket

F = PartnerField

_CUSTOMER: dict[PartnerField, str] = {
    F.CUSTOMER_ID: "id",
    F.CUSTOMER_NAME: "name",
    F.CUSTOMER_EMAIL: "email",
    F.CUSTOMER_EMAIL_MASKED: "email_masked",
    F.CUSTOMER_PHONE: "phone",
    F.CUSTOMER_PHONE_MASKED: "phone_masked",
    F.CUSTOMER_HANDLE: "handle",
}
_ORDER: dict[PartnerField, tuple[tuple[str, Any], ...]] = {
    F.ORDER_ID: (("id", str | None),),
    F.ORDER_VALUE: (("value", Decimal | None), ("currency", str | None)),
    F.ORDER_MARKETPLACE: (("marketplace", str | None),),
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Presenter:
    def __init__(
        self,
        team_id: str,
        fields: frozenset[PartnerField],
        secret: bytes,
        accept_margin: timedelta,
    ) -> None:
        self.team_id = team_id
        self.fields = fields
        self._secret = secret
        self._margin = accept_margin
        suffix = re.sub(r"[^A-Za-z0-9]", "_", team_id)
        customer: dict[str, Any] = {
            name: (str | None, None) for f, name in _CUSTOMER.items() if f in fields
        }
        order: dict[str, Any] = {
            name: (kind, None) for f in _ORDER if f in fields for name, kind in _ORDER[f]
        }
        live: dict[str, Any] = {}
        if F.SUBJECT in fields:
            live["subject"] = (str | None, None)
        if customer:
            customer_model = create_model(f"Customer_{suffix}", __base__=_Closed, **customer)
            live["customer"] = (customer_model | None, None)
        if order:
            order_model = create_model(f"Order_{suffix}", __base__=_Closed, **order)
            live["order"] = (order_model | None, None)
        if F.CONVERSATION in fields:
            live["conversation"] = (list[Message] | None, None)
        self._live_fields = live
        summary: dict[str, Any] = {"subject": live["subject"]} if "subject" in live else {}
        self.summary_model: type[BaseModel] = create_model(
            f"AssignmentSummary_{suffix}", __base__=AssignmentBase, **summary
        )
        self.detail_model: type[BaseModel] = create_model(
            f"Assignment_{suffix}",
            __base__=AssignmentBase,
            awaiting_customer=(bool, ...),
            breaches=(list[Breach], ...),
            **live,
        )

    # -- answers --------------------------------------------------------------------
    def summary(self, ticket: PartnerTicket, record: AssignmentRecord, now: datetime) -> Any:
        data = self._base(ticket, record, now)
        if record.live and "subject" in self._live_fields and ticket.facts is not None:
            data["subject"] = ticket.facts.subject
        return self.summary_model.model_validate(data).model_dump(mode="json", exclude_unset=True)

    def detail(self, ticket: PartnerTicket, record: AssignmentRecord, now: datetime) -> Any:
        data = self._base(ticket, record, now)
        data["awaiting_customer"] = record.awaiting_customer
        data["breaches"] = self._breaches(ticket, record)
        if record.live:
            data.update(self._personal(ticket))
        return self.detail_model.model_validate(data).model_dump(mode="json", exclude_unset=True)

    def _base(
        self, ticket: PartnerTicket, record: AssignmentRecord, now: datetime
    ) -> dict[str, Any]:
        facts = ticket.facts
        return {
            "object": "assignment",
            "id": record.assignment_id,
            "ticket_id": ticket.ticket_id,
            "status": record.status,
            "attempt": record.attempt,
            "channel": facts.channel if facts else None,
            "language": facts.language if facts else None,
            "needs_translation": record.work_language is not None,
            "work_language": record.work_language,
            "skill": facts.skill if facts else None,
            "priority": facts.priority if facts else None,
            "offered_at": record.offered_at,
            "offer_expires_at": record.offer_expires_at,
            "respond_by": record.respond_by,
            "accepted_at": record.accepted_at,
            "first_response_at": record.first_response_at,
            "resolved_at": record.resolved_at,
            "ended_at": record.ended_at,
            "end_reason": record.end_reason,
            "allowed_actions": allowed_actions(
                record.status, record.offer_expires_at, now, self._margin
            ),
        }

    def _breaches(self, ticket: PartnerTicket, record: AssignmentRecord) -> list[dict[str, Any]]:
        until = record.ended_at or record.resolved_at
        return [
            {"metric": b.metric, "deadline": b.deadline, "announced_at": b.at}
            for b in ticket.breaches
            if b.team_id == record.team_id
            and b.at >= record.offered_at
            and (until is None or b.at <= until)
        ]

    def _personal(self, ticket: PartnerTicket) -> dict[str, Any]:
        facts = ticket.facts
        if facts is None:
            return {}
        data: dict[str, Any] = {}
        live = self._live_fields
        if "subject" in live:
            data["subject"] = facts.subject
        if "customer" in live:
            known = facts.customer
            values = {
                "id": pseudonym(self._secret, self.team_id, known.key) if known.key else None,
                "name": known.name,
                "email": known.email,
                "email_masked": known.email_masked,
                "phone": known.phone,
                "phone_masked": known.phone_masked,
                "handle": known.handle,
            }
            data["customer"] = {n: values[n] for f, n in _CUSTOMER.items() if f in self.fields}
        if "order" in live:
            order_values: dict[str, Any] = {
                "id": facts.order_id,
                "value": facts.order_value,
                "currency": facts.currency,
                "marketplace": facts.marketplace,
            }
            data["order"] = {
                name: order_values[name]
                for f in _ORDER
                if f in self.fields
                for name, _ in _ORDER[f]
            }
        if "conversation" in live:
            data["conversation"] = [
                {"channel": m.channel, "received_at": m.received_at, "text": m.text}
                for m in facts.messages
            ]
        return data
