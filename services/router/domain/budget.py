"""How long a ticket may wait for its first response: its SLA budget.

The target comes from the SLA config (first matching policy, the last one as the
fallback: the same rule the SLA service applies). A marketplace's own
``reply_deadline`` tightens it. The budget left is measured from ``now``, so a
ticket re-routed after a rejected offer has less of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.sla import SlaConfig, SlaPolicy


def first_response_policy(
    config: SlaConfig,
    *,
    channel: Channel,
    priority: Priority,
    tier: CustomerTier,
    marketplace: str | None,
) -> SlaPolicy:
    for policy in config.policies:
        match = policy.match
        if (
            (not match.channels or channel in match.channels)
            and (not match.priorities or priority in match.priorities)
            and (not match.tiers or tier in match.tiers)
            and (not match.marketplaces or marketplace in match.marketplaces)
        ):
            return policy
    return config.policies[-1]


def first_response_deadline(
    config: SlaConfig,
    *,
    channel: Channel,
    priority: Priority,
    tier: CustomerTier,
    marketplace: str | None,
    received_at: datetime,
    reply_deadline: datetime | None,
) -> datetime:
    policy = first_response_policy(
        config, channel=channel, priority=priority, tier=tier, marketplace=marketplace
    )
    deadline = received_at + policy.first_response
    if reply_deadline is not None and reply_deadline < deadline:
        return reply_deadline
    return deadline


def budget_left(deadline: datetime, now: datetime) -> float:
    """Seconds until the first-response deadline; 0 once it has passed."""
    return max((deadline - now) / timedelta(seconds=1), 0.0)
