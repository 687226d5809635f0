"""What the demo plays: the simulated window, the traffic at a volume scale, the partners'
staffing announcements, a few bad inputs, and the desk's config scaled to match.
Pure: everything here is computed from the options and the config."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.config import load_config
from schemas.teams import TeamCapacity
from switchboard.simulator import (
    DEFAULT_SEED,
    DEMO_FIRST_DAY,
    SimMessage,
    TrafficParams,
    day_range,
    generate_traffic,
    partner_capacity_announcements,
)

#: Simulated seconds per real second: the seven days take about seven minutes.
DEFAULT_SPEED = 1440.0
#: Share of the simulator's Black Friday volume (about 20,000 messages in the week) the
#: demo plays, the desk's headcount scaled alike. Measured on the shared 2-core machine
#: with Black Friday alone at 1440x: at 1.0 and 0.25 the router's first decision on a
#: ticket fell 30 s (real) behind and tickets opened in the last quarter of the day were
#: never routed before it ended; at 0.1 every ticket is decided, within a few seconds
#: (docs/architecture.md, Demo).
DEFAULT_VOLUME_SCALE = 0.1
#: At the demo's speed a partner's tooling makes as many calls per real second as it
#: would in ``speed`` seconds: the contract's rate limit is scaled up by the same factor,
#: bounded so a runaway client is still stopped.
DEMO_RATE_LIMIT = "2000/second"

#: Lockstep: the grid the clock moves on. A message is routed at most this long after
#: it arrives and an agent's reply goes out at most this late: small against the
#: shortest first-response target (a phone call's minute).
DEFAULT_STEP_SECONDS = 10.0
#: Lockstep: the clock stops at least this often, so the services' own timers (the
#: pending backlog, SLA announcements) act at most this late when nothing else happens.
#: Arrivals, agents' and partners' actions, offer timeouts and opening hours are stops
#: of their own; every quiet stop costs a round of the services.
DEFAULT_HEARTBEAT_SECONDS = 300.0
#: Lockstep: the desk works on this long after the last arrival (as ``bench.policies``).
JUDGED_AFTER = timedelta(days=1)

#: Inputs no connector should send, fed in on purpose: they must reach the dead-letter
#: topics with their reason, and the books count them as expected.
BAD_INPUTS: tuple[tuple[str, bytes], ...] = (
    ("inbound.email", b"\x00\xff this is not JSON"),
    ("inbound.chat", b'{"message_id": 42, "conversation_id": [], "text": null}'),
    ("inbound.marketplace", b'{"marketplace": "allegro", "message_id": "m-1"'),
)


@dataclass(frozen=True)
class DemoOptions:
    first_day: date = DEMO_FIRST_DAY
    days: int = 7
    speed: float = DEFAULT_SPEED
    seed: int = DEFAULT_SEED
    volume_scale: float = DEFAULT_VOLUME_SCALE
    out: Path = Path(".run/demo")
    browser: bool = True
    #: Topic prefix of the run; a fresh ``demo-<time>-<hex>.`` when not given.
    topic_prefix: str | None = None
    #: Real seconds the services get to start before the simulated days begin (scaled
    #: clock only: in lockstep the clock waits for them).
    startup_seconds: float = 20.0
    #: The services' clock: moved by the demo in steps (True), or scaled real time.
    lockstep: bool = True
    #: Lockstep: simulated seconds between two instants the clock may stop at.
    step_seconds: float = DEFAULT_STEP_SECONDS
    #: Lockstep: the longest the clock jumps at once, however quiet the desk.
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("--days must be at least 1")
        if self.speed <= 0:
            raise ValueError("--speed must be positive")
        if not 0 < self.volume_scale <= 10:
            raise ValueError("--volume must be in (0, 10]")
        if not 0 < self.step_seconds <= self.heartbeat_seconds:
            raise ValueError("--step must be positive and at most the heartbeat")

    @property
    def clock_file(self) -> Path:
        return self.out / "clock"

    @property
    def judged_after(self) -> timedelta:
        """How long the desk keeps working after the last arrival (lockstep), so every
        first-response deadline of the window's tickets has passed when it is judged."""
        return JUDGED_AFTER if self.lockstep else timedelta(0)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class DemoPlan:
    start: datetime
    end: datetime
    messages: list[SimMessage]
    capacity: list[TeamCapacity]
    bad_inputs: tuple[tuple[str, bytes], ...]


def scaled_config(raw: dict[str, Any], volume_scale: float) -> dict[str, Any]:
    """The config with every team's headcount and every partner's daily cap scaled like
    the traffic, so the desk is as stretched as at full volume; partners' API rate limits
    follow the compressed clock."""
    scaled = copy.deepcopy(raw)
    for team in scaled["teams"]:
        team["agents"] = max(1, round(team["agents"] * volume_scale))
        contract = team.get("contract")
        if contract and contract.get("daily_volume_cap") is not None:
            contract["daily_volume_cap"] = max(
                1, math.ceil(contract["daily_volume_cap"] * volume_scale)
            )
    partners = scaled.get("partner_api", {}).get("partners", {})
    for access in partners.values():
        access["rate_limit"] = DEMO_RATE_LIMIT
    return scaled


def build_plan(options: DemoOptions, config_path: Path) -> DemoPlan:
    params = TrafficParams(
        baseline_contacts_per_day=TrafficParams().baseline_contacts_per_day * options.volume_scale
    )
    start, end = day_range(options.first_day, options.last_day, params.shop_timezone)
    messages = generate_traffic(start, end, seed=options.seed, params=params)
    capacity = partner_capacity_announcements(
        load_config(config_path).teams,
        options.first_day,
        options.last_day,
        seed=options.seed,
        season=params.season,
    )
    return DemoPlan(
        start=start,
        end=end,
        messages=messages,
        capacity=[c for c in capacity if start <= c.occurred_at < end],
        bad_inputs=BAD_INPUTS,
    )
