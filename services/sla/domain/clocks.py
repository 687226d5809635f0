"""The SLA clocks of one ticket and the arithmetic of one clock.

A clock measures one metric (first response, next response, resolution) against a
budget in its policy's hours. While it runs it has a deadline and, until the warning is
out, an at-risk instant; while it is paused (the team waits on the customer) it only
remembers how much working time it used. Instants are integer milliseconds since the
Unix epoch (UTC), so that a million clocks pack small (see ``encoding``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from schemas.base import Channel, CustomerTier, Priority, SlaMetric, TeamKind
from schemas.config.sla import SlaConfig, SlaPolicy
from schemas.working_time import AROUND_THE_CLOCK, Calendar, calendars_from_config

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Whole milliseconds, rounded down in exact integer arithmetic: a deadline is due
    at ``now`` exactly when ``deadline_ms <= to_ms(now)`` (rounding to nearest made a
    breach up to half a millisecond early)."""
    return (moment - _EPOCH) // _MILLISECOND


class Phase(IntEnum):
    IDLE = 0  # not started: no customer message waits for a next response
    RUNNING = 1
    PAUSED = 2  # waiting on the customer
    STOPPED = 3  # met: answered or resolved


@dataclass(frozen=True, slots=True)
class MetricClock:
    phase: Phase = Phase.IDLE
    policy_id: str = ""
    calendar_id: str = ""  # "" is calendar hours (24/7)
    budget_ms: int = 0
    used_ms: int = 0  # working time used before the current run
    started_ms: int = 0  # when this clock (this round) started: the contact time
    deadline_ms: int = 0  # while running
    at_risk_ms: int = 0  # while running and not yet warned; 0: no warning to come
    warned: bool = False  # sla.at_risk announced (or made moot by the breach)
    breached: bool = False  # sla.breached announced
    fixed_deadline: bool = False  # the marketplace's own deadline governs (24/7)

    @property
    def running(self) -> bool:
        return self.phase is Phase.RUNNING

    @property
    def at_risk_open(self) -> bool:
        """Past the at-risk share, not breached, still measured."""
        return self.warned and not self.breached and self.phase in (Phase.RUNNING, Phase.PAUSED)

    def next_due_ms(self) -> int | None:
        if self.phase is not Phase.RUNNING or self.breached:
            return None
        if not self.warned and self.at_risk_ms:
            return min(self.at_risk_ms, self.deadline_ms)
        return self.deadline_ms


IDLE = MetricClock()


@dataclass(frozen=True, slots=True)
class TicketClocks:
    ticket_id: str
    correlation_id: str
    channel: Channel
    priority: Priority
    tier: CustomerTier
    marketplace: str | None
    skill: str
    cycle: str = ""  # "" in the ticket's first life; the reopening event's id after
    round: int = 0  # next-response rounds started so far
    team_id: str | None = None
    team_kind: TeamKind | None = None
    in_queue: bool = False  # counted in its team/skill queue until the first response
    first_response: MetricClock = IDLE
    next_response: MetricClock = IDLE
    resolution: MetricClock = IDLE

    def clock(self, metric: SlaMetric) -> MetricClock:
        clock: MetricClock = getattr(self, metric.value)
        return clock

    def with_clock(self, metric: SlaMetric, clock: MetricClock) -> TicketClocks:
        if metric is SlaMetric.FIRST_RESPONSE:
            return replace(self, first_response=clock)
        if metric is SlaMetric.NEXT_RESPONSE:
            return replace(self, next_response=clock)
        return replace(self, resolution=clock)

    @property
    def queue_id(self) -> str | None:
        return f"{self.team_id}/{self.skill}" if self.team_id else None

    def next_due_ms(self) -> int | None:
        dues = [due for m in SlaMetric if (due := self.clock(m).next_due_ms()) is not None]
        return min(dues) if dues else None

    def at_risk_open(self) -> tuple[SlaMetric, ...]:
        return tuple(m for m in SlaMetric if self.clock(m).at_risk_open)


@dataclass(frozen=True)
class SlaRules:
    """Policies and calendars: everything the clocks need from the config."""

    config: SlaConfig
    calendars: dict[str, Calendar]

    @classmethod
    def from_config(cls, config: SlaConfig) -> SlaRules:
        return cls(config, calendars_from_config(config.calendars))

    @property
    def at_risk_share(self) -> float:
        return self.config.at_risk_share

    def calendar(self, calendar_id: str) -> Calendar:
        # A calendar removed from the config since the clock started: count 24/7.
        return self.calendars.get(calendar_id, AROUND_THE_CLOCK)

    def policy(
        self, clocks: TicketClocks, at_ms: int, priority: Priority | None = None
    ) -> SlaPolicy:
        return self.config.policy_for(
            channel=clocks.channel,
            priority=priority or clocks.priority,
            tier=clocks.tier,
            marketplace=clocks.marketplace,
            at=datetime.fromtimestamp(at_ms / 1000, UTC),
        )


