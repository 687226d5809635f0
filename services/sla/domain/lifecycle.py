"""How ticket events move a ticket's clocks. Event times, not processing times, start,
stop and pause clocks, so a service that catches up after a restart reaches the same
clocks as one that never stopped.

* ``ticket.opened`` starts first response and resolution at ``received_at``; the
  marketplace's own reply deadline replaces the first-response deadline when stricter.
* ``ticket.assigned`` records the team; it never resets a running clock.
* ``ticket.first_response`` stops the first-response clock; ``ticket.agent_replied``
  stops the next-response clock. Either pauses resolution when it waits on the customer
  (``awaiting_customer``), and a reply that does not wait resumes it.
* ``ticket.message_added`` (the customer wrote) resumes resolution and, once the first
  response is out, starts a next-response round if none runs.
* ``ticket.priority_changed`` re-targets started clocks under the new priority's policy.
* ``ticket.resolved`` ends the ticket's clocks (the record is dropped).
* ``ticket.reopened`` gives a forgotten ticket a new life (a new ``cycle``): resolution
  and a next-response round start from the customer's message.

Each clock takes its target from the policy set in force when it started (its contact
time), so a seasonal set applies to contacts made during the season.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from schemas.base import CustomerTier, Priority, SlaMetric
from schemas.tickets import (
    AgentReplied,
    FirstResponse,
    MessageAdded,
    OfferExpired,
    OfferRejected,
    PriorityChanged,
    TicketAssigned,
    TicketEvent,
    TicketOpened,
    TicketReleased,
    TicketReopened,
    TicketResolved,
)
from services.sla.domain.clocks import (
    MetricClock,
    Phase,
    SlaRules,
    TicketClocks,
    fixed,
    pause,
    resume,
    retarget,
    run,
    start,
    stop,
    to_ms,
)

FR = SlaMetric.FIRST_RESPONSE
NR = SlaMetric.NEXT_RESPONSE
RES = SlaMetric.RESOLUTION


@dataclass(frozen=True, slots=True)
class Transition:
    clocks: TicketClocks | None  # None: nothing to keep
    served: bool = False  # the ticket left its queue answered (forecast service count)


def open_ticket(rules: SlaRules, opened: TicketOpened) -> TicketClocks:
    at = to_ms(opened.received_at)
    clocks = TicketClocks(
        ticket_id=opened.ticket_id,
        correlation_id=opened.correlation_id,
        channel=opened.channel,
        priority=opened.priority,
        tier=opened.customer.tier,
        marketplace=opened.marketplace,
        skill=opened.skill,
    )
    policy = rules.policy(clocks, at)
    first = start(rules, policy, FR, at)
    if opened.reply_deadline is not None:
        own = to_ms(opened.reply_deadline)
        if own < first.deadline_ms:
            first = run(rules, fixed(policy, at, own), at)
    return replace(clocks, first_response=first, resolution=start(rules, policy, RES, at))


def reopen_ticket(rules: SlaRules, reopened: TicketReopened) -> TicketClocks:
    """A resolved ticket's record is gone, so its priority, tier and marketplace are not
    known any more: the reopened ticket is matched on its channel alone."""
    at = to_ms(reopened.received_at)
    clocks = TicketClocks(
        ticket_id=reopened.ticket_id,
        correlation_id=reopened.correlation_id,
        channel=reopened.channel,
        priority=Priority.NORMAL,
        tier=CustomerTier.STANDARD,
        marketplace=None,
        skill="",
        cycle=reopened.event_id.hex,
        first_response=MetricClock(phase=Phase.STOPPED),  # answered in its first life
    )
    policy = rules.policy(clocks, at)
    clocks = replace(clocks, resolution=start(rules, policy, RES, at))
    return _start_next_round(rules, clocks, at)


def event_time_ms(event: TicketEvent) -> int:
    """When the event happened: a customer message when it was received."""
    if isinstance(event, MessageAdded | TicketReopened | TicketOpened):
        return to_ms(event.received_at)
    return to_ms(event.occurred_at)


def apply(rules: SlaRules, clocks: TicketClocks, event: TicketEvent) -> Transition:
    """The clocks after ``event`` (any ticket event but ``ticket.opened``)."""
    transition = Transition(clocks)
    match event:
        case TicketAssigned():
            waiting = clocks.first_response.phase is Phase.RUNNING
            transition = Transition(
                replace(clocks, team_id=event.team_id, team_kind=event.team_kind, in_queue=waiting)
            )
        case OfferRejected() | OfferExpired() | TicketReleased() if event.team_id == clocks.team_id:
            transition = Transition(
                replace(clocks, team_id=None, team_kind=None, in_queue=False),
                served=False,
            )
        case FirstResponse() | AgentReplied() | TicketResolved() if _lost_partner(clocks, event):
            pass  # a partner acting on a ticket it no longer holds: the router ignored it too
        case FirstResponse() | AgentReplied():
            transition = _replied(rules, clocks, event)
        case MessageAdded() | TicketReopened():
            transition = Transition(_customer_wrote(rules, clocks, to_ms(event.received_at)))
        case PriorityChanged():
            transition = Transition(_reprioritised(rules, clocks, event))
        case TicketResolved():
            transition = Transition(None, served=clocks.in_queue)
    return transition


def answered(clocks: TicketClocks, event: TicketEvent) -> frozenset[SlaMetric]:
    """The clocks ``event`` itself ends, whose breach its own time decides: a reply ends
    first response (an agent's reply the next response too), a resolution every clock.
    Any other event only shows that time went on (``announcements.overdue``)."""
    match event:
        case FirstResponse() | AgentReplied() | TicketResolved() if _lost_partner(clocks, event):
            return frozenset()
        case FirstResponse():
            return frozenset({FR})
        case AgentReplied():
            return frozenset({FR, NR})
        case TicketResolved():
            return frozenset(SlaMetric)
    return frozenset()


def _lost_partner(
    clocks: TicketClocks, event: FirstResponse | AgentReplied | TicketResolved
) -> bool:
    """A late event from a partner the ticket has left (released, expired, assigned
    elsewhere): the partner API refuses such actions, but one can lose a race."""
    return event.actor.kind == "partner" and event.team_id != clocks.team_id


def _replied(
    rules: SlaRules, clocks: TicketClocks, event: FirstResponse | AgentReplied
) -> Transition:
    at = to_ms(event.occurred_at)
    served = clocks.in_queue
    if clocks.first_response.phase is Phase.RUNNING:
        # An agent reply before ticket.first_response still answers the customer.
        clocks = replace(clocks, first_response=stop(clocks.first_response))
    clocks = replace(clocks, in_queue=False)
    if isinstance(event, AgentReplied):  # a repeated ticket.first_response answers nothing new
        clocks = replace(clocks, next_response=stop(clocks.next_response))
    if event.awaiting_customer:
        clocks = replace(clocks, resolution=pause(rules, clocks.resolution, at))
    else:
        clocks = replace(clocks, resolution=resume(rules, clocks.resolution, at))
    return Transition(clocks, served=served)


def _customer_wrote(rules: SlaRules, clocks: TicketClocks, at: int) -> TicketClocks:
    clocks = replace(clocks, resolution=resume(rules, clocks.resolution, at))
    if clocks.first_response.phase is Phase.STOPPED and not clocks.next_response.running:
        clocks = _start_next_round(rules, clocks, at)
    return clocks


def _start_next_round(rules: SlaRules, clocks: TicketClocks, at: int) -> TicketClocks:
    clock = start(rules, rules.policy(clocks, at), NR, at)
    if clock.phase is Phase.IDLE:
        return clocks  # the policy does not measure next responses
    return replace(clocks, next_response=clock, round=clocks.round + 1)


def _reprioritised(rules: SlaRules, clocks: TicketClocks, event: PriorityChanged) -> TicketClocks:
    at = to_ms(event.occurred_at)
    for metric in SlaMetric:
        clock = clocks.clock(metric)
        if clock.phase in (Phase.RUNNING, Phase.PAUSED):
            policy = rules.policy(clocks, clock.started_ms, priority=event.priority)
            clocks = clocks.with_clock(metric, retarget(rules, clock, policy, metric, at))
    return replace(clocks, priority=event.priority)
