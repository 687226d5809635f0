"""The SLA service's queue forecasts, as the policy reads them (``domain.load.Outlook``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.sla import QueueForecast
from services.router.domain.load import Outlook


class Forecasts:
    def __init__(self) -> None:
        self._by_team: dict[str, dict[str, QueueForecast]] = {}
        self._keys: dict[str, tuple[str, str]] = {}
        self._version = 0
        self._outlooks: dict[tuple[str, str], tuple[int, datetime, datetime, Outlook | None]] = {}

    def changed(self, key: str, record: QueueForecast | None) -> None:
        """A record of ``sla.forecasts`` (key: queue id), or its tombstone."""
        place = self._keys.pop(key, None)
        if place is not None:
            self._by_team.get(place[0], {}).pop(place[1], None)
        if record is not None:
            self._by_team.setdefault(record.team_id, {})[record.skill] = record
            self._keys[key] = (record.team_id, record.skill)
        self._version += 1

    def outlook(self, team_id: str, skill: str, now: datetime) -> Outlook | None:
        """The team's forecast now, for the queue of ``skill``; cached until a forecast
        changes or a forecast window starts or ends."""
        forecasts = self._by_team.get(team_id)
        if not forecasts:
            return None
        cached = self._outlooks.get((team_id, skill))
        if cached is not None and cached[0] == self._version and cached[1] <= now < cached[2]:
            return cached[3]
        outlook = _outlook(forecasts, skill, now)
        self._outlooks[(team_id, skill)] = (
            self._version,
            now,
            _next_window_change(forecasts, now),
            outlook,
        )
        return outlook


def _outlook(forecasts: dict[str, QueueForecast], skill: str, now: datetime) -> Outlook | None:
    current = [f for f in forecasts.values() if _current(f, now)]
    if not current:
        return None
    rate = sum(f.arrival_rate_per_hour for f in current) / 3600
    own = forecasts.get(skill)
    if own is None or not _current(own, now):
        return Outlook(rate, None, 1.0, 0.0)
    return Outlook(
        rate, own.predicted_wait_seconds, own.predicted_service_level, own.target_service_level
    )


def _lead(forecast: QueueForecast) -> timedelta:
    return max(forecast.window_end - forecast.window_start, timedelta(0))


def _next_window_change(forecasts: dict[str, QueueForecast], now: datetime) -> datetime:
    """The next instant at which a forecast of the team starts or stops applying."""
    moments = [
        moment
        for f in forecasts.values()
        for moment in (f.window_start - _lead(f), f.window_end)
        if moment > now
    ]
    return min(moments, default=now + timedelta(hours=1))


def _current(forecast: QueueForecast, now: datetime) -> bool:
    """A forecast speaks for its window, and for one window's length before it starts."""
    return forecast.window_start - _lead(forecast) <= now < forecast.window_end
