"""The SLA handler and timer work on a store, without Kafka: bytes in, clocks and queue
tallies in the store, announcements out once, state rebuilt after a restore."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from plumbing.clock import ManualClock
from plumbing.processor import DeadLetterError, Output, Step
from plumbing.store import StateStore
from plumbing.watermark import InputWatermarks
from schemas.base import CustomerTier, TeamKind
from schemas.sla import SLA_EVENT, SlaBreached
from schemas.tickets import Actor, TicketEvent, TicketResolved
from services.sla.domain import encoding
from services.sla.domain.history import QueueTally
from services.sla.handlers import ClockHandler
from services.sla.metrics import SlaMetrics
from services.sla.partitions import SlaState, tally_key
from services.sla.ticker import DeadlineTicker
from services.sla.timers import AnnounceDue
from tests.unit.sla.story import RULES, T0, Story

#: A watermark far ahead of any test's clock: the input is complete.
COMPLETE = 2**62


class FakeRecord:
    def __init__(self, value: bytes, offset: int = 0) -> None:
        self.topic = "tickets"
        self.partition = 0
        self.offset = offset
        self.key: bytes | None = b"t-1"
        self.value: bytes | None = value


class Desk:
    """One partition of the SLA service, driven by hand."""

    def __init__(self) -> None:
        self.store = StateStore[bytes]()
        self.state = SlaState()
        self.registry = CollectorRegistry()
        self.metrics = SlaMetrics(self.registry)
        #: The input watermark (ms): everything is known unless a test says otherwise.
        self.known_ms: int | None = COMPLETE
        self.handler = ClockHandler(
            rules=RULES,
            state=self.state,
            sla_topic="sla",
            metrics=self.metrics,
            known_until=lambda _: self.known_ms,
        )
        self.outputs: list[Output] = []

    def send(self, event: TicketEvent, now: datetime | None = None) -> None:
        step = Step[bytes](partition=0, store=self.store, now=now or event.occurred_at)
        self.handler(FakeRecord(event.to_json_bytes()), step)
        self.store.commit()
        self.outputs += step.outputs

    def tick(self, now: datetime) -> AnnounceDue:
        step = Step[bytes](partition=0, store=self.store, now=now)
        work = AnnounceDue(
            rules=RULES,
            state=self.state,
            sla_topic="sla",
            stats_topic="stats",
            known_ms=self.known_ms if self.known_ms is not None else -1,
        )
        work(step)
        self.store.commit()
        work.count(self.metrics, now)
        self.outputs += step.outputs
        return work

    def sla_events(self) -> list[object]:
        return [SLA_EVENT.validate_json(o.value or b"") for o in self.outputs if o.topic == "sla"]

    def sample(self, name: str, **labels: str) -> float:
        value = self.registry.get_sample_value(name, labels)
        return value or 0.0


def test_bytes_that_are_no_ticket_event_are_dead_lettered() -> None:
    desk = Desk()
    step = Step[bytes](partition=0, store=desk.store, now=T0)
    with pytest.raises(DeadLetterError) as refused:
        desk.handler(FakeRecord(b'{"type": "ticket.opened"}'), step)
    assert refused.value.kind == "schema_violation"


def test_breach_is_announced_once_with_the_team_and_counted() -> None:
    desk = Desk()
    story = Story()
    desk.send(story.opened(0))
    desk.send(story.opened(0))  # a duplicate changes nothing
    desk.send(story.assigned(1, "nearshore-bpo", TeamKind.PARTNER))
    for minutes in (100, 192, 200, 240, 241, 500):
        desk.tick(T0 + timedelta(minutes=minutes))
    events = desk.sla_events()
    assert [e.type for e in events] == ["sla.at_risk", "sla.breached"]  # type: ignore[attr-defined]
    breach = events[1]
    assert isinstance(breach, SlaBreached)
    assert (breach.team_id, breach.team_kind) == ("nearshore-bpo", TeamKind.PARTNER)
    labels = {
        "metric": "first_response",
        "channel": "email",
        "team_id": "nearshore-bpo",
        "team_kind": "partner",
    }
    assert desk.sample("switchboard_sla_breaches_total", **labels) == 1
    assert desk.sample("switchboard_sla_at_risk_total", **labels) == 1
    assert desk.sample("switchboard_sla_breach_lateness_seconds_count") == 1
    stored = encoding.decode("t-1", desk.store.get("t-1") or b"")
    assert stored.first_response.breached


def test_a_first_response_read_late_announces_the_breach_it_ends() -> None:
    desk = Desk()
    story = Story()
    desk.send(story.opened(0))
    desk.send(story.first_response(300), now=T0 + timedelta(hours=9))
    desk.tick(T0 + timedelta(hours=10))
    assert [e.metric.value for e in desk.sla_events()] == ["first_response"]  # type: ignore[attr-defined]


def test_queue_tallies_follow_arrivals_services_and_releases() -> None:
    desk = Desk()
    first, second = Story("t-1"), Story("t-2")
    desk.send(first.opened(0))
    desk.send(second.opened(0))
    desk.send(first.assigned(1))
    desk.send(second.assigned(1))
    desk.send(first.first_response(5))
    desk.send(second.released(6))
    tally = QueueTally.model_validate_json(
        desk.store.get(tally_key("tallinn-care/orders_shipping")) or b""
    )
    assert (tally.arrivals, tally.served, tally.waiting) == ({14400: 2}, 1, 0)
    desk.tick(T0 + timedelta(minutes=7))
    published = [o for o in desk.outputs if o.topic == "stats"]
    assert [o.key for o in published] == [b"tallinn-care/orders_shipping@0"]
    assert desk.state.partition(0).dirty_queues == set()


def test_state_rebuilt_after_a_restore_announces_what_the_old_one_would() -> None:
    desk = Desk()
    for number in range(5):
        story = Story(f"t-{number}")
        desk.send(story.opened(number * 10))
    desk.tick(T0 + timedelta(hours=4))  # t-0 breaches; the others only warn
    restored = StateStore[bytes]()
    keys = list(desk.store.keys())
    for key in keys:
        restored.restore(key, desk.store.get(key))
    fresh = Desk()
    fresh.store = restored
    fresh.state.on_ready(0, restored)
    assert fresh.state.open_tickets() == 5
    assert fresh.state.at_risk_open(encoding.METRICS[0]) == 4
    fresh.tick(T0 + timedelta(hours=5))
    breached = sorted(e.ticket_id for e in fresh.sla_events() if isinstance(e, SlaBreached))
    assert breached == ["t-1", "t-2", "t-3", "t-4"]


def test_resolving_forgets_the_ticket_and_its_counts() -> None:
    desk = Desk()
    story = Story()
    desk.send(story.opened(0))
    desk.tick(T0 + timedelta(hours=3, minutes=30))
    assert desk.state.at_risk_open(encoding.METRICS[0]) == 1
    desk.send(story.resolved(220))
    assert desk.store.get("t-1") is None
    assert desk.state.open_tickets() == 0
    assert desk.state.at_risk_open(encoding.METRICS[0]) == 0
    desk.tick(T0 + timedelta(days=9))
    assert [e.type for e in desk.sla_events()] == ["sla.at_risk"]  # type: ignore[attr-defined]


def test_a_partner_acting_on_a_ticket_it_gave_back_stops_no_clock() -> None:
    desk = Desk()
    story = Story()
    desk.send(story.opened(0))
    desk.send(story.assigned(1, "nearshore-bpo", TeamKind.PARTNER))
    desk.send(story.released(5))
    partner = Actor(kind="partner", id="nearshore-bpo", key_id="k1")
    late_reply = story.first_response(10).model_copy(update={"actor": partner})
    late_resolution = TicketResolved(
        **{**late_reply.model_dump(), "type": "ticket.resolved"}, resolution="done"
    )
    desk.send(late_reply)
    desk.send(late_resolution)
    # The partner lost the ticket: its late events neither answer nor close it, and the
    # first-response deadline (4 h) still breaches, unassigned.
    desk.tick(T0 + timedelta(hours=5))
    breaches = [e for e in desk.sla_events() if isinstance(e, SlaBreached)]
    assert [(b.metric.value, b.team_id) for b in breaches] == [("first_response", None)]


def test_response_and_resolution_times_in_wall_and_business_time_and_arrivals_by_hour() -> None:
    desk = Desk()
    desk.metrics.start_counters_at_zero([], "Europe/Tallinn")
    story = Story()  # a loyal customer's e-mail: office hours, lunch 12:00-12:30 Tallinn
    desk.send(story.opened(0, tier=CustomerTier.LOYAL))  # Tuesday 10:00 in Tallinn
    desk.send(story.assigned(1))
    desk.send(story.first_response(180))  # 13:00: 3 h, of which 2 h 30 min working time
    # A duplicate opening or a second first response measures nothing again.
    desk.send(story.opened(0, tier=CustomerTier.LOYAL))
    desk.send(story.first_response(200))
    desk.send(story.resolved(300))  # 15:00: 5 h, 4 h 30 min working time
    labels = {"channel": "email", "team_id": "tallinn-care", "team_kind": "in_house"}
    first = "switchboard_support_first_response_seconds"
    assert desk.sample(f"{first}_sum", **labels, time="wall") == 3 * 3600
    assert desk.sample(f"{first}_sum", **labels, time="business") == 2.5 * 3600
    assert desk.sample(f"{first}_count", **labels, time="wall") == 1
    resolution = "switchboard_support_resolution_seconds"
    assert desk.sample(f"{resolution}_sum", **labels, time="wall") == 5 * 3600
    assert desk.sample(f"{resolution}_sum", **labels, time="business") == 4.5 * 3600
    arrivals = {"channel": "email", "weekday": "tue", "hour": "10"}
    assert desk.sample("switchboard_support_arrivals_total", **arrivals) == 1


def test_a_tick_judges_no_further_than_the_watermark_when_its_work_runs() -> None:
    """The ticker's look and its work are two steps: a partition reset and reopened in
    between (a failed transaction) has its watermark started again, and the work staged
    with the look's bound must not judge beyond it."""
    desk = Desk()
    story = Story()
    desk.send(story.opened(0))
    desk.send(story.assigned(1, "nearshore-bpo", TeamKind.PARTNER))
    tp = TopicPartition("tickets", 0)
    watermarks = InputWatermarks(now_ms=lambda: 0, highs=cast("Any", None), grace_seconds=1.0)
    ticker = DeadlineTicker(
        processor=cast("Any", None),
        watermarks=watermarks,
        state=desk.state,
        rules=RULES,
        metrics=desk.metrics,
        clock=ManualClock(T0),
        sla_topic="sla",
        stats_topic="stats",
        tick_seconds=1.0,
    )
    late = T0 + timedelta(minutes=500)
    work = AnnounceDue(
        rules=RULES, state=desk.state, sla_topic="sla", stats_topic="stats", known_ms=COMPLETE
    )
    step = Step[bytes](partition=0, store=desk.store, now=late)
    watermarks.reset(tp)  # what on_ready does when the partition reopens

    ticker._judge(tp, work, step)

    assert work.known_ms == -1
    assert [o for o in step.outputs if o.topic == "sla"] == []
    assert not encoding.decode("t-1", desk.store.get("t-1") or b"").first_response.breached
