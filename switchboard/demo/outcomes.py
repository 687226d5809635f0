"""Fold what the services wrote to the topics into the demo's figures. Pure: records in,
figures out, no I/O and no clock.

The same fold feeds the live counters during the run and the summary at the end, so
both say what the topics say, never what the demo itself did. Events are deduplicated
by ``event_id`` (agents and partners produce outside transactions and may deliver an
event twice; readers dedupe by contract).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import ValidationError

from schemas.base import Channel, CustomerTier, SlaMetric, TeamKind
from schemas.inbound import PAYLOAD_BY_CHANNEL
from schemas.sla import SLA_EVENT, SLA_FORECAST_EVENT, QueueForecast, SlaAtRisk, SlaBreached
from schemas.tickets import (
    TICKET_EVENT,
    FirstResponse,
    OfferExpired,
    OfferRejected,
    RoutingStalled,
    TicketAssigned,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
)
from switchboard.ledger import source_message_id


class Stream(StrEnum):
    """The logical topics the demo reads (without the deployment's prefix)."""

    INBOUND = "inbound"
    TICKETS = "tickets"
    SLA = "sla"
    FORECASTS = "sla.forecasts"
    DEAD_LETTERS = "dlq"


@dataclass(frozen=True, slots=True)
class TopicRecord:
    stream: Stream
    value: bytes
    #: The record's Kafka timestamp (the producer's wall clock), in ms: real time.
    timestamp_ms: int
    #: For inbound records: the channel the topic carries.
    channel: Channel | None = None


@dataclass(slots=True)
class TicketTrail:
    """What the demo needs to know of one ticket."""

    channel: Channel
    received_at: datetime
    opened_ms: int
    source_message_id: str = ""
    language: str = ""
    skill: str = ""
    tier: CustomerTier = CustomerTier.STANDARD
    marketplace: str | None = None
    #: The first-response deadline (from the SLA policy, when the fold was given one).
    first_response_due: datetime | None = None
    first_response_at: datetime | None = None
    #: Every team the ticket was assigned (or offered) to, in order.
    assigned_to: list[str] = field(default_factory=list)
    inbound_ms: int | None = None
    first_assigned_at: datetime | None = None
    first_assigned_ms: int | None = None
    #: When the router first decided about it (assigned, or parked as pending), real ms.
    first_decided_ms: int | None = None
    #: (assignment id, team id, team kind) of the assignment holding the ticket now.
    live: tuple[str, str, TeamKind] | None = None
    #: The team kind and id of the last assignment that was not refused or handed back.
    kept_by: tuple[str, TeamKind] | None = None
    answered: bool = False
    resolved: bool = False
    breached_first_response: bool = False


@dataclass(frozen=True, slots=True)
class DepthChange:
    """Team ``team_id`` holds ``delta`` more open tickets from ``at`` (simulated time)."""

    at: datetime
    team_id: str
    delta: int


@dataclass(frozen=True, slots=True)
class Routed:
    at: datetime
    team_id: str
    team_kind: TeamKind
    first: bool


@dataclass(frozen=True, slots=True)
class Breach:
    at: datetime
    metric: SlaMetric
    channel: Channel
    team_id: str | None


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    at: datetime
    queue_id: str
    arrivals_per_hour: float
    predicted_breaches: float


@dataclass
class Outcomes:
    """The fold. ``add`` each record in topic order (per partition); read the results."""

    tickets: dict[str, TicketTrail] = field(default_factory=dict)
    inbound_ms: dict[str, int] = field(default_factory=dict)
    inbound_deliveries: int = 0
    inbound_invalid: int = 0
    dead_letters: int = 0
    at_risk: int = 0
    breaches: list[Breach] = field(default_factory=list)
    depth_changes: list[DepthChange] = field(default_factory=list)
    routed: list[Routed] = field(default_factory=list)
    forecasts: list[ForecastPoint] = field(default_factory=list)
    unreadable: int = 0
    duplicates: int = 0
    #: The first-response deadline of an opened ticket (``switchboard.demo.books``).
    deadline: Callable[[TicketOpened], datetime] | None = None
    _seen: set[str] = field(default_factory=set)

    def add(self, record: TopicRecord) -> None:
        match record.stream:
            case Stream.INBOUND:
                self._inbound(record)
            case Stream.TICKETS:
                self._ticket_event(record)
            case Stream.SLA:
                self._sla_event(record)
            case Stream.FORECASTS:
                self._forecast(record)
            case Stream.DEAD_LETTERS:
                self.dead_letters += 1

    def _fresh(self, event_id: object) -> bool:
        key = str(event_id)
        if key in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(key)
        return True

    def _inbound(self, record: TopicRecord) -> None:
        self.inbound_deliveries += 1
        assert record.channel is not None
        try:
            payload = PAYLOAD_BY_CHANNEL[record.channel].model_validate_json(record.value)
        except ValidationError:
            self.inbound_invalid += 1
            return
        self.inbound_ms.setdefault(source_message_id(record.channel, payload), record.timestamp_ms)

    def _ticket_event(self, record: TopicRecord) -> None:
        try:
            event = TICKET_EVENT.validate_json(record.value)
        except ValidationError:
            self.unreadable += 1
            return
        if not self._fresh(event.event_id):
            return
        if isinstance(event, TicketOpened):
            self.tickets[event.ticket_id] = TicketTrail(
                channel=event.channel,
                received_at=event.received_at,
                opened_ms=record.timestamp_ms,
                source_message_id=event.source_message_id,
                language=event.language,
                skill=event.skill,
                tier=event.customer.tier,
                marketplace=event.marketplace,
                first_response_due=self.deadline(event) if self.deadline else None,
                inbound_ms=self.inbound_ms.get(event.source_message_id),
            )
            return
        trail = self.tickets.get(event.ticket_id)
        if trail is None:
            return
        match event:
            case TicketAssigned():
                self._assigned(trail, event, record.timestamp_ms)
            case OfferRejected() | OfferExpired() | TicketReleased():
                self._closed(trail, str(event.assignment_id), event.occurred_at, kept=False)
            case TicketReopened():
                trail.resolved = False  # the customer wrote again: a ticket to work again
            case TicketResolved():
                trail.resolved = True
                self._closed(trail, str(event.assignment_id), event.occurred_at, kept=True)
            case RoutingStalled():
                trail.first_decided_ms = trail.first_decided_ms or record.timestamp_ms
            case FirstResponse():
                trail.answered = True
                if trail.first_response_at is None:
                    trail.first_response_at = event.occurred_at
            case _:
                pass

    def _assigned(self, trail: TicketTrail, event: TicketAssigned, timestamp_ms: int) -> None:
        if trail.live is not None:  # the ledger reports this; keep the depth honest anyway
            self.depth_changes.append(DepthChange(event.occurred_at, trail.live[1], -1))
        trail.first_decided_ms = trail.first_decided_ms or timestamp_ms
        first = trail.first_assigned_at is None
        if first:
            trail.first_assigned_at = event.occurred_at
            trail.first_assigned_ms = timestamp_ms
        trail.live = (str(event.assignment_id), event.team_id, event.team_kind)
        trail.kept_by = (event.team_id, event.team_kind)
        trail.assigned_to.append(event.team_id)
        self.depth_changes.append(DepthChange(event.occurred_at, event.team_id, +1))
        self.routed.append(Routed(event.occurred_at, event.team_id, event.team_kind, first))

    def _closed(self, trail: TicketTrail, assignment_id: str, at: datetime, *, kept: bool) -> None:
        if trail.live is None or trail.live[0] != assignment_id:
            return
        self.depth_changes.append(DepthChange(at, trail.live[1], -1))
        if not kept:
            trail.kept_by = None
        trail.live = None

    def _sla_event(self, record: TopicRecord) -> None:
        try:
            event = SLA_EVENT.validate_json(record.value)
        except ValidationError:
            self.unreadable += 1
            return
        if not self._fresh(event.event_id):
            return
        if isinstance(event, SlaAtRisk):
            self.at_risk += 1
        elif isinstance(event, SlaBreached):
            self.breaches.append(Breach(event.deadline, event.metric, event.channel, event.team_id))
            trail = self.tickets.get(event.ticket_id)
            if trail is not None and event.metric is SlaMetric.FIRST_RESPONSE:
                trail.breached_first_response = True

    def _forecast(self, record: TopicRecord) -> None:
        try:
            event: QueueForecast = SLA_FORECAST_EVENT.validate_json(record.value)
        except ValidationError:
            self.unreadable += 1
            return
        self.forecasts.append(
            ForecastPoint(
                at=event.window_start,
                queue_id=event.queue_id,
                arrivals_per_hour=event.arrival_rate_per_hour,
                predicted_breaches=event.predicted_breaches,
            )
        )

    # -- live counters ---------------------------------------------------------------

    def counters(self) -> LiveCounters:
        kinds = Counter(t.live[2] for t in self.tickets.values() if t.live is not None)
        return LiveCounters(
            tickets=len(self.tickets),
            in_house=sum(1 for t in self.tickets.values() if _kind(t) is TeamKind.IN_HOUSE),
            partner=sum(1 for t in self.tickets.values() if _kind(t) is TeamKind.PARTNER),
            open_in_house=kinds[TeamKind.IN_HOUSE],
            open_partner=kinds[TeamKind.PARTNER],
            pending=sum(1 for t in self.tickets.values() if t.live is None and not t.resolved),
            at_risk=self.at_risk,
            breaches=len(self.breaches),
            dead_letters=self.dead_letters,
        )


def _kind(trail: TicketTrail) -> TeamKind | None:
    return trail.kept_by[1] if trail.kept_by else None


@dataclass(frozen=True)
class LiveCounters:
    tickets: int
    #: Tickets whose last kept assignment went to an in-house team / a partner.
    in_house: int
    partner: int
    open_in_house: int
    open_partner: int
    #: Opened, not resolved, and nobody holds them now (waiting for a team).
    pending: int
    at_risk: int
    breaches: int
    dead_letters: int


def costs_of(teams: dict[str, tuple[TeamKind, Decimal]], outcomes: Outcomes) -> dict[str, Decimal]:
    """What the kept assignments cost, in-house and outsourced, from each team's
    ``cost_per_ticket``."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for trail in outcomes.tickets.values():
        if trail.kept_by is None or trail.kept_by[0] not in teams:
            continue
        kind, cost = teams[trail.kept_by[0]]
        total[kind.value] += cost
    return dict(total)
