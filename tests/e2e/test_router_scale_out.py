"""Two router processes in one consumer group: every ticket is routed exactly once, and a
team's capacity is exceeded by at most the documented bound, also when one is killed."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from schemas.tickets import RoutingStalled, TicketAssigned, TicketResolved
from switchboard.launcher import ServiceProcess, free_port
from tests.integration.router.support import (
    WEDNESDAY_NOON,
    EventLog,
    Producer,
    desk_config,
    opened,
)

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

CAPACITY = 5  # Tallinn: 5 agents x 1 ticket; the partners have no agents
MAX_UNCONFIRMED = 2
INSTANCES = 2
BOUND = (INSTANCES - 1) * MAX_UNCONFIRMED


def partitions_owned(router: ServiceProcess) -> float:
    text = httpx.get(f"{router.url}/metrics", timeout=2).text
    for line in text.splitlines():
        if line.startswith("switchboard_partitions_owned{") and "tickets" in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_two_routers_route_each_ticket_once_within_the_capacity_bound(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    config = desk_config(
        tmp_path / "c.yaml", tallinn_agents=CAPACITY, manila_agents=0, riga_agents=0
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(config),
        "SWITCHBOARD_CLOCK_SIM_START": WEDNESDAY_NOON.isoformat(),
        "SWITCHBOARD_CLOCK_REAL_START": str(time.time()),
        "ROUTER_MAX_UNCONFIRMED_PER_TEAM": str(MAX_UNCONFIRMED),
        "ROUTER_TICK_SECONDS": "0.05",
    }
    routers = [
        ServiceProcess("router", env, free_port(), tmp_path / f"router-{i}.log")
        for i in range(INSTANCES)
    ]
    tickets = f"{topic_prefix}tickets"
    try:
        for router in routers:
            router.start()
        for router in routers:
            router.wait_ready(90)
        await wait_until(
            lambda: (
                all(partitions_owned(r) > 0 for r in routers)
                and sum(partitions_owned(r) for r in routers) == 6
            ),
            60,
            "both routers to own partitions",
        )
        async with (
            EventLog(kafka_bootstrap, [tickets]) as log,
            Producer(kafka_bootstrap) as producer,
        ):

            def open_now() -> int:
                resolved = {r.assignment_id for r in log.of(TicketResolved)}
                return sum(1 for a in log.of(TicketAssigned) if a.assignment_id not in resolved)

            async def burst(count: int) -> list[str]:
                batch = [opened(at=WEDNESDAY_NOON) for _ in range(count)]
                await producer.send_many(tickets, batch)
                return [t.ticket_id for t in batch]

            async def resolve_all_open() -> None:
                """Resolve every open assignment; return once the log has read them all,
                so that ``open_now`` counts none of them."""
                done = {r.assignment_id for r in log.of(TicketResolved)}
                resolving: set[uuid.UUID] = set()
                for assigned in log.of(TicketAssigned):
                    if assigned.assignment_id in done:
                        continue
                    resolving.add(assigned.assignment_id)
                    await producer.send(
                        tickets,
                        TicketResolved(
                            event_id=uuid.uuid4(),
                            occurred_at=WEDNESDAY_NOON,
                            correlation_id=assigned.correlation_id,
                            ticket_id=assigned.ticket_id,
                            assignment_id=assigned.assignment_id,
                            team_id=assigned.team_id,
                        ),
                    )
                await log.wait_for(
                    lambda: resolving <= {r.assignment_id for r in log.of(TicketResolved)},
                    what="the resolutions read back",
                )

            def decided(ids: list[str]) -> bool:
                seen = {e.ticket_id for e in log.of(TicketAssigned)} | {
                    e.ticket_id for e in log.of(RoutingStalled)
                }
                return set(ids) <= seen

            # Phase 1: both routers see the same 5 free slots at the same moment.
            first = await burst(120)
            await log.wait_for(lambda: decided(first), timeout=60, what="every ticket decided")
            await asyncio.sleep(1.5)  # let any late over-assignment show up
            peaks = [open_now()]

            # Phase 2: all slots free at once, 115 tickets waiting in two backlogs.
            await resolve_all_open()
            await log.wait_for(
                lambda: len(log.of(TicketAssigned)) >= peaks[0] + CAPACITY,
                timeout=60,
                what="the backlog to take the freed slots",
            )
            await asyncio.sleep(1.5)  # let any late over-assignment show up
            peaks.append(open_now())

            # Phase 3: one router is killed (no goodbye); the other takes over its partitions.
            routers[0].kill()
            await resolve_all_open()
            second = await burst(40)
            await wait_until(lambda: partitions_owned(routers[1]) == 6, 60, "failover")
            await log.wait_for(lambda: decided(second), timeout=60, what="decisions after failover")
            # The freed slots go to the backlog once the survivor has restored the dead
            # one's partitions, which may come after the new tickets were decided.
            await log.wait_for(
                lambda: open_now() >= CAPACITY, timeout=60, what="the freed slots taken again"
            )
            await asyncio.sleep(1.5)  # let any late over-assignment show up
            peaks.append(open_now())

        assignments = log.of(TicketAssigned)
        # Exactly once: no ticket has two assignments for the same attempt, none was lost.
        duplicates = Counter((a.ticket_id, a.attempt) for a in assignments)
        assert max(duplicates.values()) == 1
        assert all(a.attempt == 1 for a in assignments)
        assert decided(first + second)
        # The capacity bound, at each peak: capacity + (instances - 1) x max unconfirmed.
        assert all(CAPACITY <= peak <= CAPACITY + BOUND for peak in peaks), peaks
        stalls = Counter(s.ticket_id for s in log.of(RoutingStalled))
        assert max(stalls.values()) == 1  # one announcement per waiting ticket
    finally:
        for router in routers:
            router.terminate()
