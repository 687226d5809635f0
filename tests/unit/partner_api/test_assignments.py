"""The assignment state machine: what the API allows, and how it agrees with the router."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.partner_api import LIVE_STATUSES, Action, AssignmentStatus
from services.router.partner_api.domain.assignments import (
    TARGET,
    allowed_actions,
    expire,
    follow,
    refusal,
    withdraw,
)
from tests.support.partner_events import NOW

S = AssignmentStatus
A = Action
EXPIRES = NOW + timedelta(minutes=3)
MARGIN = timedelta(seconds=2)


def refused(status: AssignmentStatus, action: Action, at: timedelta = timedelta(0)) -> str | None:
    found = refusal(status, action, offer_expires_at=EXPIRES, now=NOW + at, accept_margin=MARGIN)
    return None if found is None else found.code


@pytest.mark.parametrize(
    ("status", "action", "code"),
    [
        (S.OFFERED, A.ACCEPT, None),
        (S.OFFERED, A.REJECT, None),
        (S.ACCEPTED, A.ACCEPT, "already_accepted"),  # an offer is accepted once
        (S.OFFERED, A.RESPOND, "not_allowed_while_offered"),
        (S.OFFERED, A.RESOLVE, "not_allowed_while_offered"),
        (S.OFFERED, A.RELEASE, "not_allowed_while_offered"),
        (S.ACCEPTED, A.REJECT, "not_allowed_while_accepted"),
        (S.ACCEPTED, A.RESPOND, None),
        (S.ACCEPTED, A.RESOLVE, None),
        (S.ACCEPTED, A.RELEASE, None),
        (S.RESPONDED, A.RESPOND, "already_responded"),  # one first response
        (S.RESPONDED, A.RESOLVE, None),
        (S.RESPONDED, A.RELEASE, None),
        (S.RESOLVED, A.RELEASE, "assignment_resolved"),  # a resolved ticket stays resolved
        (S.RESOLVED, A.RESOLVE, "already_resolved"),
        (S.REJECTED, A.ACCEPT, "assignment_rejected"),
        (S.EXPIRED, A.ACCEPT, "assignment_expired"),
        (S.RELEASED, A.RESOLVE, "assignment_released"),
        (S.WITHDRAWN, A.RESPOND, "assignment_withdrawn"),
    ],
)
def test_what_the_api_allows(status: AssignmentStatus, action: Action, code: str | None) -> None:
    assert refused(status, action) == code


def test_an_offer_cannot_be_accepted_once_it_expired_or_is_about_to() -> None:
    assert refused(S.OFFERED, A.ACCEPT, timedelta(minutes=2, seconds=57)) is None
    assert refused(S.OFFERED, A.ACCEPT, timedelta(minutes=2, seconds=58)) == "offer_expired"
    assert refused(S.OFFERED, A.ACCEPT, timedelta(minutes=4)) == "offer_expired"
    # A rejection needs no margin: rejecting late changes nothing the router would not do.
    assert refused(S.OFFERED, A.REJECT, timedelta(minutes=2, seconds=59)) is None
    assert refused(S.OFFERED, A.REJECT, timedelta(minutes=3)) == "offer_expired"


def test_allowed_actions_list_what_may_be_done_now() -> None:
    assert allowed_actions(S.OFFERED, EXPIRES, NOW, MARGIN) == [A.ACCEPT, A.REJECT]
    assert allowed_actions(S.OFFERED, EXPIRES, EXPIRES, MARGIN) == []
    assert allowed_actions(S.ACCEPTED, None, NOW) == [A.RESPOND, A.RESOLVE, A.RELEASE]
    assert allowed_actions(S.RESPONDED, None, NOW) == [A.RESOLVE, A.RELEASE]
    for final in set(S) - LIVE_STATUSES:
        assert allowed_actions(final, None, NOW) == []


statuses = st.sampled_from(list(S))
actions = st.sampled_from(list(A))
offsets = st.timedeltas(min_value=timedelta(minutes=-10), max_value=timedelta(minutes=10))


@given(status=statuses, action=actions, at=offsets)
def test_whatever_the_api_allows_the_router_applies(
    status: AssignmentStatus, action: Action, at: timedelta
) -> None:
    """Without a race, an action the API lets through is one the router (and so the view)
    applies, with the status the API promised."""
    if refused(status, action, at) is None:
        assert follow(status, action) is TARGET[action]


@given(status=statuses, action=actions)
def test_final_statuses_absorb_everything(status: AssignmentStatus, action: Action) -> None:
    if status in LIVE_STATUSES:
        assert expire(status) is S.EXPIRED
        assert withdraw(status) is S.WITHDRAWN
        return
    assert follow(status, action) is None
    assert expire(status) is None
    assert withdraw(status) is None
    assert refused(status, action) is not None


@settings(max_examples=300)
@given(script=st.lists(st.tuples(actions, offsets), max_size=12))
def test_any_sequence_of_requests_walks_the_machine_forward(
    script: list[tuple[Action, timedelta]],
) -> None:
    """Each action takes effect at most once, accept only while the offer is open, and the
    walk never returns to an earlier status."""
    order = [S.OFFERED, S.ACCEPTED, S.RESPONDED]
    status = S.OFFERED
    applied: list[Action] = []
    for action, at in script:
        if refused(status, action, at) is not None:
            continue
        if action is A.ACCEPT:
            assert NOW + at < EXPIRES - MARGIN
        before = status
        status = TARGET[action]
        applied.append(action)
        if status in order and before in order:
            assert order.index(status) > order.index(before)
    assert len(applied) == len(set(applied))
    assert len(applied) <= 3
    if applied and applied[0] is not A.ACCEPT:
        assert applied == [A.REJECT]
