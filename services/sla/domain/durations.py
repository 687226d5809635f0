"""How long a ticket waited for its first response and for its resolution, measured when
the clock stops: in wall time, and in the working time of the clock's policy (business
time: the same as wall time for 24/7 policies; resolution time leaves out the time the
ticket waited on the customer; a policy without a resolution target gets its resolution
time in wall time from the contact). For the ``switchboard_support_*`` histograms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.sla.domain.clocks import MetricClock, Phase, SlaRules, TicketClocks, used_at

UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class Duration:
    metric: Literal["first_response", "resolution"]
    channel: str
    team_id: str
    team_kind: str
    wall_seconds: float
    business_seconds: float


def _live(clock: MetricClock) -> bool:
    return clock.phase in (Phase.RUNNING, Phase.PAUSED)


def stopped(
    rules: SlaRules, old: TicketClocks, new: TicketClocks | None, at_ms: int
) -> list[Duration]:
    """What stopped between ``old`` and ``new`` (``None``: resolved) at ``at_ms``."""
    found: list[Duration] = []
    if new is not None and _live(old.first_response) and new.first_response.phase is Phase.STOPPED:
        found.append(_duration("first_response", rules, old.first_response, new, at_ms))
    if new is None and _live(old.resolution):
        found.append(_duration("resolution", rules, old.resolution, old, at_ms))
    elif new is None and old.resolution.phase is Phase.IDLE and old.first_response.started_ms:
        # The policy sets no resolution target: measure from the contact, in wall time.
        wall = max(0, at_ms - old.first_response.started_ms) / 1000
        found.append(Duration("resolution", *_owner(old), wall, wall))
    return found


def _owner(clocks: TicketClocks) -> tuple[str, str, str]:
    return (
        clocks.channel.value,
        clocks.team_id or UNASSIGNED,
        clocks.team_kind.value if clocks.team_kind else UNASSIGNED,
    )


def _duration(
    metric: Literal["first_response", "resolution"],
    rules: SlaRules,
    clock: MetricClock,
    owner: TicketClocks,
    at_ms: int,
) -> Duration:
    return Duration(
        metric,
        *_owner(owner),
        wall_seconds=max(0, at_ms - clock.started_ms) / 1000,
        business_seconds=max(0, used_at(rules, clock, at_ms)) / 1000,
    )
