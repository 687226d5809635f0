"""The world outside Switchboard during the demo: connectors delivering the simulated
messages when the scaled clock reaches their time, and partners announcing their
staffing through the partner API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaProducer

from plumbing.clock import Clock
from schemas.teams import TeamCapacity
from switchboard.simulator import SimMessage

#: Sends awaited together; keeps the publisher's wait on the broker off the clock's path.
BATCH = 200


@dataclass
class PlayState:
    published: int = 0
    #: How far behind the scaled clock each message went out, in simulated seconds.
    lags: list[float] = field(default_factory=list)
    capacity_announced: int = 0
    capacity_refused: int = 0
    done: bool = False

    @property
    def max_lag_seconds(self) -> float:
        return max(self.lags, default=0.0)


async def play_messages(
    bootstrap: str,
    prefix: str,
    *,
    clock: Clock,
    messages: Sequence[SimMessage],
    bad_inputs: Sequence[tuple[str, bytes]],
    state: PlayState,
) -> None:
    """Publish each message at its simulated time; the bad inputs spread between them."""
    spread = {
        len(messages) * (n + 1) // (len(bad_inputs) + 1): bad for n, bad in enumerate(bad_inputs)
    }
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    pending: list[asyncio.Future[object]] = []
    try:
        for index, message in enumerate(messages):
            ahead = (message.at - clock.now()).total_seconds()
            if ahead > 0:
                if pending:
                    await asyncio.gather(*pending)
                    pending.clear()
                await asyncio.sleep(clock.real_seconds(ahead))
            state.lags.append(max(0.0, -ahead))
            pending.append(
                await producer.send(
                    f"{prefix}{message.topic}", message.payload_bytes(), key=message.key.encode()
                )
            )
            if index in spread:
                topic, value = spread[index]
                pending.append(await producer.send(f"{prefix}{topic}", value))
            state.published += 1
            if len(pending) >= BATCH:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
        state.done = True


async def announce_capacity(
    api_url: str,
    keys: dict[str, str],
    zones: dict[str, ZoneInfo],
    *,
    clock: Clock,
    announcements: Sequence[TeamCapacity],
    state: PlayState,
) -> None:
    """Each partner posts its headcount (now and planned) to ``/v1/capacity`` when the
    simulated clock reaches the announcement, as its workforce tool would."""
    async with httpx.AsyncClient(base_url=api_url, timeout=10) as client:
        for event in announcements:
            ahead = (event.occurred_at - clock.now()).total_seconds()
            if ahead > 0:
                await asyncio.sleep(clock.real_seconds(ahead))
            await announce(client, keys, zones, clock=clock, event=event, state=state)


async def announce(
    client: httpx.AsyncClient,
    keys: dict[str, str],
    zones: dict[str, ZoneInfo],
    *,
    clock: Clock,
    event: TeamCapacity,
    state: PlayState,
) -> None:
    """One partner's announcement, with the days planned from today in its time zone."""
    key = keys.get(event.team_id)
    if key is None:
        return
    today = clock.now().astimezone(zones[event.team_id]).date()
    body = {
        "agents_on_shift": event.agents_on_shift,
        "planned": [
            {"day": shift.day.isoformat(), "agents": shift.agents}
            for shift in event.planned
            if shift.day >= today
        ],
    }
    if await _post(client, key, body):
        state.capacity_announced += 1
    else:
        state.capacity_refused += 1


async def _post(client: httpx.AsyncClient, key: str, body: dict[str, object]) -> bool:
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex}
    for _ in range(5):  # the same idempotency key: a retry is one announcement
        try:
            answer = await client.post("/v1/capacity", json=body, headers=headers)
        except httpx.HTTPError:
            await asyncio.sleep(0.5)
            continue
        if answer.status_code == 200:
            return True
        if answer.status_code not in (429, 503):
            return False
        await asyncio.sleep(float(answer.headers.get("Retry-After", "0.5")))
    return False
