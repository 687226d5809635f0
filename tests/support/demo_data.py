"""A small, fixed demo run as topic records: what the report tests render."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from schemas.base import Channel, Priority, SlaMetric, TeamKind, derive_id
from schemas.customers import Customer
from schemas.sla import QueueForecast, SlaAtRisk, SlaBreached
from schemas.tickets import (
    FirstResponse,
    OfferAccepted,
    OfferRejected,
    TicketAssigned,
    TicketOpened,
    TicketResolved,
)
from switchboard.demo.compare import SERVICES, Comparison, Disagreement, PolicyRow, checks
from switchboard.demo.outcomes import Stream, TopicRecord

START = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)  # Fri 27 Nov 00:00 in Tallinn
END = START + timedelta(days=2)
TEAMS: dict[str, tuple[TeamKind, Decimal]] = {
    "tallinn-care": (TeamKind.IN_HOUSE, Decimal("6.40")),
    "warsaw-care": (TeamKind.IN_HOUSE, Decimal("5.10")),
    "nearshore-bpo": (TeamKind.PARTNER, Decimal("3.90")),
    "manila-247": (TeamKind.PARTNER, Decimal("2.60")),
}
CHANNELS = [Channel.EMAIL, Channel.CHAT, Channel.MARKETPLACE, Channel.SOCIAL, Channel.PHONE]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass
class RunBuilder:
    """Tickets through their lifecycle, as the services would write them."""

    records: list[TopicRecord] = field(default_factory=list)
    #: Real time: each record is 50 ms after the previous one.
    real_ms: int = 1_800_000_000_000

    def _add(self, stream: Stream, value: bytes, channel: Channel | None = None) -> None:
        self.real_ms += 50
        self.records.append(TopicRecord(stream, value, self.real_ms, channel))

    def inbound(self, message_id: str, at: datetime) -> None:
        payload = {
            "message_id": message_id,
            "from": "anna@example.com",
            "to": ["help@shop.example.com"],
            "subject": "Parcel",
            "text": "Where is it?",
            "received_at": at.isoformat(),
        }
        self._add(Stream.INBOUND, json.dumps(payload).encode(), Channel.EMAIL)

    def opened(self, ticket_id: str, at: datetime, channel: Channel) -> None:
        self.inbound(f"<{ticket_id}@x>", at)
        event = TicketOpened(
            event_id=derive_id("opened", ticket_id),
            occurred_at=at,
            correlation_id="c",
            ticket_id=ticket_id,
            channel=channel,
            source_message_id=f"<{ticket_id}@x>",
            customer=Customer(customer_key=f"c-{ticket_id}"),
            text="Where is it?",
            received_at=at,
            language="en",
            skill="orders_shipping",
        )
        self._add(Stream.TICKETS, event.to_json_bytes())

    def assigned(self, ticket_id: str, at: datetime, team_id: str, attempt: int = 1) -> str:
        kind = TEAMS[team_id][0]
        assignment = derive_id("assignment", ticket_id, str(attempt))
        event = TicketAssigned(
            event_id=derive_id("assigned", ticket_id, str(attempt)),
            occurred_at=at,
            correlation_id="c",
            ticket_id=ticket_id,
            assignment_id=assignment,
            attempt=attempt,
            team_id=team_id,
            team_kind=kind,
            mode="queue" if kind is TeamKind.IN_HOUSE else "offer",
            reason="test",
        )
        self._add(Stream.TICKETS, event.to_json_bytes())
        return str(assignment)

    def lifecycle(
        self, ticket_id: str, assignment: str, team_id: str, at: datetime, kind: str
    ) -> None:
        common = {
            "occurred_at": at,
            "correlation_id": "c",
            "ticket_id": ticket_id,
            "assignment_id": assignment,
            "team_id": team_id,
        }
        event: OfferAccepted | OfferRejected | FirstResponse | TicketResolved
        if kind == "accepted":
            event = OfferAccepted(event_id=derive_id("acc", assignment), **common)
        elif kind == "rejected":
            event = OfferRejected(event_id=derive_id("rej", assignment), reason="busy", **common)
        elif kind == "answered":
            event = FirstResponse(event_id=derive_id("fr", assignment), **common)
        else:
            event = TicketResolved(event_id=derive_id("res", assignment), **common)
        self._add(Stream.TICKETS, event.to_json_bytes())

    def sla(
        self,
        ticket_id: str,
        deadline: datetime,
        channel: Channel,
        team_id: str | None,
        *,
        metric: SlaMetric = SlaMetric.FIRST_RESPONSE,
        at_risk: bool = False,
    ) -> None:
        kind = TEAMS[team_id][0] if team_id else None
        cls = SlaAtRisk if at_risk else SlaBreached
        extra = {"used_share": 0.8} if at_risk else {}
        event = cls(
            event_id=derive_id("sla", ticket_id, metric.value, str(at_risk)),
            occurred_at=deadline,
            correlation_id="c",
            ticket_id=ticket_id,
            metric=metric,
            deadline=deadline,
            budget_seconds=3600,
            policy_id="default",
            channel=channel,
            priority=Priority.NORMAL,
            team_id=team_id,
            team_kind=kind,
            **extra,
        )
        self._add(Stream.SLA, event.to_json_bytes())

    def forecast(self, at: datetime, queue: str, arrivals: float, breaches: float) -> None:
        team, skill = queue.split("/")
        event = QueueForecast(
            event_id=derive_id("forecast", queue, at.isoformat()),
            occurred_at=at,
            correlation_id="c",
            queue_id=queue,
            team_id=team,
            team_kind=TEAMS[team][0],
            skill=skill,
            window_start=at,
            window_end=at + timedelta(hours=1),
            model="erlang_c",
            arrival_rate_per_hour=arrivals,
            baseline_arrival_rate_per_hour=arrivals / 2,
            service_rate_per_hour=4,
            agents=3,
            target_seconds=3600,
            target_service_level=0.8,
            predicted_service_level=0.7,
            predicted_breaches=breaches,
            peak=False,
        )
        self._add(Stream.FORECASTS, event.to_json_bytes())

    def dead_letter(self) -> None:
        self._add(Stream.DEAD_LETTERS, b"{}")


def small_run() -> list[TopicRecord]:
    """Two days, 48 tickets: in-house tickets answered in time, partner tickets (one
    offer rejected first), every fifth ticket breached, forecasts every hour."""
    run = RunBuilder()
    in_house, partners = ["tallinn-care", "warsaw-care"], ["nearshore-bpo", "manila-247"]
    for n in range(48):
        at = START + timedelta(hours=n, minutes=7)
        ticket_id, channel = f"t-{n:02d}", CHANNELS[n % len(CHANNELS)]
        run.opened(ticket_id, at, channel)
        if n % 3 == 2:
            team = partners[n % 2]
            first = run.assigned(ticket_id, at + timedelta(minutes=2), team)
            if n % 6 == 5:
                run.lifecycle(ticket_id, first, team, at + timedelta(minutes=4), "rejected")
                team = partners[(n + 1) % 2]
                first = run.assigned(ticket_id, at + timedelta(minutes=5), team, attempt=2)
            run.lifecycle(ticket_id, first, team, at + timedelta(minutes=6), "accepted")
        else:
            team = in_house[n % 2]
            first = run.assigned(ticket_id, at + timedelta(minutes=1), team)
        if n % 5 == 4:
            run.sla(ticket_id, at + timedelta(minutes=50), channel, team, at_risk=True)
            run.sla(ticket_id, at + timedelta(hours=1), channel, team)
            run.lifecycle(ticket_id, first, team, at + timedelta(minutes=70), "answered")
        else:
            run.lifecycle(ticket_id, first, team, at + timedelta(minutes=20), "answered")
        if n < 40:  # the last ones are still open at the end
            run.lifecycle(ticket_id, first, team, at + timedelta(minutes=90), "resolved")
        for queue, rate in (
            ("tallinn-care/orders_shipping", 0.6),
            ("manila-247/orders_shipping", 0.4),
        ):
            run.forecast(START + timedelta(hours=n, minutes=30), queue, rate, 0.1)
    run.dead_letter()
    return run.records


def policy_row(policy: str, met: int, judged: int, **fields: object) -> PolicyRow:
    """A row of the comparison: ``met`` of ``judged`` email tickets, as the report shows."""
    values: dict[str, object] = {
        "tickets": judged,
        "judged": judged,
        "met": met,
        "by_channel": {"email": (met, judged)},
        "worked_in_house": judged,
        "worked_by_partners": 0,
        "cost_in_house": 0.0,
        "cost_partners": 0.0,
        "against_policy": 0,
        "never_worked": 0,
    } | fields
    return PolicyRow(policy=policy, **values)  # type: ignore[arg-type]


def small_comparison() -> Comparison:
    """Switchboard's run beside two engine baselines on the same 48 tickets."""
    services = policy_row(SERVICES, 44, 48, cost_partners=40.0)
    engine = (
        policy_row("switchboard", 45, 48, cost_partners=38.0),
        policy_row("in_house_only", 30, 48),
        policy_row("least_loaded", 40, 48, cost_partners=55.0),
    )
    apart = Disagreement(
        compared=48,
        worse_in_services=2,
        better_in_services=1,
        reasons={"a different team took it (the load each router saw differed)": 3},
        only_in_services=0,
        only_in_engine=0,
    )
    return Comparison(services, engine, apart, checks(services, engine))
