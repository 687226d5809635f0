"""Forecast every queue of a team for the next hour, from its history and staffing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas.base import derive_id
from schemas.config.sla import SlaConfig
from schemas.config.teams import TeamConfig
from schemas.sla import QueueForecast
from services.sla.domain.forecast import TeamLoad, predict
from services.sla.domain.history import QueueTotals, TeamHistory


@dataclass(frozen=True, slots=True)
class Staffing:
    agents: int  # on shift now
    online: bool = True
    #: Mean headcount over the forecast horizon, planned shifts included
    #: (``schemas.teams.mean_agents``); None: the same as now.
    ahead: float | None = None


def queue_id(team_id: str, skill: str) -> str:
    return f"{team_id}/{skill}"


def _ms(delta: timedelta) -> int:
    return round(delta.total_seconds() * 1000)


def forecast_team(
    *,
    team: TeamConfig,
    staffing: Staffing,
    history: TeamHistory,
    totals: dict[str, QueueTotals],
    config: SlaConfig,
    now: datetime,
) -> list[QueueForecast]:
    """One forecast per queue (skill) of ``team``, for ``config.forecast.horizon`` from now.

    ``history`` must have been advanced to ``now``; ``totals`` are the summed tallies.
    """
    settings = config.forecast
    now_ms = round(now.timestamp() * 1000)
    agents: float = staffing.agents if staffing.ahead is None else staffing.ahead
    if not staffing.online:
        agents = 0
    servers = round(agents * team.concurrency)
    measured = history.service_rate(now_ms, _ms(settings.service_window), settings.min_completions)
    per_server = measured or 1 / settings.default_handle_time.total_seconds()
    rates: dict[str, tuple[float, dict[int, int]]] = {
        skill: history.arrival_rate(queue_id(team.id, skill), now_ms, _ms(settings.arrival_window))
        for skill in team.skills
    }
    waiting = sum(
        totals.get(queue_id(team.id, skill), QueueTotals()).waiting for skill in team.skills
    )
    load = TeamLoad(
        servers=servers,
        arrivals_per_second=sum(rate for rate, _ in rates.values()),
        service_per_second=per_server,
        backlog=max(0, waiting - servers),
    )
    fallback_target = config.policies[-1].first_response.total_seconds()
    horizon_s = settings.horizon.total_seconds()
    forecasts: list[QueueForecast] = []
    for skill in team.skills:
        queue = queue_id(team.id, skill)
        rate, mix = rates[skill]
        if not mix:  # nothing arrived lately: judge a hypothetical arrival by the usual target
            usual = totals.get(queue, QueueTotals()).arrivals
            mix = {max(usual, key=usual.__getitem__): 1} if usual else {}
        target_mix = {float(t): float(n) for t, n in mix.items()} or {fallback_target: 1.0}
        prediction = predict(load, rate, target_mix, horizon_s)
        baseline = history.baseline_rate(
            queue,
            now_ms,
            _ms(settings.arrival_window),
            _ms(settings.baseline_window),
            _ms(settings.bucket),
        )
        recent_per_hour = rate * 3600
        peak = (
            baseline is not None
            and recent_per_hour >= settings.peak_min_arrivals_per_hour
            and recent_per_hour > settings.peak_factor * baseline * 3600
        )
        main_target = Counter(target_mix).most_common(1)[0][0]
        forecasts.append(
            QueueForecast(
                event_id=derive_id("sla.forecast", queue, str(now_ms)),
                occurred_at=now,
                correlation_id=f"sla-forecast-{now_ms}",
                queue_id=queue,
                team_id=team.id,
                team_kind=team.kind,
                skill=skill,
                window_start=now,
                window_end=now + settings.horizon,
                model=prediction.model,
                arrival_rate_per_hour=recent_per_hour,
                baseline_arrival_rate_per_hour=(baseline or 0.0) * 3600,
                service_rate_per_hour=per_server * team.concurrency * 3600,
                agents=float(agents),
                target_seconds=main_target,
                target_service_level=settings.service_level_target,
                predicted_service_level=prediction.service_level,
                predicted_wait_seconds=prediction.wait_seconds,
                predicted_breaches=prediction.breaches,
                peak=peak,
            )
        )
    return forecasts


def advance_history(
    *,
    history: TeamHistory,
    team: TeamConfig,
    staffing: Staffing,
    totals: dict[str, QueueTotals],
    config: SlaConfig,
    now: datetime,
) -> None:
    """Count what happened to ``team``'s queues since the last look."""
    settings = config.forecast
    mine = {
        queue_id(team.id, skill): totals.get(queue_id(team.id, skill), QueueTotals())
        for skill in team.skills
    }
    agents = staffing.agents if staffing.online else 0
    keep = max(settings.baseline_window, settings.service_window) + settings.arrival_window
    history.advance(
        round(now.timestamp() * 1000),
        mine,
        agents * team.concurrency,
        bucket_ms=_ms(settings.bucket),
        keep_ms=_ms(keep + settings.bucket),
    )
