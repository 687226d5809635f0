"""Which SLA policy applies to a ticket (the rule itself lives with the config, in
``SlaConfig.policy_for``, so that the router reads the same targets)."""

from __future__ import annotations

from datetime import datetime

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.sla import SlaConfig, SlaPolicy


def policy_for(
    config: SlaConfig,
    *,
    channel: Channel,
    priority: Priority,
    tier: CustomerTier,
    marketplace: str | None,
    at: datetime | None = None,
) -> SlaPolicy:
    """The first policy whose match fits (a season's first while it lasts at ``at``);
    the last base policy is the fallback."""
    return config.policy_for(
        channel=channel, priority=priority, tier=tier, marketplace=marketplace, at=at
    )
