"""Judge an in-house desk from its events alone: the ``tickets`` topic (claims, answers,
resolutions) and ``agents.presence``, folded in event time.

The router writes every claim decision with its own clock, so the order of
``occurred_at`` across partitions is the order it decided in. Agents are present from
their first ``online`` announcement until ``away``/``offline`` or until ``gone_at``
(the moment the test killed the terminal: a dead terminal says nothing).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.agents import AgentPresence, AgentStatus
from schemas.queue import QueuedTicket
from schemas.tickets import (
    FirstResponse,
    TicketClaimed,
    TicketReleased,
    TicketResolved,
    TicketUnclaimed,
)


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    answered: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    claims: int = 0
    returns: Counter[str] = field(default_factory=Counter)
    #: The longest stretch (seconds) during which a ticket waited while an agent had room:
    #: the router's reaction time on this machine, a figure to print, not to assert.
    longest_idle: float = 0.0
    peak_held: dict[str, int] = field(default_factory=dict)


class _Desk:
    """The desk as the events so far tell it."""

    def __init__(self, verdict: Verdict, limits: dict[str, int], team_id: str) -> None:
        self.verdict, self.limits, self.team_id = verdict, limits, team_id
        self.holder: dict[str, str] = {}
        self.held: Counter[str] = Counter()
        self.waiting: set[str] = set()
        self.present: set[str] = set()

    def idle(self) -> bool:
        """A ticket waits while an agent there has room."""
        room = any(self.held[a] < self.limits.get(a, 1) for a in self.present)
        return bool(self.waiting) and room

    def presence(self, event: AgentPresence, gone_at: dict[str, datetime]) -> None:
        if event.team_id != self.team_id:
            return
        dead = event.agent_id in gone_at and event.occurred_at >= gone_at[event.agent_id]
        if event.status is AgentStatus.ONLINE and not dead:
            self.present.add(event.agent_id)
        else:
            self.present.discard(event.agent_id)

    def claimed(self, event: TicketClaimed) -> None:
        key, agent, verdict = event.ticket_id, event.agent_id, self.verdict
        verdict.claims += 1
        if key in self.holder:
            verdict.problems.append(f"{key} claimed by {agent} while {self.holder[key]} held it")
        self.holder[key] = agent
        self.held[agent] += 1
        self.waiting.discard(key)
        if self.held[agent] > self.limits.get(agent, 1):
            verdict.problems.append(f"{agent} over its limit with {key}")
        verdict.peak_held[agent] = max(verdict.peak_held.get(agent, 0), self.held[agent])

    def unclaimed(self, event: TicketUnclaimed) -> None:
        key = event.ticket_id
        self.verdict.returns[event.reason] += 1
        if self.holder.get(key) != event.agent_id:
            self.verdict.problems.append(f"{key} unclaimed by {event.agent_id}, not its holder")
        self.held[self.holder.pop(key, event.agent_id)] -= 1
        self.waiting.add(key)

    def gone(self, event: TicketResolved | TicketReleased) -> None:
        key = event.ticket_id
        if isinstance(event, TicketResolved):
            self.verdict.resolved[key] += 1
            self._by_holder(key, event.actor.id, "resolved")
        if key in self.holder:
            self.held[self.holder.pop(key)] -= 1
        self.waiting.discard(key)

    def answered(self, event: FirstResponse) -> None:
        self.verdict.answered[event.ticket_id] += 1
        self._by_holder(event.ticket_id, event.actor.id, "answered")

    def _by_holder(self, key: str, actor: str, what: str) -> None:
        if self.holder.get(key) != actor:
            self.verdict.problems.append(f"{key} {what} by {actor}, not by its holder")


def judge(
    events: list[Any],
    *,
    limits: dict[str, int],
    gone_at: dict[str, datetime],
    team_id: str,
) -> Verdict:
    verdict = Verdict()
    desk = _Desk(verdict, limits, team_id)
    unique = {str(e.event_id): e for e in events}
    kills = sorted((moment, agent) for agent, moment in gone_at.items())
    idle_since: datetime | None = None
    for event in sorted(unique.values(), key=lambda e: e.occurred_at):
        while kills and kills[0][0] <= event.occurred_at:
            desk.present.discard(kills.pop(0)[1])
        match event:
            case AgentPresence():
                desk.presence(event, gone_at)
            case QueuedTicket():
                desk.waiting.add(event.ticket_id)
            case TicketClaimed():
                desk.claimed(event)
            case TicketUnclaimed():
                desk.unclaimed(event)
            case TicketResolved() | TicketReleased():
                desk.gone(event)
            case FirstResponse():
                desk.answered(event)
            case _:
                pass
        idle = desk.idle()
        if idle and idle_since is None:
            idle_since = event.occurred_at
        elif not idle and idle_since is not None:
            span = (event.occurred_at - idle_since).total_seconds()
            verdict.longest_idle = max(verdict.longest_idle, span)
            idle_since = None
            if isinstance(event, TicketResolved | TicketReleased):
                verdict.problems.append(
                    f"{event.ticket_id} left the queue unworked while an agent had room"
                )
    return verdict


def by_ticket(events: list[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        if hasattr(event, "ticket_id"):
            grouped[event.ticket_id].append(event)
    return grouped
