"""Clocks. Domain code never reads the wall clock: the shell hands it ``clock.now()``."""

from __future__ import annotations

import asyncio
import mmap
import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def real_seconds(self, sim_seconds: float) -> float:
        """How long to sleep, in real seconds, for ``sim_seconds`` of clock time to pass."""
        ...

    async def sleep(self, sim_seconds: float) -> None:
        """Wait until ``sim_seconds`` of this clock's time have passed."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds

    async def sleep(self, sim_seconds: float) -> None:
        await asyncio.sleep(max(0.0, sim_seconds))


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

    async def sleep(self, sim_seconds: float) -> None:
        await asyncio.sleep(max(0.0, self.real_seconds(sim_seconds)))


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

    async def sleep(self, sim_seconds: float) -> None:
        """Returns once the test moved the clock far enough."""
        until = self._now + timedelta(seconds=sim_seconds)
        while self._now < until:  # noqa: ASYNC110 (moved by a test, maybe from another loop)
            await asyncio.sleep(POLL_SECONDS)


#: How often a waiter looks at a clock someone else moves (real seconds).
POLL_SECONDS = 0.002

#: The shared clock file: a sequence number (odd while the driver writes), the simulated
#: time in microseconds since 1970, and the driver's round (see ``LockstepClock``).
_LAYOUT = struct.Struct("<qqq")


class LockstepClock:
    """Simulated time that a driver moves, step by step (the demo's lockstep mode).

    The driver (``ClockDial``) writes the time into a small file every process of the
    simulation maps (``SWITCHBOARD_CLOCK_FILE``); ``now()`` reads it, so it costs a memory
    read. Between two steps the time stands still, however long the services take: the
    driver moves it on only once everything the last step caused has been processed,
    which is what makes a simulation's outcome independent of the machine's speed.

    ``round`` counts the driver's requests for a report: each service acknowledges a
    round in its own file once it has nothing left in flight (``plumbing.lockstep``).
    A clock that only moves when told has no real duration: ``real_seconds`` is 0, and
    loops that wait for simulated time use ``sleep``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            self._map = mmap.mmap(file.fileno(), _LAYOUT.size, access=mmap.ACCESS_READ)
        #: Tasks waiting in ``sleep`` and the simulated instant (µs) each waits for.
        self._sleeping: dict[asyncio.Task[object], int] = {}

    def _read(self) -> tuple[int, int]:
        while True:
            before, micros, round_ = _LAYOUT.unpack_from(self._map)
            if before % 2 == 0 and _LAYOUT.unpack_from(self._map)[0] == before:
                return micros, round_

    def now(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self._read()[0])

    def current_round(self) -> int:
        return self._read()[1]

    def real_seconds(self, sim_seconds: float) -> float:
        return 0.0

    async def sleep(self, sim_seconds: float) -> None:
        until = self._read()[0] + round(sim_seconds * 1_000_000)
        task = asyncio.current_task()
        if task is not None:
            self._sleeping[task] = until
        try:
            while self._read()[0] < until:  # noqa: ASYNC110 (another process moves it)
                await asyncio.sleep(POLL_SECONDS)
        finally:
            if task is not None:
                self._sleeping.pop(task, None)

    def sleepers_waiting(self) -> bool:
        """True while every task in ``sleep`` waits for a time still to come: none is due
        and about to run."""
        now = self._read()[0]
        return all(until > now for task, until in self._sleeping.items() if not task.done())

    def acknowledge(self, name: str, round_: int) -> None:
        """Tell the driver that ``name`` has nothing left in flight as of ``round_``."""
        ack_path(self.path, name).write_text(f"{round_}\n")

    def close(self) -> None:
        self._map.close()


def ack_path(clock_path: Path, name: str) -> Path:
    return clock_path.with_name(f"{clock_path.name}.{name}.ack")


class ClockDial:
    """The driver's side of a ``LockstepClock``: creates the file, sets the time, and
    reads the services' acknowledgements."""

    def __init__(self, path: Path, start: datetime) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(_LAYOUT.size))
        with path.open("r+b") as file:
            self._map = mmap.mmap(file.fileno(), _LAYOUT.size)
        self._sequence = 0
        self._micros = 0
        self._round = 0
        self.set(start)

    def _write(self) -> None:
        self._sequence += 1  # odd: readers retry
        struct.pack_into("<q", self._map, 0, self._sequence)
        struct.pack_into("<qq", self._map, 8, self._micros, self._round)
        self._sequence += 1
        struct.pack_into("<q", self._map, 0, self._sequence)

    def set(self, moment: datetime) -> None:
        micros = (moment.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
        if micros < self._micros:
            raise ValueError("a lockstep clock never goes back")
        self._micros = micros
        self._write()

    def now(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self._micros)

    def next_round(self) -> int:
        self._round += 1
        self._write()
        return self._round

    def acknowledged(self, name: str) -> int:
        """The last round ``name`` acknowledged (-1 before its first)."""
        try:
            text = ack_path(self.path, name).read_text()
        except FileNotFoundError:
            return -1
        return int(text) if text.endswith("\n") else -1

    def close(self) -> None:
        self._map.close()
        for path in self.path.parent.glob(f"{self.path.name}.*.ack"):
            path.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
