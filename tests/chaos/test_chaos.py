"""Chaos: a Black Friday morning plays through the services while a monkey kills them
with SIGKILL every few seconds and restarts the broker once; then the books must
balance. ``CHAOS_SECONDS`` sets the length of the run (``make chaos`` runs a long one)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.base import Channel
from switchboard.launcher import Stack
from tests.support.broker import LocalBroker, start_private_broker
from tests.support.chaos import Monkey
from tests.support.load import FAULT_SEED, Fault, black_friday

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

SECONDS = float(os.environ.get("CHAOS_SECONDS", "150"))


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    # A restart on a busy machine recovers slowly: give it longer than kafka.sh's 60 s.
    local = start_private_broker(tmp_path / "kafka", start_timeout=240)
    try:
        yield local
    finally:
        local.stop()


async def test_books_balance_after_kills_and_a_broker_restart(
    broker: LocalBroker, tmp_path: Path
) -> None:
    monkeys: list[Monkey] = []

    def monkey(stack: Stack) -> list[Fault]:
        monkeys.append(Monkey(stack, broker, seed=FAULT_SEED, broker_restart_after=SECONDS * 0.4))
        return list(monkeys)

    run = await black_friday(
        bootstrap=broker.bootstrap, tmp_path=tmp_path, seconds=SECONDS, env={}, faults=monkey
    )
    (chaos,) = monkeys
    print("\n".join(chaos.log))
    print(run.report())
    print(f"kills {dict(chaos.kills)}, fault seed {FAULT_SEED}")
    assert not chaos.errors, chaos.errors
    assert not run.problems, "\n".join(run.problems[:40])
    assert sum(chaos.kills.values()) >= SECONDS / 10, "the monkey hardly killed anything"
    assert chaos.broker_restarts == 1
    assert run.totals["tickets opened"] > 100
    assert run.totals["first-response breaches"] > 0, "no deadline ever passed: nothing was tested"
    assert run.totals["tickets answered"] > 0
    assert {Channel(m.channel) for m in run.messages} == set(Channel)
