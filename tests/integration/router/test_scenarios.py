"""The router on a real broker, scenario by scenario, on a hand-moved clock."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from schemas.base import CustomerTier, Priority, TeamKind
from schemas.queue import QueuedTicket
from schemas.teams import TeamCapacity
from schemas.tickets import (
    OfferExpired,
    OfferRejected,
    RoutingStalled,
    TicketAssigned,
    TicketResolved,
)
from tests.integration.router.support import (
    FRIDAY_EVENING,
    MONDAY_MORNING,
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
    router_settings,
    running_router,
)

pytestmark = [pytest.mark.kafka]


def topics(prefix: str, *names: str) -> list[str]:
    return [f"{prefix}{name}" for name in names]


async def test_after_hours_goes_to_a_partner_a_rejection_elsewhere_then_in_house_on_monday(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(FRIDAY_EVENING)
    settings = router_settings(kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml"))
    tickets = f"{topic_prefix}tickets"
    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "tickets", "queue.tallinn")) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        ticket = opened(at=clock.now())
        await producer.send(tickets, ticket)
        first = (await log.wait_for(lambda: log.assignments(ticket.ticket_id), what="offer"))[0]
        # After hours the in-house team is closed: the cheapest open partner gets an offer.
        assert (first.team_id, first.team_kind, first.mode) == ("manila", TeamKind.PARTNER, "offer")
        assert first.offer_expires_at == clock.now() + timedelta(seconds=30)
        assert "Tallinn Care closed (outside working hours)" in first.reason
        closed = next(a for a in first.alternatives if a.team_id == "tallinn")
        assert (closed.eligible, closed.note) == (False, "closed (outside working hours)")

        # Manila rejects: the ticket goes elsewhere, never back to Manila.
        reject = OfferRejected(
            event_id=uuid.uuid4(),
            occurred_at=clock.now(),
            correlation_id=ticket.correlation_id,
            ticket_id=ticket.ticket_id,
            assignment_id=first.assignment_id,
            team_id="manila",
            reason="no German speakers tonight",
        )
        await producer.send(tickets, reject)
        second = (
            await log.wait_for(lambda: log.assignments(ticket.ticket_id)[1:], what="re-route")
        )[0]
        assert (second.team_id, second.attempt) == ("riga", 2)
        assert "manila" not in {a.team_id for a in second.alternatives if a.eligible}

        # Riga lets the offer expire: the router's timer says so and nobody is left.
        clock.advance(timedelta(seconds=31))
        stalled = await log.wait_for(
            lambda: log.of(RoutingStalled, ticket.ticket_id), what="stalled after expiry"
        )
        expired = log.of(OfferExpired, ticket.ticket_id)
        assert [(e.team_id, e.assignment_id) for e in expired] == [("riga", second.assignment_id)]
        assert "gave this ticket back before" in stalled[0].reason

        # Monday morning Tallinn opens and takes it from the backlog, through its queue.
        clock.set(MONDAY_MORNING)
        # The assignment (on tickets) and the queued ticket (on queue.tallinn) commit
        # together, but the log may fetch one topic before the other: wait for both.
        await log.wait_for(
            lambda: (
                log.assignments(ticket.ticket_id)[2:] and log.of(QueuedTicket, ticket.ticket_id)
            ),
            what="the third assignment and its queued ticket",
        )
        queued = log.of(QueuedTicket, ticket.ticket_id)
        assignments = log.assignments(ticket.ticket_id)
        assert [(a.team_id, a.attempt) for a in assignments] == [
            ("manila", 1),
            ("riga", 2),
            ("tallinn", 3),
        ]
        assert queued[0].assignment_id == assignments[-1].assignment_id
        assert len(log.of(OfferExpired, ticket.ticket_id)) == 1


async def test_vip_and_payment_disputes_never_leave_the_house(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    settings = router_settings(kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml"))
    tickets = f"{topic_prefix}tickets"
    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "tickets")) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        # Tallinn has 2 slots; fill them.
        busy = [opened(at=clock.now()) for _ in range(2)]
        for ticket in busy:
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: len(log.of(TicketAssigned)) == 2, what="two assignments")
        assert {a.team_id for a in log.of(TicketAssigned)} == {"tallinn"}

        vip = opened(at=clock.now(), tier=CustomerTier.VIP, priority=Priority.HIGH)
        dispute = opened(at=clock.now(), skill="payments_billing", subject="Chargeback")
        normal = opened(at=clock.now())
        for ticket in (vip, dispute, normal):
            await producer.send(tickets, ticket)
        await log.wait_for(
            lambda: (
                log.assignments(normal.ticket_id)
                and log.of(RoutingStalled, vip.ticket_id)
                and log.of(RoutingStalled, dispute.ticket_id)
            ),
            what="overflow and two stalls",
        )
        # The ordinary ticket overflows; the VIP and the dispute wait for the house.
        assert log.assignments(normal.ticket_id)[0].team_kind is TeamKind.PARTNER
        for kept in (vip, dispute):
            assert not log.assignments(kept.ticket_id)
            reason = log.of(RoutingStalled, kept.ticket_id)[0].reason
            assert "every eligible team is at capacity: Tallinn Care at capacity (2/2)" in reason

        # Each resolution frees a slot: the VIP (higher priority) first, then the dispute.
        for done, expected in zip(busy, (vip, dispute), strict=True):
            assignment = log.assignments(done.ticket_id)[0]
            resolved = TicketResolved(
                event_id=uuid.uuid4(),
                occurred_at=clock.now(),
                correlation_id=done.correlation_id,
                ticket_id=done.ticket_id,
                assignment_id=assignment.assignment_id,
                team_id="tallinn",
            )
            await producer.send(tickets, resolved)
            ticket_id = expected.ticket_id
            routed = await log.wait_for(
                lambda: log.assignments(ticket_id),  # noqa: B023 - awaited in this iteration
                what="in-house assignment",
            )
            assert routed[0].team_id == "tallinn"
        other = dispute if log.assignments(vip.ticket_id) else vip
        assert log.assignments(other.ticket_id)[0].team_id == "tallinn"
        partners = {a.ticket_id for a in log.of(TicketAssigned) if a.team_kind is TeamKind.PARTNER}
        assert partners == {normal.ticket_id}


async def test_nobody_eligible_stalls_then_routes_when_the_team_comes_online(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    settings = router_settings(kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml"))
    tickets, teams = f"{topic_prefix}tickets", f"{topic_prefix}teams"

    def capacity(online: bool, agents: int) -> TeamCapacity:
        return TeamCapacity(
            event_id=uuid.uuid4(),
            occurred_at=clock.now(),
            correlation_id="supervisor",
            team_id="tallinn",
            online=online,
            agents_on_shift=agents,
            announced_by="supervisor@tallinn",
        )

    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "tickets", "teams.dlq")) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        await producer.send(teams, capacity(online=False, agents=2), key="tallinn")
        # Bad records on the teams topic are dead-lettered, never silently ignored.
        await producer.send_raw(teams, b"ghost", b'{"type": "team.capacity"}')
        await producer.send_raw(
            teams, b"berlin", capacity(True, 3).to_json_bytes().replace(b'"tallinn"', b'"berlin"')
        )
        await log.wait_for(lambda: len(log.on("teams.dlq")) == 2, what="two dead letters")
        dispute = opened(at=clock.now(), skill="payments_billing", subject="Double charge")
        await producer.send(tickets, dispute)
        stalled = await log.wait_for(lambda: log.of(RoutingStalled, dispute.ticket_id))
        assert "Tallinn Care offline (taken offline by a supervisor)" in stalled[0].reason

        await producer.send(teams, capacity(online=True, agents=3), key="tallinn")
        routed = await log.wait_for(lambda: log.assignments(dispute.ticket_id), what="routed")
        assert routed[0].team_id == "tallinn"
        assert "0/3 busy" in routed[0].reason  # the run-time capacity, not the config's 2
        kinds = sorted(letter.error_kind for letter in log.on("teams.dlq"))
        assert kinds == ["schema_violation", "unknown_team"]

    # A restarted router reads the teams topic again: the bad records are not written twice.
    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "teams.dlq", "tickets")) as again,
    ):
        another = opened(at=clock.now(), skill="payments_billing")
        async with Producer(kafka_bootstrap) as producer:
            await producer.send(tickets, another)
        await again.wait_for(lambda: again.assignments(another.ticket_id), what="routed")
        assert len(again.on("teams.dlq")) == 2


async def test_the_load_view_is_rebuilt_from_kafka_after_a_restart(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = ManualClock(WEDNESDAY_NOON)
    settings = router_settings(kafka_bootstrap, topic_prefix, desk_config(tmp_path / "c.yaml"))
    tickets = f"{topic_prefix}tickets"
    first = [opened(at=clock.now()) for _ in range(2)]
    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "tickets")) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        for ticket in first:
            await producer.send(tickets, ticket)
        await log.wait_for(lambda: len(log.of(TicketAssigned)) == 2, what="two assignments")
    assert {a.team_id for a in log.of(TicketAssigned)} == {"tallinn"}

    async with (
        running_router(settings, clock),
        EventLog(kafka_bootstrap, topics(topic_prefix, "tickets")) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        later = opened(at=clock.now())
        await producer.send(tickets, later)
        routed = await log.wait_for(lambda: log.assignments(later.ticket_id), what="routed")
        # Tallinn's two slots are still taken: the new router knows it without being told.
        assert routed[0].team_kind is TeamKind.PARTNER
        assert "Tallinn Care at capacity (2/2)" in routed[0].reason
        assert len(log.of(TicketAssigned)) == 3  # nothing was routed twice
