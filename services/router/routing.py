"""The router's shell around the policy: state writes that keep the load view and the
indexes in step with the store, routing attempts, and what they emit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from plumbing.processor import Step
from plumbing.store import StateStore
from schemas.config import SwitchboardConfig
from schemas.topics import queue_name
from services.router import events
from services.router.changelog import FORMAT_KEY, FormatMark, RouterRecord
from services.router.domain import lifecycle, packing, tally
from services.router.domain.budget import SlaTargets
from services.router.domain.policy import Decision, decide
from services.router.domain.registry import Registry, TeamProfile
from services.router.domain.room import takes_tickets
from services.router.domain.state import PartitionTally, TicketRoute, tally_key
from services.router.indexes import Indexes
from services.router.loadbook import LoadBook
from services.router.metrics import RouterMetrics
from services.router.quality import QualityTracker

#: Per key written by the current record or timer work: its state before, and the last
#: state written (to undo the indexes and the load view when the work fails).
_Touched = dict[tuple[int, str], tuple[TicketRoute | None, TicketRoute | None]]


class Watcher(Protocol):
    """Keeps an index of owned partitions beside the store (the claims' holdings)."""

    def saved(
        self, partition: int, key: str, old: TicketRoute | None, new: TicketRoute | None
    ) -> None: ...
    def ready(self, partition: int, entries: Iterable[tuple[str, object]]) -> None:
        """An owned partition was restored: its store's entries (packed tickets and
        the partition's other records)."""


@dataclass
class Router:
    config: SwitchboardConfig
    registry: Registry
    book: LoadBook
    tickets_topic: str
    topic: Callable[[str], str]
    metrics: RouterMetrics
    on_waiting: Callable[[], None] = lambda: None  # a ticket waits for a drain (wake the timer)
    watchers: list[Watcher] = field(default_factory=list)
    sla: SlaTargets = field(init=False)
    quality: QualityTracker = field(init=False)
    indexes: Indexes = field(init=False)
    _touched: _Touched = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.sla = SlaTargets.from_config(self.config.sla)
        self.indexes = Indexes(self.registry)
        self.quality = QualityTracker(self.registry, self.metrics, self._update_tally, self.save)
        self.metrics.start_support_at_zero(self.config.teams)

    # -- state ---------------------------------------------------------------------
    def ticket(self, store: StateStore[RouterRecord], key: str) -> TicketRoute | None:
        value = store.get(key)
        return packing.unpack(key, value) if isinstance(value, bytes) else None

    def save(
        self, step: Step[RouterRecord], key: str, old: TicketRoute | None, new: TicketRoute | None
    ) -> None:
        partition = step.partition
        if new is None:
            step.store.delete(key)
            data = None
        else:
            if not self.indexes.marked(partition):
                # Before the partition's first packed record: a previous router reading
                # the changelog stops here, with the reason (see ``changelog``).
                step.store.put(FORMAT_KEY, FormatMark())
                self.indexes.set_marked(partition, True)
            data = packing.pack(new)
            step.store.put(key, data)
        before = self._touched.get((partition, key))
        self._touched[(partition, key)] = (old if before is None else before[0], new)
        self.book.ticket_changed(partition, old, new)
        self.indexes.track(partition, key, data, packing.micros(step.now))
        for watcher in self.watchers:
            watcher.saved(partition, key, old, new)

    def partition_ready(
        self, partition: int, store: StateStore[Any], now: datetime | None = None
    ) -> None:
        """Rebuild this partition's indexes and load from its store (after a restore);
        waiting tickets with the relaxation rings open at ``now`` (see ``Indexes``)."""
        load = self.indexes.rebuild(partition, store, None if now is None else packing.micros(now))
        self.book.partition_ready(partition, load.slots, load.tally)
        for watcher in self.watchers:  # packed records, read without decoding
            watcher.ready(partition, store.items())

    def partition_revoked(self, partition: int) -> None:
        self.book.partition_revoked(partition)
        self.indexes.drop(partition)

    def begin(self) -> None:
        """A record or timer work starts: what it writes can be undone (``undo``)."""
        self._touched.clear()

    def undo(self, partition: int, store: StateStore[RouterRecord]) -> None:
        """The store forgot the current work's writes: so do the indexes and the load view."""
        for (written_in, key), (before, written) in self._touched.items():
            if written_in != partition:
                continue
            self.book.ticket_changed(partition, written, before)
            for watcher in self.watchers:
                watcher.saved(partition, key, written, before)
            value = store.get(key)
            self.indexes.track(partition, key, value if isinstance(value, bytes) else None)
        self._touched.clear()
        current = store.get(tally_key(partition))
        if isinstance(current, PartitionTally):
            self.book.tally_changed(partition, current)
        self.indexes.set_marked(partition, isinstance(store.get(FORMAT_KEY), FormatMark))

    def _update_tally(
        self, step: Step[RouterRecord], change: Callable[[PartitionTally], PartitionTally]
    ) -> None:
        key = tally_key(step.partition)
        current = step.store.get(key)
        if not isinstance(current, PartitionTally):
            current = PartitionTally(partition=step.partition)
        updated = change(current)
        step.store.put(key, updated)
        self.book.tally_changed(step.partition, updated)

    # -- routing ---------------------------------------------------------------------
    def can_take(self, team_id: str, now: datetime) -> bool:
        """The team could take a ticket now (``domain.room``), and is not throttled."""
        team = self.registry.by_id[team_id]
        return takes_tickets(team, self.book.load(team, now), now) and not self.book.throttled(
            team_id
        )

    def route_or_wait(self, step: Step[RouterRecord], key: str, state: TicketRoute) -> TicketRoute:
        """Route now, unless a team this ticket may go to can take one and an older or more
        urgent ticket waits for it: then wait behind it; the timer drains in order."""
        order = self.indexes.order(step.partition, key, state, step.now)
        waiting = self.indexes.waiting
        for team in order[4]:
            if not self.can_take(team, step.now):
                continue  # the usual case behind a standing backlog: nothing to compare
            best = waiting.best_for(team)
            if best is not None and best < order:
                self.indexes.park(order)
                self.on_waiting()
                return state
        return self.route(step, key, state)

    def route(self, step: Step[RouterRecord], key: str, state: TicketRoute) -> TicketRoute:
        now = step.now
        decision = decide(self.registry, lifecycle.routing_request(state, now), self.book, now)
        team = decision.team
        if team is None:
            if state.stall_announced:
                return state
            stalled = events.routing_stalled(key, state, decision, now)
            step.emit(self.tickets_topic, stalled.to_json_bytes(), key=key.encode())
            self.metrics.stalled.inc()
            return lifecycle.stall(state)
        if self.book.throttled(team.id):
            self.metrics.held.labels(team.id).inc()
            self.indexes.hold(team.id, self.indexes.order(step.partition, key, state, step.now))
            return state
        assigned = lifecycle.assign(state, key, team, now)
        self._emit_assignment(step, key, assigned, decision)
        self._count_assignment(step, team, now)
        self.book.decision_made(key, team.id, assigned.attempt, step.partition)
        if self.book.bound.at_limit(team.id):
            step.commit_soon()  # the read-back, and the tickets held for the team, sooner
        self.metrics.routed.labels(team.id, team.kind.value).inc()
        if team.partner:
            self.metrics.offers.labels(team.id, "offered").inc()
            if decision.overflow_reason is not None:
                self.metrics.overflow.labels(decision.overflow_reason.value).inc()
        return assigned

    def _emit_assignment(
        self, step: Step[RouterRecord], key: str, state: TicketRoute, decision: Decision
    ) -> None:
        assigned = events.ticket_assigned(key, state, decision, step.now)
        step.emit(self.tickets_topic, assigned.to_json_bytes(), key=key.encode())
        if state.status == "queued" and state.team_id is not None:
            queued = events.queued(key, state, step.now, decision)
            step.emit(
                self.topic(queue_name(state.team_id)), queued.to_json_bytes(), key=key.encode()
            )

    def _count_assignment(self, step: Step[RouterRecord], team: TeamProfile, now: datetime) -> None:
        desk_day = now.astimezone(self.registry.desk_zone).date().isoformat()
        contract_day = (
            now.astimezone(team.contract_zone).date().isoformat() if team.partner else None
        )
        self._update_tally(
            step,
            lambda current: tally.record_assignment(
                current,
                team.id,
                now,
                desk_day=desk_day,
                to_partner=team.partner,
                contract_day=contract_day,
            ),
        )

    # -- leaving a team --------------------------------------------------------------
    def withdraw_from_queue(
        self, step: Step[RouterRecord], key: str, state: TicketRoute, reason: str
    ) -> None:
        """An in-house ticket moves on: take it out of the team's queue."""
        if state.status != "queued" or state.team_id is None or state.assignment_id is None:
            return
        withdrawn = events.withdrawn(
            key,
            assignment=state.assignment_id,
            team_id=state.team_id,
            correlation_id=state.facts.correlation_id,
            reason=reason,
            now=step.now,
        )
        step.emit(
            self.topic(queue_name(state.team_id)), withdrawn.to_json_bytes(), key=key.encode()
        )

    def resolve(
        self, step: Step[RouterRecord], key: str, state: TicketRoute, resolved_by: str
    ) -> TicketRoute:
        now = step.now
        self.quality.resolved(step, state, resolved_by)
        if state.holds_slot and state.team_id is not None:
            held = lifecycle.held_seconds(state, now)
            if state.team_id == resolved_by and held is not None:
                team_id = state.team_id
                self._update_tally(
                    step, lambda current: tally.record_resolution(current, team_id, now, held)
                )
            if state.status == "queued":
                closed = events.closed(key, state, resolved_by, now)
                step.emit(
                    self.topic(queue_name(state.team_id)), closed.to_json_bytes(), key=key.encode()
                )
        return lifecycle.resolve(state, now)
