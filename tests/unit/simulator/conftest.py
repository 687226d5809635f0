"""One demo week of traffic, generated once for every test that only reads it."""

from __future__ import annotations

from datetime import datetime

import pytest

from switchboard.simulator import (
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    SimMessage,
    TrafficParams,
    day_range,
    generate_traffic,
)


@pytest.fixture(scope="session")
def demo_range() -> tuple[datetime, datetime]:
    return day_range(DEMO_FIRST_DAY, DEMO_LAST_DAY, TrafficParams().shop_timezone)


@pytest.fixture(scope="session")
def demo_week(demo_range: tuple[datetime, datetime]) -> list[SimMessage]:
    start, end = demo_range
    return generate_traffic(start, end, seed=42)
