"""The support desk's figures on /metrics, driven through a real broker: the router's
resolutions, reopens and repeat contacts within the first-contact window and CSAT; the
SLA service's first-response and resolution times (wall and business) and arrivals by
hour of the week."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from plumbing.clock import ManualClock
from schemas.base import Channel
from schemas.tickets import (
    FirstResponse,
    RepeatOf,
    TicketRated,
    TicketReopened,
    TicketResolved,
)
from services.sla.app import build as build_sla
from services.sla.settings import SlaSettings
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
    router_settings,
    running_router,
)

pytestmark = [pytest.mark.kafka]

T = WEDNESDAY_NOON  # Wednesday 10:00 UTC


async def test_the_support_figures_follow_the_ticket_log(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    config = desk_config(tmp_path / "c.yaml")
    clock = ManualClock(T + timedelta(hours=3))
    sla_settings = SlaSettings.model_validate(
        {
            "kafka_bootstrap_servers": kafka_bootstrap,
            "topic_prefix": topic_prefix,
            "config_path": config,
        }
    )
    sla_app, sla = build_sla(sla_settings)
    tickets = f"{topic_prefix}tickets"
    async with (
        running_router(router_settings(kafka_bootstrap, topic_prefix, config), clock) as router,
        sla.lifespan(sla_app),
        EventLog(kafka_bootstrap, [tickets]) as log,
        Producer(kafka_bootstrap) as producer,
    ):
        ticket = opened(at=T)
        await producer.send(tickets, ticket)
        (assigned,) = await log.wait_for(lambda: log.assignments(ticket.ticket_id))
        assert assigned.team_id == "tallinn"
        common = {
            "correlation_id": ticket.correlation_id,
            "ticket_id": ticket.ticket_id,
            "assignment_id": assigned.assignment_id,
            "team_id": "tallinn",
        }
        await producer.send(
            tickets,
            FirstResponse(event_id=uuid.uuid4(), occurred_at=T + timedelta(minutes=10), **common),
        )
        await producer.send(
            tickets,
            TicketResolved(event_id=uuid.uuid4(), occurred_at=T + timedelta(hours=1), **common),
        )
        await producer.send(
            tickets,
            TicketReopened(
                event_id=uuid.uuid4(),
                occurred_at=T + timedelta(hours=2),
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                channel=Channel.EMAIL,
                source_message_id="m-again",
                text="still nothing",
                received_at=T + timedelta(hours=2),
            ),
        )
        await producer.send(
            tickets,
            TicketRated(
                event_id=uuid.uuid4(),
                occurred_at=T + timedelta(hours=2),
                correlation_id=ticket.correlation_id,
                ticket_id=ticket.ticket_id,
                score=2,
                source="survey",
            ),
        )
        again = opened(at=T + timedelta(hours=3)).model_copy(
            update={
                "repeat_of": RepeatOf(
                    ticket_id="t-earlier", resolved_at=T, resolved_by_team="manila"
                )
            }
        )
        await producer.send(tickets, again)

        tallinn = {"channel": "email", "team_id": "tallinn", "team_kind": "in_house"}
        manila = {"channel": "email", "team_id": "manila", "team_kind": "partner"}
        routed = router.registry.get_sample_value
        clocks = sla.registry.get_sample_value
        first = "switchboard_support_first_response_seconds"
        await log.wait_for(
            lambda: (
                routed("switchboard_support_resolutions_total", tallinn) == 1
                and routed("switchboard_support_recontacts_total", {**tallinn, "kind": "reopen"})
                == 1
                and routed(
                    "switchboard_support_recontacts_total", {**manila, "kind": "repeat_contact"}
                )
                == 1
                and routed("switchboard_support_csat_score_sum", tallinn) == 2
                and clocks(f"{first}_count", {**tallinn, "time": "wall"}) == 1
                and clocks(
                    "switchboard_support_resolution_seconds_count", {**tallinn, "time": "wall"}
                )
                == 1
            ),
            what="the support figures of the ticket's life",
        )
        assert clocks(f"{first}_sum", {**tallinn, "time": "wall"}) == 600
        assert clocks(f"{first}_sum", {**tallinn, "time": "business"}) == 600  # a 24/7 policy
        assert (
            clocks("switchboard_support_resolution_seconds_sum", {**tallinn, "time": "wall"})
            == 3600
        )
        arrivals = {"channel": "email", "weekday": "wed", "hour": "10"}
        assert clocks("switchboard_support_arrivals_total", arrivals) == 1
        assert routed("switchboard_support_csat_score_count", tallinn) == 1
