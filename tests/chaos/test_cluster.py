"""Faults on a three-node cluster under Black Friday load, audited from the topics.

The services run on ``kafka.sh``'s three-node cluster with nothing but settings (three
bootstrap addresses, ``KAFKA_REPLICATION_FACTOR=3``; every topic has three replicas and
``min.insync.replicas`` 2). While the simulator's Black Friday morning plays:

* the node leading most ``tickets`` partitions is killed with SIGKILL, and the router
  and the SLA service with it; later it comes back;
* every node is restarted in turn (a rolling restart: the next one only once every
  partition is in sync again).

Then the books (``switchboard.ledger``): nothing lost or doubled, no ticket assigned
twice, no breach doubled, missed or wrongful; no partition left behind
(``ConsumerStuck`` quiet); and the pause each fault caused in assignments is printed.
The normal suite runs a short version; ``make chaos-cluster`` runs
``CLUSTER_CHAOS_SECONDS`` of cycles of these faults with services killed at random too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.launcher import Stack
from tests.support.broker import LocalCluster, start_private_cluster
from tests.support.chaos import (
    KILL_LEADER,
    KILL_LEADER_AND_SERVICES,
    RETURN,
    ROLLING_RESTART,
    ClusterFaults,
    Monkey,
)
from tests.support.load import FAULT_SEED, Fault, black_friday, pauses

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

#: 0: the short version of the normal suite.
LONG_SECONDS = float(os.environ.get("CLUSTER_CHAOS_SECONDS", "0"))
SHORT_SECONDS = 120.0
#: What the services need to know about the cluster, and the SLA service's write
#: grace above the cluster's failure detection (broker.session.timeout.ms, 6 s): an
#: acks=all reply to a partition whose follower died waits that long.
CLUSTER_ENV = {"KAFKA_REPLICATION_FACTOR": "3", "WRITE_GRACE_SECONDS": "8"}
#: Seconds after the faults start (the services are up), and what happens.
SHORT_SCHEDULE = [(15.0, KILL_LEADER_AND_SERVICES), (35.0, RETURN), (55.0, ROLLING_RESTART)]


def long_schedule(seconds: float) -> list[tuple[float, str]]:
    """Cycles of the faults, each about 150 s, that fit in a run of ``seconds``."""
    cycle = [
        (15.0, KILL_LEADER),
        (40.0, RETURN),
        (60.0, KILL_LEADER_AND_SERVICES),
        (85.0, RETURN),
        (100.0, ROLLING_RESTART),
    ]
    steps: list[tuple[float, str]] = []
    start = 0.0
    while start + 180 <= seconds:
        steps += [(start + at, step) for at, step in cycle]
        start += 180
    return steps or SHORT_SCHEDULE


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    local = start_private_cluster(tmp_path / "kafka")
    try:
        yield local
    finally:
        local.stop()


async def test_leader_kill_and_rolling_restart_under_load_lose_and_double_nothing(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    seconds = LONG_SECONDS or SHORT_SECONDS
    schedule = long_schedule(seconds) if LONG_SECONDS else SHORT_SCHEDULE
    made: list[Fault] = []

    def faults(stack: Stack) -> list[Fault]:
        made.append(ClusterFaults(cluster, stack, "chaos.tickets", schedule))
        if LONG_SECONDS:
            made.append(Monkey(stack, None, seed=FAULT_SEED, pause=(5.0, 15.0)))
        return list(made)

    run = await black_friday(
        bootstrap=cluster.bootstrap,
        tmp_path=tmp_path,
        seconds=seconds,
        env=CLUSTER_ENV,
        faults=faults,
    )
    script = made[0]
    assert isinstance(script, ClusterFaults)
    for fault in made:
        print("\n".join(fault.log))
    print("\n".join(pauses(run.assignments, script.events)))
    print(run.report())
    print(f"fault seed {FAULT_SEED}")
    assert not run.problems, "\n".join(run.problems[:40])
    assert script.done == [step for _, step in schedule], "not every fault ran"
    assert run.totals["tickets opened"] > 100
    assert run.totals["first-response breaches"] > 0, "no deadline ever passed: nothing was tested"
    assert run.totals["tickets answered"] > 0
