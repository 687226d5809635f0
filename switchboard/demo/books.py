"""What the books checker is told about a demo run: the bad inputs it planted, who wrote
each message, the SLA policy's first-response deadlines, and how close to the end
deadlines are too recent to judge on the run's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from schemas.base import Priority
from schemas.config import SwitchboardConfig
from schemas.tickets import TicketOpened
from services.router.domain.budget import SlaTargets
from switchboard.demo.plan import DemoPlan
from switchboard.ledger import DeadlineOracle, Expectations, source_message_id

#: Real seconds before the end within which deadlines are not judged: the SLA service
#: announces a breach once its input is complete, its write grace after the deadline.
END_MARGIN_SECONDS = 10.0


def deadline_oracle(config: SwitchboardConfig) -> DeadlineOracle:
    targets = SlaTargets.from_config(config.sla)

    def due(opened: TicketOpened, priority: Priority) -> datetime:
        return targets.first_response_deadline(
            channel=opened.channel,
            priority=priority,
            tier=opened.customer.tier,
            marketplace=opened.marketplace,
            received_at=opened.received_at,
            reply_deadline=opened.reply_deadline,
        )

    return due


def first_response_due(config: SwitchboardConfig) -> Callable[[TicketOpened], datetime]:
    """The first-response deadline a ticket opened with (its priority then)."""
    oracle = deadline_oracle(config)
    return lambda opened: oracle(opened, opened.priority)


def expectations(
    plan: DemoPlan, config: SwitchboardConfig, *, ended_at: datetime, speed: float | None
) -> Expectations:
    """``speed``: the scaled clock's, or None for the lockstep clock, under which the
    services' real latency is worth no simulated time: no margins, strict books."""
    real = 0.0 if speed is None else speed
    return Expectations(
        ended_at=ended_at,
        bad_inputs=frozenset(value for _, value in plan.bad_inputs),
        customer_of={
            source_message_id(m.channel, m.payload): m.truth.customer_id for m in plan.messages
        },
        first_response_deadline=deadline_oracle(config),
        margin=timedelta(seconds=real * END_MARGIN_SECONDS),
    )
