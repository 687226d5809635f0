"""Work the SLA service does as time passes, each run inside a transaction of one
``tickets`` partition (``TransactionalProcessor.transact``): what it announces and the
marks saying so commit together, or neither does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from plumbing.processor import Step
from plumbing.table import GlobalTable
from schemas.config import SwitchboardConfig
from schemas.sla import QueueForecast, SlaAtRisk, SlaBreached
from schemas.teams import TeamCapacity, agents_on, mean_agents
from services.sla.domain import encoding
from services.sla.domain.announcements import due, to_event
from services.sla.domain.clocks import SlaRules, to_ms
from services.sla.domain.history import QueueTally, TeamHistory, sum_tallies
from services.sla.domain.queues import Staffing, advance_history, forecast_team
from services.sla.metrics import SlaMetrics, count_announced
from services.sla.partitions import SlaState, due_of, history_key, tally_key

#: At most this many tickets announced in one transaction; the rest go in the next,
#: right away, so a burst of deadlines makes several moderate transactions.
ANNOUNCE_LIMIT = 5_000


@dataclass
class AnnounceDue:
    """Announce what fell due on one partition, and publish its changed queue tallies.

    Time is judged up to ``known_ms``, the partition's input watermark (see
    ``plumbing/watermark.py``), when that is earlier than the clock: a deadline passes
    for the service only once every reply that could have beaten it was applied.
    """

    rules: SlaRules
    state: SlaState
    sla_topic: str
    stats_topic: str
    known_ms: int
    limit: int = ANNOUNCE_LIMIT
    announced: list[SlaAtRisk | SlaBreached] = field(default_factory=list)
    saturated: bool = False

    def __call__(self, step: Step[bytes]) -> None:
        partition = self.state.partition(step.partition)
        now_ms = min(to_ms(step.now), self.known_ms)
        keys = partition.index.pop_due(now_ms, lambda key: due_of(step.store, key), self.limit)
        self.saturated = len(keys) >= self.limit
        for key in keys:
            raw = step.store.get(key)
            if raw is None or not encoding.is_clock_record(raw):
                continue
            clocks, announcements = due(self.rules, encoding.decode(key, raw), now_ms)
            if not announcements:
                continue  # a stale index entry: the ticket moved on
            for announcement in announcements:
                event = to_event(clocks, announcement, step.now)
                step.emit(self.sla_topic, event.to_json_bytes(), key=key.encode())
                self.announced.append(event)
            new_raw = encoding.encode(clocks)
            step.store.put(key, new_raw)
            partition.track(key, raw, new_raw)
        for queue_id in sorted(partition.dirty_queues):
            tally = step.store.get(tally_key(queue_id))
            if tally is not None:
                step.emit(self.stats_topic, tally, key=f"{queue_id}@{step.partition}".encode())
        partition.dirty_queues.clear()

    def count(self, metrics: SlaMetrics, now: datetime) -> None:
        """Count what was announced, once its transaction committed."""
        for event in self.announced:
            count_announced(metrics, event, now)


@dataclass
class Forecast:
    """Advance every team's history and forecast its queues (run on partition 0's owner)."""

    config: SwitchboardConfig
    stats: GlobalTable[QueueTally]
    capacity: GlobalTable[TeamCapacity]
    forecasts_topic: str
    forecasts: list[QueueForecast] = field(default_factory=list)

    def __call__(self, step: Step[bytes]) -> None:
        totals = sum_tallies(tally for _, tally in self.stats.items())
        for team in self.config.teams:
            raw = step.store.get(history_key(team.id))
            history = (
                TeamHistory(team_id=team.id)
                if raw is None
                else TeamHistory.model_validate_json(raw)
            )
            announced = self.capacity.get(team.id)
            zone = ZoneInfo(team.hours.time_zone if team.hours else "UTC")
            horizon = self.config.sla.forecast.horizon
            staffing = Staffing(
                agents_on(announced, team.agents, zone, step.now),
                online=announced.online if announced is not None else True,
                ahead=mean_agents(announced, team.agents, zone, step.now, step.now + horizon),
            )
            advance_history(
                history=history,
                team=team,
                staffing=staffing,
                totals=totals,
                config=self.config.sla,
                now=step.now,
            )
            step.store.put(history_key(team.id), history.model_dump_json().encode())
            forecasts = forecast_team(
                team=team,
                staffing=staffing,
                history=history,
                totals=totals,
                config=self.config.sla,
                now=step.now,
            )
            for forecast in forecasts:
                step.emit(
                    self.forecasts_topic, forecast.to_json_bytes(), key=forecast.queue_id.encode()
                )
                self.forecasts.append(forecast)
