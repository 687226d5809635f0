"""A run of the traffic model: every inbound message of a date range, in time order."""

from __future__ import annotations

import random
from datetime import datetime

from switchboard.simulator.arrivals import arrival_times
from switchboard.simulator.conversations import MarketStream
from switchboard.simulator.model import SimMessage
from switchboard.simulator.params import DEFAULT_SEED, TrafficParams
from switchboard.simulator.season import Season


def _generator(seed: int, purpose: str, market: str) -> random.Random:
    # String seeds are hashed with SHA-512 by ``random``: stable across processes
    # and Python builds, unlike ``hash()``. One generator per market and purpose
    # keeps arrival times the same when the message texts change.
    return random.Random(f"switchboard-simulator:{seed}:{purpose}:{market}")


def generate_traffic(
    start: datetime,
    end: datetime,
    *,
    seed: int = DEFAULT_SEED,
    params: TrafficParams | None = None,
) -> list[SimMessage]:
    """Every message delivered to ``inbound.<channel>`` in ``[start, end)``, ordered by
    delivery time. The same arguments always give the same messages."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError("end must be after start")
    params = params or TrafficParams()
    season = Season(params.season)
    messages: list[SimMessage] = []
    for market in params.markets:
        stream = MarketStream(
            rng=_generator(seed, "contacts", market.code),
            market=market,
            params=params,
            season=season,
            end=end,
        )
        arrivals = _generator(seed, "arrivals", market.code)
        for at in arrival_times(arrivals, params, season, market, start=start, end=end):
            messages.extend(stream.conversation(at))
    messages.sort(key=lambda message: (message.at, message.sim_id))
    return messages
