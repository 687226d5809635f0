"""The demo's own actors' clock in lockstep: sleepers wake when the step reaches them,
and the driver waits until every woken actor is asleep again before it settles."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from plumbing.clock import ClockDial
from switchboard.demo.lockstep import SteppedClock

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


async def test_sleepers_wake_in_their_step_and_the_driver_waits_for_them(tmp_path: Path) -> None:
    dial = ClockDial(tmp_path / "clock", START)
    clock = SteppedClock(dial)
    done: list[tuple[str, datetime]] = []

    async def agent(name: str, reply_after: float, work_after: float) -> None:
        await clock.sleep(reply_after)
        done.append((f"{name} replied", clock.now()))
        await clock.sleep(work_after)
        done.append((f"{name} resolved", clock.now()))

    agents = [
        asyncio.create_task(agent("a", 30, 600)),
        asyncio.create_task(agent("b", 45, 60)),
    ]
    await asyncio.sleep(0)
    assert clock.next_wake() == START + timedelta(seconds=30)

    dial.set(START + timedelta(seconds=50))  # a step past both replies
    assert clock.wake_due() == 2
    await clock.quiet()
    assert done == [
        ("a replied", START + timedelta(seconds=50)),
        ("b replied", START + timedelta(seconds=50)),
    ]
    # Both asleep again, from the step's time: b's work ends first.
    assert clock.next_wake() == START + timedelta(seconds=110)

    dial.set(START + timedelta(seconds=110))
    assert clock.wake_due() == 1
    await clock.quiet()
    assert done[-1] == ("b resolved", START + timedelta(seconds=110))
    assert clock.next_wake() == START + timedelta(seconds=650)

    agents[0].cancel()
    await asyncio.gather(*agents, return_exceptions=True)
    assert clock.next_wake() is None  # a cancelled sleeper is no stop
    dial.close()
