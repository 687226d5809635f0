"""Tickets from the simulator's messages, opened as ingest, the router and the SLA service would.

* A first contact (``message_index == 0``, not a duplicate) opens one ticket. Its
  language, skill and tier are the simulator's ground truth (perfect classification:
  the comparison is about routing, not about ingest's classifiers); its priority is
  ingest's own (``PrioritySignals`` on the normalised message: tier, channel, public
  post, marketplace deadline, order value, frustration).
* Duplicates are dropped, as ingest's de-duplication drops them.
* Follow-ups are ignored: they thread onto the open ticket in ingest and add no
  ticket and no first-response clock (next-response rounds are not measured here);
  a follow-up arriving after the ticket was resolved would reopen it in the real
  system, which this model leaves out.

The router's state comes from ``services.router.domain.lifecycle.open_ticket`` (its own
first-response due time, the budget it routes against) and the deadline that counts
from ``services.sla.domain.lifecycle.open_ticket`` (the SLA service's policies, seasons,
business-hours calendars and marketplace reply deadlines).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from schemas.base import Channel, CustomerTier, Priority
from schemas.config import SwitchboardConfig
from schemas.customers import Customer
from schemas.tickets import TicketOpened
from services.ingest.domain.enrich import message_text
from services.ingest.domain.normalise import normalise
from services.ingest.domain.priority import PrioritySignals, reasons
from services.ingest.domain.text import Words
from services.router.domain import lifecycle as router_lifecycle
from services.router.domain.budget import SlaTargets
from services.router.domain.registry import TicketProfile
from services.router.domain.state import TicketRoute
from services.sla.domain import lifecycle as sla_lifecycle
from services.sla.domain.clocks import SlaRules
from switchboard.simulator import SimMessage


@dataclass(frozen=True, slots=True)
class DeskTicket:
    ticket_id: str
    channel: Channel
    skill: str
    language: str
    tier: CustomerTier
    priority: Priority
    marketplace: str | None
    received_at: datetime
    #: The first-response deadline the SLA service measures against.
    sla_due: datetime
    #: Its first-response target in seconds, as the SLA service counts it per queue.
    sla_target_s: int
    #: The router's state as ``ticket.opened`` leaves it (pending, with its own due time).
    route: TicketRoute
    profile: TicketProfile

    @property
    def backlog_order(self) -> tuple[int, datetime]:
        return router_lifecycle.backlog_order(self.route)


@dataclass(frozen=True)
class Intake:
    tickets: tuple[DeskTicket, ...]
    follow_ups_ignored: int
    duplicates_dropped: int


def _opened(
    message: SimMessage, config: SwitchboardConfig, signals: PrioritySignals
) -> TicketOpened:
    truth = message.truth
    normalised = normalise(message.payload, message.topic, config.ingest.languages)
    found = signals.of_message(
        normalised, Words(message_text(normalised)), truth.language, (truth.tier, "simulator")
    )
    priority, why = reasons(found, config.ingest.priority)
    return TicketOpened(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"desk:{message.sim_id}"),
        occurred_at=normalised.received_at,
        correlation_id=message.sim_id,
        ticket_id=message.sim_id,
        channel=message.channel,
        source_message_id=normalised.source_message_id,
        customer=Customer(customer_key=truth.customer_id, tier=truth.tier),
        subject=normalised.subject,
        text=normalised.text,
        received_at=normalised.received_at,
        language=truth.language,
        skill=truth.skill,
        needs=list(config.ingest.channel_needs.get(message.channel, ())),
        priority=priority,
        priority_reasons=why,
        marketplace=normalised.marketplace,
        reply_deadline=normalised.reply_deadline,
    )


def open_tickets(messages: Sequence[SimMessage], config: SwitchboardConfig) -> Intake:
    signals = PrioritySignals(config.ingest.priority, config.ingest.languages)
    rules = SlaRules.from_config(config.sla)
    targets = SlaTargets.from_config(config.sla)
    tickets: list[DeskTicket] = []
    follow_ups = duplicates = 0
    for message in messages:
        if message.truth.is_duplicate:
            duplicates += 1
            continue
        if message.truth.message_index > 0:
            follow_ups += 1
            continue
        opened = _opened(message, config, signals)
        route = router_lifecycle.open_ticket(opened, partition=0, sla=targets)
        clocks = sla_lifecycle.open_ticket(rules, opened)
        facts = route.facts
        tickets.append(
            DeskTicket(
                ticket_id=opened.ticket_id,
                channel=opened.channel,
                skill=opened.skill,
                language=opened.language,
                tier=opened.customer.tier,
                priority=opened.priority,
                marketplace=opened.marketplace,
                received_at=opened.received_at,
                sla_due=datetime.fromtimestamp(clocks.first_response.deadline_ms / 1000, UTC),
                sla_target_s=clocks.first_response.budget_ms // 1000,
                route=route,
                profile=TicketProfile(
                    skill=facts.skill,
                    language=facts.language,
                    channel=facts.channel,
                    needs=frozenset(facts.needs),
                    tier=facts.tier,
                    marketplace=facts.marketplace,
                ),
            )
        )
    tickets.sort(key=lambda ticket: (ticket.received_at, ticket.ticket_id))
    return Intake(tuple(tickets), follow_ups, duplicates)
