"""The assignment state machine, twice: what the API lets a partner do, and what the
router (the authority) makes of the events that reach ``tickets``.

::

    offered --accept--> accepted --first_response--> responded --resolve--> resolved
       |                   |  \\__________________________resolve__________/
       +--reject--> rejected   +--release--> released   (also from responded)
       +--(router: not accepted in time)--> expired
    any live status --(router: resolved by someone else, or assigned elsewhere)--> withdrawn

``refusal`` is the API's check, made against the view and the clock before an event is
written; it is strict (an offer can be accepted once, not after it expired, a resolved
assignment cannot be released). ``follow`` mirrors the router's own rules for events in
log order, which are looser (the router takes a release or a resolution of any live
assignment, and its own expiry wins over an accept it had not read yet). Events the API
wrote after a lost race are judged by ``follow``, so the view agrees with the router.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.partner_api import LIVE_STATUSES, Action, AssignmentStatus

S = AssignmentStatus

#: The status each partner action leads to.
TARGET: dict[Action, AssignmentStatus] = {
    Action.ACCEPT: S.ACCEPTED,
    Action.REJECT: S.REJECTED,
    Action.RESPOND: S.RESPONDED,
    Action.RESOLVE: S.RESOLVED,
    Action.RELEASE: S.RELEASED,
}

#: Where the API lets each action start.
ALLOWED_FROM: dict[Action, frozenset[AssignmentStatus]] = {
    Action.ACCEPT: frozenset({S.OFFERED}),
    Action.REJECT: frozenset({S.OFFERED}),
    Action.RESPOND: frozenset({S.ACCEPTED}),
    Action.RESOLVE: frozenset({S.ACCEPTED, S.RESPONDED}),
    Action.RELEASE: frozenset({S.ACCEPTED, S.RESPONDED}),
}

#: Where the router applies each event (``services/router/handlers.py``): accepts and
#: rejections only on the live offer; releases and resolutions by the partner on any
#: assignment that still holds a slot; its own expiry whenever it fired.
FOLLOWED_FROM: dict[Action, frozenset[AssignmentStatus]] = {
    Action.ACCEPT: frozenset({S.OFFERED}),
    Action.REJECT: frozenset({S.OFFERED}),
    Action.RESPOND: frozenset({S.ACCEPTED}),
    Action.RESOLVE: LIVE_STATUSES,
    Action.RELEASE: LIVE_STATUSES,
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def offer_open(expires_at: datetime | None, now: datetime, margin: timedelta) -> bool:
    """An offer may still be taken: ``margin`` before it expires, so that an accept
    reaches the router before the router's own timer expires it."""
    return expires_at is None or now < expires_at - margin


def refusal(
    status: AssignmentStatus,
    action: Action,
    *,
    offer_expires_at: datetime | None,
    now: datetime,
    accept_margin: timedelta,
) -> Refusal | None:
    """Why the API refuses ``action`` on an assignment in ``status`` now (None: allowed)."""
    target = TARGET[action]
    if status not in ALLOWED_FROM[action]:
        if status is target:
            return Refusal(f"already_{status.value}", f"the assignment is already {status.value}")
        if status not in LIVE_STATUSES:
            return Refusal(
                f"assignment_{status.value}",
                f"the assignment is {status.value}; it can no longer be changed",
            )
        allowed = ", ".join(a.value for a in Action if status in ALLOWED_FROM[a])
        return Refusal(
            f"not_allowed_while_{status.value}",
            f"'{action.value}' is not possible while the assignment is {status.value}"
            + (f" (possible now: {allowed})" if allowed else ""),
        )
    if status is S.OFFERED:
        margin = accept_margin if action is Action.ACCEPT else timedelta(0)
        if not offer_open(offer_expires_at, now, margin):
            return Refusal(
                "offer_expired",
                "the offer expired"
                + (" (or expires in a moment)" if action is Action.ACCEPT else "")
                + "; the ticket moves on to another team",
            )
    return None


def allowed_actions(
    status: AssignmentStatus,
    offer_expires_at: datetime | None,
    now: datetime,
    accept_margin: timedelta = timedelta(0),
) -> list[Action]:
    return [
        action
        for action in Action
        if refusal(
            status, action, offer_expires_at=offer_expires_at, now=now, accept_margin=accept_margin
        )
        is None
    ]


def follow(status: AssignmentStatus, action: Action) -> AssignmentStatus | None:
    """The status after a partner event the router reads in log order; None: the router
    ignores it (stale or duplicate) and so does the view."""
    if status not in FOLLOWED_FROM[action]:
        return None
    return TARGET[action]


def expire(status: AssignmentStatus) -> AssignmentStatus | None:
    """The router's ``ticket.offer_expired``: it fired while the router still saw an offer,
    so an accept written before it but read after it lost."""
    return S.EXPIRED if status in LIVE_STATUSES else None


def withdraw(status: AssignmentStatus) -> AssignmentStatus | None:
    return S.WITHDRAWN if status in LIVE_STATUSES else None
