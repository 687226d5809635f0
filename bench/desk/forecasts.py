"""The SLA service's queue forecasts, made in the desk as the service makes them.

The SLA service counts per queue (team x skill) the tickets that arrived (by their
first-response target), were served (first response while queued) and wait
(``services.sla.domain.history.QueueTally``), and every ``FORECAST_INTERVAL_SECONDS``
advances each team's history and forecasts its queues for the next hour
(``services.sla.domain.queues``). The router reads those forecasts: a queue predicted
to miss its target makes the in-house team not fit, and the forecast arrival rate feeds
its Erlang C wait. This feed does the same with the SLA service's own domain code and
hands each forecast to the desk's ``LoadBook`` as the router's mirror of
``sla.forecasts`` would.
"""

from __future__ import annotations

from datetime import datetime

from schemas.config import SwitchboardConfig
from schemas.teams import TeamCapacity
from services.router.loadbook import LoadBook
from services.sla.domain.history import QueueTally, TeamHistory, sum_tallies
from services.sla.domain.queues import Staffing, advance_history, forecast_team, queue_id

#: The SLA service's default (``FORECAST_INTERVAL_SECONDS``), in simulated seconds.
FORECAST_INTERVAL_SECONDS = 300.0


class ForecastFeed:
    def __init__(self, config: SwitchboardConfig, book: LoadBook) -> None:
        self.config = config
        self.book = book
        self._tallies: dict[str, QueueTally] = {}
        self._histories = {team.id: TeamHistory(team_id=team.id) for team in config.teams}
        self._staffing = {team.id: Staffing(team.agents) for team in config.teams}
        self.made = 0

    def joined(self, team_id: str, skill: str, target_seconds: int) -> None:
        """A ticket waiting for its first response was assigned to the team."""
        self._tally(queue_id(team_id, skill)).arrive(target_seconds)

    def left(self, team_id: str, skill: str, *, served: bool) -> None:
        """It left the queue: answered (served) or given back."""
        self._tally(queue_id(team_id, skill)).leave(served=served)

    def capacity(self, announcement: TeamCapacity) -> None:
        self._staffing[announcement.team_id] = Staffing(
            announcement.agents_on_shift, online=announcement.online
        )

    def forecast(self, now: datetime) -> None:
        totals = sum_tallies(self._tallies.values())
        for team in self.config.teams:
            history, staffing = self._histories[team.id], self._staffing[team.id]
            advance_history(
                history=history,
                team=team,
                staffing=staffing,
                totals=totals,
                config=self.config.sla,
                now=now,
            )
            for forecast in forecast_team(
                team=team,
                staffing=staffing,
                history=history,
                totals=totals,
                config=self.config.sla,
                now=now,
            ):
                self.book.forecast_changed(forecast.queue_id, forecast)
                self.made += 1

    def _tally(self, queue: str) -> QueueTally:
        tally = self._tallies.get(queue)
        if tally is None:
            tally = self._tallies[queue] = QueueTally(queue_id=queue, partition=0)
        return tally
