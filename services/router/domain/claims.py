"""Who of an in-house team works a queued ticket. Pure: the router asks, in the ticket's
partition transaction, and these functions answer; first claim wins because a ticket's
claims are decided one at a time, in its partition's order.

A queued ticket is either *waiting* (nobody holds it) or *held* by one agent
(``TicketRoute.hold``). An agent gets a ticket by asking (``ticket.claim_requested``:
``next`` or ``claim`` in the terminal) or from the team's distribution, which gives the
most urgent waiting ticket to an online agent with room. A held ticket goes back to
waiting when the agent lets go, logs out, goes quiet (no heartbeat) or has not answered
within the team's ``respond_within``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from schemas.tickets import RefusalReason, UnclaimReason
from services.router.domain.presence import Standing
from services.router.domain.state import Hold, TicketRoute

Distribution = Literal["least_loaded", "round_robin"]


@dataclass(frozen=True, slots=True)
class Seat:
    """One agent as a claim decision sees it."""

    agent_id: str
    standing: Standing
    held: int
    limit: int
    last_claimed: float = -math.inf  # when the agent last got a ticket (any clock)

    @property
    def has_room(self) -> bool:
        """Gets tickets from the distribution: online and under its limit."""
        return self.standing == "online" and self.held < self.limit


def refusal(
    state: TicketRoute | None, team_id: str, assignment: object, seat: Seat
) -> RefusalReason | None:
    """Why the agent may not have the ticket, or None: granted (or already its own).
    Away agents may still ask for work; offline and lost ones may not."""
    if (
        state is None
        or state.status != "queued"
        or state.team_id != team_id
        or state.assignment_id != assignment
    ):
        return "not_queued"
    if state.hold is not None:
        return None if state.hold.agent_id == seat.agent_id else "held_by_another"
    if seat.standing not in ("online", "away"):
        return "not_online"
    if seat.held >= seat.limit:
        return "at_limit"
    return None


def pick(seats: Iterable[Seat], distribution: Distribution) -> Seat | None:
    """The agent who gets the next waiting ticket, or None when nobody has room.

    Least loaded: fewest tickets held, then the one who waited longest for its last
    ticket. Round robin: the one who waited longest, whatever it holds. Ties end on the
    agent id, so the choice depends only on its inputs."""
    free = [seat for seat in seats if seat.has_room]
    if not free:
        return None
    if distribution == "least_loaded":
        return min(free, key=lambda s: (s.held, s.last_claimed, s.agent_id))
    return min(free, key=lambda s: (s.last_claimed, s.agent_id))


def claim(state: TicketRoute, agent_id: str, now: datetime) -> TicketRoute:
    return replace(state, hold=Hold(agent_id, now))


def unclaim(state: TicketRoute) -> TicketRoute:
    return replace(state, hold=None)


def answered(state: TicketRoute) -> TicketRoute | None:
    """The ticket's first response: whoever holds it now or later is not quiet, and
    answers it with later replies. None when nothing changes."""
    if state.answered:
        return None
    return replace(state, answered=True)


def return_reason(
    state: TicketRoute, standing: Standing, now: datetime, respond_within: timedelta
) -> UnclaimReason | None:
    """Why a held ticket goes back to the team's queue now, or None: it stays."""
    hold = state.hold
    if hold is None:
        return None
    if standing == "offline":
        return "logout"
    if standing == "lost":
        return "agent_offline"
    if not state.answered and now - hold.since >= respond_within:
        return "no_first_response"
    return None


def waiting_order(state: TicketRoute) -> tuple[int, datetime, datetime]:
    """Waiting tickets go to agents most urgent first, then nearest deadline, then oldest."""
    facts = state.facts
    return (-facts.priority.rank, facts.first_response_due, facts.received_at)


#: ``queue_position`` packs ``waiting_order`` in one int (a tuple of a datetime pair cost
#: ~230 bytes per waiting ticket, and a Black Friday queues hundreds of thousands).
_MICROS_BIAS = 1 << 63  # instants in microseconds since the epoch, made non-negative
_FIELD_BITS = 64
_MOST_URGENT_RANK = 8  # above every priority rank


def queue_position(rank: int, due_micros: int, received_micros: int) -> int:
    """``waiting_order`` as one int: smaller is served first, the same order exactly."""
    return (
        ((_MOST_URGENT_RANK - rank) << (2 * _FIELD_BITS))
        | ((due_micros + _MICROS_BIAS) << _FIELD_BITS)
        | (received_micros + _MICROS_BIAS)
    )


def position_bounds(rank: int, due_from: int, due_to: int | None) -> tuple[int, int | None]:
    """The positions of tickets of this rank due in [due_from, due_to) microseconds (no
    upper bound when ``due_to`` is None), for a range query on positions."""
    low = queue_position(rank, due_from, -_MICROS_BIAS)
    if due_to is None:
        return low, queue_position(rank - 1, -_MICROS_BIAS, -_MICROS_BIAS) - 1
    return low, queue_position(rank, due_to, -_MICROS_BIAS) - 1


def due_of(position: int) -> int:
    """The first-response deadline in microseconds, back from a queue position."""
    return ((position >> _FIELD_BITS) & ((1 << _FIELD_BITS) - 1)) - _MICROS_BIAS


def team_gives_up(online_agents: int, predicted_wait: float, budget_seconds: float) -> bool:
    """A waiting ticket leaves the team (the router routes it again) when nobody of the
    team is online, or when the team's predicted wait no longer fits the time left to
    the first-response deadline. Once the deadline has passed no team can make it: the
    ticket stays for the team's next free agent."""
    if online_agents == 0:
        return True
    return budget_seconds > 0 and predicted_wait > budget_seconds
