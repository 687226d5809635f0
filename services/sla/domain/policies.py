"""Which SLA policy applies to a ticket."""

from __future__ import annotations

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.sla import SlaConfig, SlaPolicy


def policy_for(
    config: SlaConfig,
    *,
    channel: Channel,
    priority: Priority,
    tier: CustomerTier,
    marketplace: str | None,
) -> SlaPolicy:
    """The first policy whose match fits; the last policy is the fallback."""
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
