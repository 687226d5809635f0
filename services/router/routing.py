"""The router's shell around the policy: state writes that keep the load view and the
backlog index in step with the store, routing attempts, and what they emit."""

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
from services.router.backlog import Backlog
from services.router.domain import lifecycle, tally
from services.router.domain.budget import SlaTargets
from services.router.domain.policy import Decision, decide
from services.router.domain.registry import Registry, TeamProfile, TicketProfile
from services.router.domain.rings import open_levels
from services.router.domain.state import PartitionTally, RouterRecord, TicketRoute, tally_key
from services.router.loadbook import LoadBook
from services.router.metrics import RouterMetrics
from services.router.quality import QualityTracker

#: Within one drain of the backlog, tickets with the same profile, declined teams and
#: wider rings open that stalled once stall again (assignments only take room away):
#: decide once.
DrainMemo = dict[tuple[TicketProfile, frozenset[str], int], Decision]


class Watcher(Protocol):
    """Keeps an index of owned partitions beside the store (the claims' holdings)."""

    def saved(
        self, partition: int, key: str, old: TicketRoute | None, new: TicketRoute | None
    ) -> None: ...
    def ready(self, partition: int, entries: Iterable[tuple[str, Any]]) -> None: ...


@dataclass
class Router:
    config: SwitchboardConfig
    registry: Registry
    book: LoadBook
    backlog: Backlog
    tickets_topic: str
    topic: Callable[[str], str]
    metrics: RouterMetrics
    watchers: list[Watcher] = field(default_factory=list)
    sla: SlaTargets = field(init=False)
    quality: QualityTracker = field(init=False)

    def __post_init__(self) -> None:
        self.sla = SlaTargets.from_config(self.config.sla)
        self.quality = QualityTracker(self.registry, self.metrics, self._update_tally, self.save)
        self.metrics.start_support_at_zero(self.config.teams)

    # -- state ---------------------------------------------------------------------
    def ticket(self, store: StateStore[RouterRecord], key: str) -> TicketRoute | None:
        value = store.get(key)
        return value if isinstance(value, TicketRoute) else None

    def save(
        self, step: Step[RouterRecord], key: str, old: TicketRoute | None, new: TicketRoute | None
    ) -> None:
        if new is None:
            step.store.delete(key)
        else:
            step.store.put(key, new)
        self.book.ticket_changed(step.partition, old, new)
        self.backlog.track(step.partition, key, new)
        for watcher in self.watchers:
            watcher.saved(step.partition, key, old, new)

    def resync(self, partition: int, store: StateStore[RouterRecord]) -> None:
        """Rebuild this partition's indexes from its store (after a partial failure)."""
        entries = [(key, value) for key in list(store.keys()) if (value := store.get(key))]
        self.book.partition_ready(partition, entries)
        self.backlog.rebuild(partition, entries)
        for watcher in self.watchers:
            watcher.ready(partition, entries)

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
    def route_or_wait(self, step: Step[RouterRecord], key: str, state: TicketRoute) -> TicketRoute:
        """Route now, unless older or more urgent tickets of this partition are waiting:
        then join the backlog, which the timer drains in order."""
        if self.backlog.has_pending(step.partition):
            return state
        return self.route(step, key, state)

    def route(
        self,
        step: Step[RouterRecord],
        key: str,
        state: TicketRoute,
        memo: DrainMemo | None = None,
    ) -> TicketRoute:
        now = step.now
        request = lifecycle.routing_request(state, now)
        rings_open = open_levels(self.registry, request.ticket, request.waited_seconds)
        memo_key = (request.ticket, request.declined, rings_open)
        decision = memo.get(memo_key) if memo is not None else None
        if decision is None:
            decision = decide(self.registry, request, self.book, now)
        team = decision.team
        if team is None:
            if memo is not None:
                memo[memo_key] = decision
            if state.stall_announced:
                return state
            stalled = events.routing_stalled(key, state, decision, now)
            step.emit(self.tickets_topic, stalled.to_json_bytes(), key=key.encode())
            self.metrics.stalled.inc()
            return lifecycle.stall(state)
        if self.book.throttled(team.id):
            self.metrics.held.labels(team.id).inc()
            return state
        assigned = lifecycle.assign(state, key, team, now)
        self._emit_assignment(step, key, assigned, decision)
        self._count_assignment(step, team, now)
        assert assigned.assignment_id is not None
        self.book.decision_made(key, team.id, assigned.assignment_id)
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
