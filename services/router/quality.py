"""What the router learns about each team's quality from the ticket log.

It remembers who resolved each ticket (resolved tickets are kept for
``ROUTER_RESOLVED_RETENTION``), so it can tell, per team and per desk day of the
resolution, how many resolutions were followed within the first-contact window by a
reopen (``ticket.reopened`` of that ticket) or a repeat contact (a new ticket whose
``repeat_of`` names the team), and what the customers rated (``ticket.rated``). The
counts go into the partition's tally (``~tally.<partition>``, so they survive restarts
and every instance sums them), where the overflow choice reads them, and into the
``switchboard_support_*`` counters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from plumbing.processor import Step
from schemas.tickets import TicketEvent, TicketOpened, TicketRated
from services.router.domain import tally
from services.router.domain.registry import Registry
from services.router.domain.state import PartitionTally, RouterRecord, TicketRoute
from services.router.metrics import RouterMetrics

TallyChange = Callable[[PartitionTally], PartitionTally]


@dataclass
class QualityTracker:
    registry: Registry
    metrics: RouterMetrics
    update_tally: Callable[[Step[RouterRecord], TallyChange], None]
    save: Callable[[Step[RouterRecord], str, TicketRoute | None, TicketRoute | None], None]

    def resolved(self, step: Step[RouterRecord], state: TicketRoute, team_id: str) -> None:
        """The router took ``team_id``'s resolution of the ticket."""
        team = self.registry.by_id.get(team_id)
        if team is None:
            return
        self._count(step, team_id, step.now, resolved=1)
        self.metrics.resolutions.labels(state.facts.channel.value, team_id, team.kind.value).inc()

    def reopened(self, step: Step[RouterRecord], state: TicketRoute, at: datetime) -> None:
        """A resolved ticket was reopened by the customer's message at ``at``."""
        if state.team_id is not None and state.resolved_at is not None:
            self._recontact(step, state.team_id, state.resolved_at, at, state, kind="reopen")

    def opened(self, step: Step[RouterRecord], event: TicketOpened, state: TicketRoute) -> None:
        """A new ticket; a repeat contact about a resolved one counts against its team."""
        again = event.repeat_of
        if again is not None and again.resolved_by_team is not None:
            self._recontact(
                step,
                again.resolved_by_team,
                again.resolved_at,
                event.received_at,
                state,
                kind="repeat_contact",
            )

    def noticed(self, step: Step[RouterRecord], event: TicketEvent, state: TicketRoute) -> None:
        """An event that routes nothing: a rating counts (and marks the ticket rated)."""
        if isinstance(event, TicketRated):
            rated = self.rated(step, event, state)
            if rated is not state:
                self.save(step, event.ticket_id, state, rated)

    def rated(
        self, step: Step[RouterRecord], event: TicketRated, state: TicketRoute
    ) -> TicketRoute:
        """A CSAT rating, about the team it names or else the team that holds or resolved
        the ticket. One per ticket counts (the first): a retried or repeated rating is
        stale; one about no team the router knows is counted as an unknown event."""
        if state.rated:
            self.metrics.stale_events.labels(event.type).inc()
            return state
        team_id = event.team_id or state.team_id
        team = self.registry.by_id.get(team_id) if team_id else None
        if team is None:
            self.metrics.unknown_ticket_events.labels(event.type).inc()
            return state
        self._count(step, team.id, event.occurred_at, score=event.score)
        channel = state.facts.channel.value
        self.metrics.csat.labels(channel, team.id, team.kind.value).observe(event.score)
        return state.model_copy(update={"rated": True})

    def _recontact(
        self,
        step: Step[RouterRecord],
        team_id: str,
        resolved_at: datetime,
        at: datetime,
        state: TicketRoute,
        *,
        kind: str,
    ) -> None:
        team = self.registry.by_id.get(team_id)
        # Only the upper bound: the router stamps a resolution when it reads it, so a
        # reopen can carry a customer time a little before that.
        if team is None or at > resolved_at + self.registry.quality.first_contact_window:
            return
        self._count(step, team_id, resolved_at, recontacted=1)
        self.metrics.recontacts.labels(
            state.facts.channel.value, team_id, team.kind.value, kind
        ).inc()

    def _count(
        self,
        step: Step[RouterRecord],
        team_id: str,
        moment: datetime,
        *,
        resolved: int = 0,
        recontacted: int = 0,
        score: int | None = None,
    ) -> None:
        day = tally.desk_day(self.registry, moment)
        oldest = tally.quality_kept_since(self.registry, step.now)
        self.update_tally(
            step,
            lambda current: tally.record_quality(
                current,
                team_id,
                day,
                oldest_day=oldest,
                resolved=resolved,
                recontacted=recontacted,
                score=score,
            ),
        )
