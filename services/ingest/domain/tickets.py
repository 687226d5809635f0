"""The ticket a new message opens, with everything ingest learnt about it."""

from __future__ import annotations

from schemas.base import CustomerTier, Priority, derive_id
from schemas.customers import Customer
from schemas.ingest import NormalisedMessage
from schemas.tickets import TicketOpened
from services.ingest.domain.enrich import Classification
from services.ingest.domain.normalise import message_key


def ticket_id_for(message: NormalisedMessage) -> str:
    """Derived from the opening message, so a replay opens the same ticket id."""
    return str(derive_id("ticket", message_key(message.channel, message.source_message_id)))


def _with_tier(customer: Customer, tier: CustomerTier) -> Customer:
    # Customers are frozen: most keep the tier they came with, and need no copy.
    return customer if customer.tier is tier else customer.model_copy(update={"tier": tier})


def opened_event(
    message: NormalisedMessage,
    classification: Classification,
    priority: Priority,
    reasons: list[str],
) -> TicketOpened:
    ticket_id = ticket_id_for(message)
    language = classification.language
    skill = classification.skill
    return TicketOpened(
        event_id=derive_id("ticket.opened", ticket_id),
        occurred_at=message.received_at,
        correlation_id=message.correlation_id,
        ticket_id=ticket_id,
        channel=message.channel,
        source_message_id=message.source_message_id,
        customer=_with_tier(message.customer, classification.tier),
        subject=message.subject,
        text=message.text,
        received_at=message.received_at,
        language=language.language,
        language_confidence=language.confidence if language.determined else 0.0,
        skill=skill.skill,
        skill_evidence=list(skill.evidence),
        skill_alternatives=list(skill.alternatives),
        needs=list(classification.needs),
        priority=priority,
        priority_reasons=reasons,
        marketplace=message.marketplace,
        order_id=message.order_id,
        order_value=message.order_value,
        currency=message.currency,
        reply_deadline=message.reply_deadline,
    )
