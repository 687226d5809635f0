"""The lockstep clock: the driver's dial moves it, every reader sees the same time."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plumbing.clock import ClockDial, LockstepClock
from plumbing.lockstep import LockstepReporter, TimerBeat
from tests.support.waiting import equals, eventually

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_readers_see_the_time_the_dial_sets(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    clock = LockstepClock(tmp_path / "clock")
    assert clock.now() == START
    dial.set(START + timedelta(seconds=10.5))
    assert clock.now() == START + timedelta(seconds=10.5)
    assert clock.real_seconds(3600) == 0.0
    clock.close()
    dial.close()


def test_the_dial_never_goes_back(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    with pytest.raises(ValueError, match="never goes back"):
        dial.set(START - timedelta(microseconds=1))
    dial.close()


def test_rounds_and_acknowledgements(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    clock = LockstepClock(tmp_path / "clock")
    assert dial.acknowledged("router") == -1
    round_ = dial.next_round()
    assert clock.current_round() == round_
    clock.acknowledge("router", round_)
    assert dial.acknowledged("router") == round_
    assert dial.acknowledged("sla") == -1
    clock.close()
    dial.close()
    assert list(tmp_path.iterdir()) == []


async def test_sleep_returns_once_the_dial_passed_its_instant(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    clock = LockstepClock(tmp_path / "clock")
    sleeper = asyncio.create_task(clock.sleep(60))
    await asyncio.sleep(0.05)
    assert not sleeper.done()
    assert clock.sleepers_waiting()  # asleep, not due
    dial.set(START + timedelta(seconds=59))
    await asyncio.sleep(0.05)
    assert not sleeper.done()
    dial.set(START + timedelta(seconds=60))
    await asyncio.wait_for(sleeper, 5)
    clock.close()
    dial.close()


async def test_a_service_acknowledges_a_round_after_its_timers_passed(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    clock = LockstepClock(tmp_path / "clock")
    beat = TimerBeat("timer")
    reporter = LockstepReporter(name="sla", clock=clock, processors=[], tables=[], beats=[beat])
    running = asyncio.create_task(reporter.run())
    round_ = dial.next_round()
    await asyncio.sleep(0.1)
    assert dial.acknowledged("sla") < round_  # the timer has not passed since
    beat.passed(time.monotonic() + 1e6)  # a pass begun after the round
    await eventually(lambda: dial.acknowledged("sla"), until=equals(round_), what="the ack")
    running.cancel()
    clock.close()
    dial.close()
