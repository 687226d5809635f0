"""What falls due as time passes: ``sla.at_risk`` once a clock used the at-risk share
of its budget, ``sla.breached`` once its deadline passed. Each is announced once per
ticket, metric, next-response round and ticket life: the flags that say so are kept
with the clocks and committed with the announcement, and the event id is derived from
the same parts, so a replay yields the same id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from schemas.base import SlaMetric, derive_id
from schemas.sla import SlaAtRisk, SlaBreached
from services.sla.domain.clocks import MetricClock, SlaRules, TicketClocks, used_at

Kind = Literal["sla.at_risk", "sla.breached"]
AT_RISK: Kind = "sla.at_risk"
BREACHED: Kind = "sla.breached"


@dataclass(frozen=True, slots=True)
class Announcement:
    kind: Kind
    metric: SlaMetric
    clock: MetricClock
    used_share: float


def due(
    rules: SlaRules, clocks: TicketClocks, now_ms: int
) -> tuple[TicketClocks, list[Announcement]]:
    """The clocks after announcing what fell due by ``now_ms``, and the announcements.

    A breach makes a warning that was still to come moot: it is not sent.
    """
    announcements: list[Announcement] = []
    for metric in SlaMetric:
        clock = clocks.clock(metric)
        if not clock.running or clock.breached:
            continue
        if now_ms >= clock.deadline_ms:
            used = used_at(rules, clock, now_ms)
            announcements.append(Announcement(BREACHED, metric, clock, _share(used, clock)))
            clock = replace(clock, breached=True, warned=True, at_risk_ms=0)
        elif not clock.warned and clock.at_risk_ms and now_ms >= clock.at_risk_ms:
            used = used_at(rules, clock, now_ms)
            announcements.append(Announcement(AT_RISK, metric, clock, _share(used, clock)))
            clock = replace(clock, warned=True, at_risk_ms=0)
        else:
            continue
        clocks = clocks.with_clock(metric, clock)
    return clocks, announcements


def overdue(
    rules: SlaRules,
    clocks: TicketClocks,
    at_ms: int,
    *,
    known_ms: int | None = None,
    answered: frozenset[SlaMetric] = frozenset(),
) -> tuple[TicketClocks, list[Announcement]]:
    """Breaches an event read now reveals, not announced yet.

    An event is applied only after these: a reply that comes after the deadline (read
    late, e.g. after a restart, before any timer saw the deadline) must not hide the
    breach it ends. ``at_ms`` is the event's own time (capped by the clock). For the
    metrics the event itself ``answered`` (a reply, a resolution) that time is the
    answer, which came first in the partition. For the others the event only shows
    that time went on; whether an answer from before the deadline is still on its way
    is for the input's watermark ``known_ms`` to say (None: not known yet), so they
    are judged at the earlier of the two. Warnings are not caught up: the event decides
    whether they matter.
    """
    announcements: list[Announcement] = []
    for metric in SlaMetric:
        clock = clocks.clock(metric)
        if metric in answered:
            at = at_ms
        elif known_ms is None:
            continue
        else:
            at = min(at_ms, known_ms)
        if clock.running and not clock.breached and at >= clock.deadline_ms:
            used = used_at(rules, clock, at)
            announcements.append(Announcement(BREACHED, metric, clock, _share(used, clock)))
            clocks = clocks.with_clock(
                metric, replace(clock, breached=True, warned=True, at_risk_ms=0)
            )
    return clocks, announcements


def _share(used_ms: int, clock: MetricClock) -> float:
    return max(0.0, used_ms / clock.budget_ms) if clock.budget_ms else 1.0


def announcement_id(clocks: TicketClocks, kind: str, metric: SlaMetric) -> uuid.UUID:
    parts = [kind, clocks.ticket_id, metric.value]
    if metric is SlaMetric.NEXT_RESPONSE:
        parts.append(str(clocks.round))
    if clocks.cycle:
        parts.append(clocks.cycle)
    return derive_id(*parts)


def to_event(
    clocks: TicketClocks, announcement: Announcement, now: datetime
) -> SlaAtRisk | SlaBreached:
    clock = announcement.clock
    fields: dict[str, Any] = {
        "event_id": announcement_id(clocks, announcement.kind, announcement.metric),
        "occurred_at": now,
        "correlation_id": clocks.correlation_id,
        "ticket_id": clocks.ticket_id,
        "metric": announcement.metric,
        "deadline": datetime.fromtimestamp(clock.deadline_ms / 1000, UTC),
        "budget_seconds": clock.budget_ms / 1000,
        "policy_id": clock.policy_id,
        "channel": clocks.channel,
        "priority": clocks.priority,
        "team_id": clocks.team_id,
        "team_kind": clocks.team_kind,
    }
    if announcement.kind == AT_RISK:
        return SlaAtRisk.model_validate({**fields, "used_share": round(announcement.used_share, 4)})
    return SlaBreached.model_validate(fields)