def target_ms(policy: SlaPolicy, metric: SlaMetric) -> int | None:
    target = {
        SlaMetric.FIRST_RESPONSE: policy.first_response,
        SlaMetric.NEXT_RESPONSE: policy.next_response,
        SlaMetric.RESOLUTION: policy.resolution,
    }[metric]
    return None if target is None else round(target.total_seconds() * 1000)


# -- one clock ---------------------------------------------------------------------------
def start(rules: SlaRules, policy: SlaPolicy, metric: SlaMetric, at_ms: int) -> MetricClock:
    """A clock for ``metric`` under ``policy`` starting at ``at_ms`` (idle: not measured)."""
    budget = target_ms(policy, metric)
    if budget is None:
        return IDLE
    clock = MetricClock(
        policy_id=policy.id,
        calendar_id=policy.business_hours or "",
        budget_ms=budget,
        started_ms=at_ms,
    )
    return run(rules, clock, at_ms)


def run(rules: SlaRules, clock: MetricClock, at_ms: int) -> MetricClock:
    """(Re)start ``clock`` at ``at_ms`` with the working time it has left."""
    calendar = rules.calendar(clock.calendar_id)
    remaining = clock.budget_ms - clock.used_ms
    if remaining >= 0:
        deadline = calendar.add(at_ms, remaining)
    else:
        deadline = calendar.subtract(at_ms, -remaining)
    at_risk = 0
    if not (clock.warned or clock.breached):
        threshold = math.ceil(rules.at_risk_share * clock.budget_ms)
        at_risk = (
            calendar.add(at_ms, threshold - clock.used_ms) if threshold > clock.used_ms else at_ms
        )
        at_risk = min(max(at_risk, 1), deadline) if deadline > at_ms else 0
    return replace(clock, phase=Phase.RUNNING, deadline_ms=deadline, at_risk_ms=at_risk)


def used_at(rules: SlaRules, clock: MetricClock, at_ms: int) -> int:
    """Working time ``clock`` has used by ``at_ms``."""
    if clock.phase is not Phase.RUNNING:
        return clock.used_ms
    return clock.budget_ms - rules.calendar(clock.calendar_id).between(at_ms, clock.deadline_ms)


def pause(rules: SlaRules, clock: MetricClock, at_ms: int) -> MetricClock:
    if clock.phase is not Phase.RUNNING:
        return clock
    return replace(
        clock,
        phase=Phase.PAUSED,
        used_ms=max(0, used_at(rules, clock, at_ms)),
        deadline_ms=0,
        at_risk_ms=0,
    )


def resume(rules: SlaRules, clock: MetricClock, at_ms: int) -> MetricClock:
    return run(rules, clock, at_ms) if clock.phase is Phase.PAUSED else clock


def stop(clock: MetricClock) -> MetricClock:
    if clock.phase in (Phase.RUNNING, Phase.PAUSED):
        return replace(clock, phase=Phase.STOPPED, at_risk_ms=0)
    return clock


def retarget(
    rules: SlaRules, clock: MetricClock, policy: SlaPolicy, metric: SlaMetric, at_ms: int
) -> MetricClock:
    """Apply ``policy``'s target to a started clock from ``at_ms`` on (priority changed).

    Working time used so far stays used; announcements already made stay made.
    """
    budget = target_ms(policy, metric)
    if budget is None or clock.phase not in (Phase.RUNNING, Phase.PAUSED):
        return clock
    if clock.fixed_deadline:
        # The marketplace's deadline stays unless the new target is stricter still.
        calendar = rules.calendar(policy.business_hours or "")
        if calendar.add(clock.started_ms, budget) >= clock.deadline_ms:
            return replace(clock, policy_id=policy.id)
        used = calendar.between(clock.started_ms, at_ms)
    else:
        used = used_at(rules, clock, at_ms)
    moved = replace(
        clock,
        policy_id=policy.id,
        calendar_id=policy.business_hours or "",
        budget_ms=budget,
        used_ms=max(0, used),
        fixed_deadline=False,
    )
    if clock.phase is Phase.PAUSED:
        return moved
    return run(rules, moved, at_ms)


def fixed(policy: SlaPolicy, started_ms: int, deadline_ms: int) -> MetricClock:
    """A first-response clock bound by the marketplace's own deadline (calendar hours)."""
    return MetricClock(
        policy_id=policy.id,
        budget_ms=max(0, deadline_ms - started_ms),
        used_ms=max(0, started_ms - deadline_ms),  # a deadline already past when it arrived
        started_ms=started_ms,
        fixed_deadline=True,
    )
