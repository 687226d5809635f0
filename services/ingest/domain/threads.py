"""Per-customer memory: which messages were seen, which conversations are open.

A message seen before yields nothing (de-duplication). A message whose thread
references match an open ticket of the same customer becomes a follow-up on that
ticket. Anything else opens a new ticket, whose id is derived from the message,
so even a lost memory could not open the same ticket twice under two ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schemas.base import Priority, derive_id
from schemas.ingest import NormalisedMessage
from schemas.tickets import MessageAdded, TicketEvent, TicketOpened
from services.ingest.domain.normalise import message_key

#: How many message ids each customer's memory keeps for de-duplication.
SEEN_PER_CUSTOMER = 500


class Thread(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket_id: str
    refs: tuple[str, ...]
    opened_at: datetime


class CustomerMemory(BaseModel):
    model_config = ConfigDict(frozen=True)

    seen: tuple[str, ...] = ()
    threads: tuple[Thread, ...] = ()


@dataclass(frozen=True)
class Enrichment:
    language: str
    language_confidence: float
    skill: str
    priority: Priority
    priority_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    memory: CustomerMemory
    events: tuple[TicketEvent, ...]
    duplicate: bool = False
    threaded: bool = False


def ticket_id_for(message: NormalisedMessage) -> str:
    return str(derive_id("ticket", message_key(message.channel, message.source_message_id)))


def take_message(
    memory: CustomerMemory | None,
    message: NormalisedMessage,
    enrichment: Enrichment,
) -> Outcome:
    memory = memory or CustomerMemory()
    key = message_key(message.channel, message.source_message_id)
    if key in memory.seen:
        return Outcome(memory=memory, events=(), duplicate=True)
    seen = (*memory.seen, key)[-SEEN_PER_CUSTOMER:]

    refs = set(message.thread_refs)
    for thread in memory.threads:
        if refs & set(thread.refs):
            follow_up = MessageAdded(
                event_id=derive_id("ticket.message_added", key),
                occurred_at=message.received_at,
                correlation_id=message.correlation_id,
                ticket_id=thread.ticket_id,
                channel=message.channel,
                source_message_id=message.source_message_id,
                text=message.text,
                received_at=message.received_at,
            )
            extended = thread.model_copy(update={"refs": tuple(sorted(refs | set(thread.refs)))})
            threads = tuple(extended if t is thread else t for t in memory.threads)
            return Outcome(
                memory=CustomerMemory(seen=seen, threads=threads),
                events=(follow_up,),
                threaded=True,
            )

    ticket_id = ticket_id_for(message)
    opened = TicketOpened(
        event_id=derive_id("ticket.opened", ticket_id),
        occurred_at=message.received_at,
        correlation_id=message.correlation_id,
        ticket_id=ticket_id,
        channel=message.channel,
        source_message_id=message.source_message_id,
        customer=message.customer,
        subject=message.subject,
        text=message.text,
        received_at=message.received_at,
        language=enrichment.language,
        language_confidence=enrichment.language_confidence,
        skill=enrichment.skill,
        priority=enrichment.priority,
        priority_reasons=list(enrichment.priority_reasons),
        marketplace=message.marketplace,
        order_id=message.order_id,
        order_value=message.order_value,
        currency=message.currency,
        reply_deadline=message.reply_deadline,
    )
    thread = Thread(ticket_id=ticket_id, refs=tuple(sorted(refs)), opened_at=message.received_at)
    return Outcome(
        memory=CustomerMemory(seen=seen, threads=(*memory.threads, thread)),
        events=(opened,),
    )
