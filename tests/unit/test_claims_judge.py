"""The judge of the agents' end-to-end test finds what it is there to find: a ticket on
two screens, an agent over its limit, an answer by someone who does not hold the
ticket, and a ticket leaving the queue unworked while an agent had room."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.agents import AgentPresence, AgentStatus
from schemas.queue import QueuedTicket
from schemas.tickets import (
    Actor,
    FirstResponse,
    TicketClaimed,
    TicketReleased,
    TicketResolved,
    TicketUnclaimed,
)
from tests.support.claims_judge import Verdict, judge

START = datetime(2026, 12, 2, 12, tzinfo=UTC)


class Events:
    """Events one second apart, with only the fields the judge reads."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def add(self, kind: type[Any], **fields: Any) -> None:
        moment = START + timedelta(seconds=len(self.events))
        self.events.append(
            kind.model_construct(event_id=uuid.uuid4(), occurred_at=moment, **fields)
        )

    def online(self, agent: str) -> None:
        self.add(AgentPresence, team_id="tallinn", agent_id=agent, status=AgentStatus.ONLINE)

    def queued(self, ticket: str) -> None:
        self.add(QueuedTicket, ticket_id=ticket)

    def claimed(self, ticket: str, agent: str) -> None:
        self.add(TicketClaimed, ticket_id=ticket, agent_id=agent)

    def answered(self, ticket: str, agent: str) -> None:
        self.add(FirstResponse, ticket_id=ticket, actor=Actor(kind="agent", id=agent))

    def resolved(self, ticket: str, agent: str) -> None:
        self.add(TicketResolved, ticket_id=ticket, actor=Actor(kind="agent", id=agent))

    def verdict(self, limit: int = 1) -> Verdict:
        return judge(
            self.events, limits={"anna": limit, "ben": limit}, gone_at={}, team_id="tallinn"
        )


def test_a_desk_that_works_has_no_problems() -> None:
    desk = Events()
    desk.online("anna")
    desk.queued("t1")
    desk.claimed("t1", "anna")
    desk.answered("t1", "anna")
    desk.resolved("t1", "anna")
    verdict = desk.verdict()
    assert verdict.problems == []
    assert (verdict.answered["t1"], verdict.resolved["t1"], verdict.claims) == (1, 1, 1)
    assert verdict.longest_idle == 1.0  # queued while anna had room, claimed a second later


def test_a_ticket_on_two_screens_is_found() -> None:
    desk = Events()
    desk.online("anna")
    desk.online("ben")
    desk.queued("t1")
    desk.claimed("t1", "anna")
    desk.claimed("t1", "ben")
    assert "t1 claimed by ben while anna held it" in desk.verdict().problems


def test_an_agent_over_its_limit_is_found() -> None:
    desk = Events()
    desk.online("anna")
    for ticket in ("t1", "t2"):
        desk.queued(ticket)
        desk.claimed(ticket, "anna")
    assert "anna over its limit with t2" in desk.verdict(limit=1).problems


def test_an_answer_by_someone_else_than_the_holder_is_found() -> None:
    desk = Events()
    desk.online("anna")
    desk.queued("t1")
    desk.claimed("t1", "anna")
    desk.answered("t1", "ben")
    assert "t1 answered by ben, not by its holder" in desk.verdict().problems


def test_a_ticket_given_up_while_an_agent_had_room_is_found() -> None:
    desk = Events()
    desk.online("anna")
    desk.queued("t1")
    desk.add(TicketReleased, ticket_id="t1", reason="team_gave_up: too slow")
    assert "t1 left the queue unworked while an agent had room" in desk.verdict().problems


def test_a_ticket_returned_to_the_queue_waits_again() -> None:
    desk = Events()
    desk.online("anna")
    desk.queued("t1")
    desk.claimed("t1", "anna")
    desk.add(TicketUnclaimed, ticket_id="t1", agent_id="anna", reason="no_first_response")
    desk.add(TicketReleased, ticket_id="t1", reason="team_gave_up: too slow")
    verdict = desk.verdict()
    assert verdict.returns["no_first_response"] == 1
    assert "t1 left the queue unworked while an agent had room" in verdict.problems
