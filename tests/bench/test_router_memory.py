"""``bench/router_memory.py``: the real router restores the tickets the benchmark writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bench.router_memory import DEFAULT_MIX, open_routes, partition_of
from bench.router_memory import measure_async as router_memory
from services.router.changelog import decode_record, encode_record
from services.router.domain import packing


def test_the_written_states_are_router_records_in_the_ticket_partition() -> None:
    routes = list(open_routes(100, DEFAULT_MIX, datetime.now(UTC)))
    statuses = [route.status for _, _, route in routes]
    assert statuses.count("queued") == 60
    assert statuses.count("accepted") == 20
    assert statuses.count("pending") == 20
    for ticket_id, partition, route in routes:
        assert partition == partition_of(ticket_id) == route.partition
        packed = packing.pack(route)
        assert packing.unpack(ticket_id, decode_record(encode_record(packed))) == route  # type: ignore[arg-type]
        assert route.facts.text  # real message texts, not empty shells
    assert len({route.facts.correlation_id for _, _, route in routes}) == 100


@pytest.mark.kafka
@pytest.mark.slow
def test_the_router_restores_every_ticket_and_its_rss_is_read(kafka_bootstrap: str) -> None:
    lines: list[str] = []
    # 3,000 tickets fill every team of the sample config beyond its capacity, so the
    # router can route none of the pending ones and its backlog holds all of them.
    figures = asyncio.run(
        router_memory([3_000], bootstrap=kafka_bootstrap, out=lines.append, timeout=120)
    )
    by_metric = {figure.metric: figure for figure in figures}
    rss = by_metric["router RSS with 3,000 open tickets restored"]
    assert rss.baseline is not None
    assert rss.value > rss.baseline > 30  # MB: a real Python process, holding more when full
    ready = by_metric["router spawn to ready on 3,000 open tickets"]
    # The router's own gauge counts the pending tickets it restored into its backlog.
    assert "pending backlog gauge 600 of 600 pending written; stable" in ready.note
