"""Clocks. Domain code never reads the wall clock: the shell hands it ``clock.now()``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def real_seconds(self, sim_seconds: float) -> float:
        """How long to sleep, in real seconds, for ``sim_seconds`` of clock time to pass."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds


class ScaledClock:
    """Simulated time running ``speed`` times faster than real time.

    All processes of one simulation get the same ``sim_start``/``real_start`` pair,
    so they agree on the time even across restarts.
    """

    def __init__(
        self,
        sim_start: datetime,
        real_start: float,
        speed: float,
    ) -> None:
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.sim_start = sim_start.astimezone(UTC)
        self.real_start = real_start
        self.speed = speed

    def now(self) -> datetime:
        elapsed = time.time() - self.real_start
        return self.sim_start + timedelta(seconds=elapsed * self.speed)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / self.speed


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def real_seconds(self, sim_seconds: float) -> float:
        return 0.0
