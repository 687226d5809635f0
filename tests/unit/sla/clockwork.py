"""Drive one ticket's clocks through events and timer ticks the way the service does
(pure: no store, no Kafka), recording every announcement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from schemas.base import SlaMetric
from schemas.sla import SlaAtRisk, SlaBreached
from schemas.tickets import TicketEvent, TicketOpened, TicketReopened
from services.sla.domain import encoding
from services.sla.domain.announcements import Announcement, due, overdue, to_event
from services.sla.domain.clocks import SlaRules, TicketClocks, to_ms
from services.sla.domain.lifecycle import (
    answered,
    apply,
    event_time_ms,
    open_ticket,
    reopen_ticket,
)


@dataclass
class Clockwork:
    rules: SlaRules
    clocks: TicketClocks | None = None
    announced: list[tuple[int, SlaAtRisk | SlaBreached]] = field(default_factory=list)
    served: int = 0

    def send(
        self, event: TicketEvent, now: datetime | None = None, known: datetime | None = None
    ) -> None:
        """``known``: the input's watermark when the event is read (default: ``now``,
        everything before it was read)."""
        now_ms = to_ms(now) if now is not None else event_time_ms(event)
        known_ms = to_ms(known) if known is not None else now_ms
        if self.clocks is None:
            if isinstance(event, TicketOpened):
                self.clocks = open_ticket(self.rules, event)
            elif isinstance(event, TicketReopened):
                self.clocks = reopen_ticket(self.rules, event)
            return
        current, late = overdue(
            self.rules,
            self.clocks,
            min(event_time_ms(event), now_ms),
            known_ms=known_ms,
            answered=answered(self.clocks, event),
        )
        self._record(current, late, now_ms)
        transition = apply(self.rules, current, event)
        self.served += transition.served
        self.clocks = transition.clocks
        self._check_round_trip()

    def tick(self, now: datetime | int, known: datetime | None = None) -> None:
        """A timer tick at ``now``, judging time up to the watermark ``known``."""
        now_ms = now if isinstance(now, int) else to_ms(now)
        if known is not None:
            now_ms = min(now_ms, to_ms(known))
        if self.clocks is None:
            return
        self.clocks, announcements = due(self.rules, self.clocks, now_ms)
        self._record(self.clocks, announcements, now_ms)
        self._check_round_trip()

    def _record(self, clocks: TicketClocks, announcements: list[Announcement], now_ms: int) -> None:
        now = datetime.fromtimestamp(now_ms / 1000, UTC)
        for announcement in announcements:
            self.announced.append((now_ms, to_event(clocks, announcement, now)))

    def _check_round_trip(self) -> None:
        if self.clocks is not None:
            packed = encoding.encode(self.clocks)
            assert encoding.decode(self.clocks.ticket_id, packed) == self.clocks
            assert encoding.next_due_ms(packed) == self.clocks.next_due_ms()

    @property
    def state(self) -> TicketClocks:
        assert self.clocks is not None, "the ticket has no clocks"
        return self.clocks

    # -- what was said -------------------------------------------------------------
    def kinds(self) -> list[tuple[str, str]]:
        return [(event.type, event.metric.value) for _, event in self.announced]

    def breaches(self, metric: SlaMetric | None = None) -> list[SlaBreached]:
        return [
            e
            for _, e in self.announced
            if isinstance(e, SlaBreached) and (metric is None or e.metric is metric)
        ]

    def deadline(self, metric: SlaMetric) -> datetime:
        assert self.clocks is not None
        return datetime.fromtimestamp(self.clocks.clock(metric).deadline_ms / 1000, UTC)
