"""What the routes need, wired once: real Kafka in the service, fakes in fast tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from plumbing.clock import Clock
from schemas.audit import PartnerAction
from schemas.config import SwitchboardConfig
from schemas.config.teams import TeamConfig
from schemas.teams import TeamCapacity
from schemas.tickets import TicketEvent
from services.router.partner_api.domain.keys import Caller
from services.router.partner_api.domain.present import Presenter
from services.router.partner_api.index import ViewIndex
from services.router.partner_api.metrics import PartnerApiMetrics


class Publisher(Protocol):
    """Where the API writes: ``tickets`` (partner actions), ``teams``, ``partner.audit``."""

    async def ticket_event(self, event: TicketEvent) -> None: ...
    async def capacity(self, event: TeamCapacity) -> None: ...
    async def audit(self, event: PartnerAction) -> None: ...


@dataclass(frozen=True)
class Options:
    confirm_timeout: float = 5.0
    barrier_timeout: float = 1.0
    accept_margin: timedelta = timedelta(seconds=2)


@dataclass
class PartnerApi:
    config: SwitchboardConfig
    options: Options
    clock: Clock
    index: ViewIndex
    publisher: Publisher
    metrics: PartnerApiMetrics
    presenters: dict[str, Presenter]
    barrier: Callable[[], Awaitable[bool]]
    kafka_reachable: Callable[[], bool]

    def presenter(self, caller: Caller) -> Presenter:
        return self.presenters[caller.team_id]

    def team(self, team_id: str) -> TeamConfig:
        return self.config.team(team_id)

    def zone(self, team_id: str) -> ZoneInfo:
        """The partner's contract time zone: its working hours' zone, else UTC."""
        hours = self.team(team_id).hours
        return ZoneInfo(hours.time_zone if hours else "UTC")

    async def current(self) -> None:
        """Read barrier: everything committed before this request is in the view."""
        if not await self.barrier():
            self.metrics.read_barrier_timeouts.inc()
