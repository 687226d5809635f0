"""How long a ticket may wait for its first response: its SLA budget.

The deadline is the one the SLA service will hold the ticket to: the policy in
force when the message arrived (``SlaConfig.policy_for``, seasons included), its
first-response target counted in its business calendar's working time
(``schemas.working_time``), tightened by a marketplace's own ``reply_deadline``.
The budget left is measured from ``now``, so a ticket re-routed after a rejected
offer has less of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.sla import SlaConfig, SlaPolicy
from schemas.working_time import AROUND_THE_CLOCK, Calendar, calendars_from_config


@dataclass(frozen=True)
class SlaTargets:
    """The SLA config with its calendars compiled once."""

    config: SlaConfig
    calendars: dict[str, Calendar]

    @classmethod
    def from_config(cls, config: SlaConfig) -> SlaTargets:
        return cls(config, calendars_from_config(config.calendars))

    def first_response_policy(
        self,
        *,
        channel: Channel,
        priority: Priority,
        tier: CustomerTier,
        marketplace: str | None,
        received_at: datetime,
    ) -> SlaPolicy:
        return self.config.policy_for(
            channel=channel, priority=priority, tier=tier, marketplace=marketplace, at=received_at
        )

    def first_response_deadline(
        self,
        *,
        channel: Channel,
        priority: Priority,
        tier: CustomerTier,
        marketplace: str | None,
        received_at: datetime,
        reply_deadline: datetime | None,
    ) -> datetime:
        policy = self.first_response_policy(
            channel=channel,
            priority=priority,
            tier=tier,
            marketplace=marketplace,
            received_at=received_at,
        )
        calendar = (
            self.calendars.get(policy.business_hours, AROUND_THE_CLOCK)
            if policy.business_hours
            else AROUND_THE_CLOCK
        )
        start_ms = round(received_at.timestamp() * 1000)
        target_ms = round(policy.first_response.total_seconds() * 1000)
        deadline = datetime.fromtimestamp(calendar.add(start_ms, target_ms) / 1000, UTC)
        if reply_deadline is not None and reply_deadline < deadline:
            return reply_deadline
        return deadline


def budget_left(deadline: datetime, now: datetime) -> float:
    """Seconds until the first-response deadline; 0 once it has passed."""
    return max((deadline - now) / timedelta(seconds=1), 0.0)
