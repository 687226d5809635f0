"""``bench/e2e_backlog.py``: the real services hold a standing backlog while a stream that
other teams can take goes through, and its figures come with the no-backlog baseline."""

from __future__ import annotations

import pytest

from bench.e2e_backlog import run

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_a_stream_goes_through_while_the_backlog_stays_held(kafka_bootstrap: str) -> None:
    lines: list[str] = []
    # Each case raises unless the router held all 200 waiting tickets before the stream
    # and still held them after it, and every e-mail of the bursts was assigned.
    figures = run(kafka_bootstrap, [200], count=100, seconds=3, patience=180, out=lines.append)
    by_metric = {figure.metric: figure for figure in figures}
    throughput = by_metric["throughput behind 200 waiting"]
    assert throughput.value > 0
    assert throughput.baseline is not None
    assert throughput.baseline > 0
    p50, p99 = (
        by_metric["latency p50 behind 200 waiting"],
        by_metric["latency p99 behind 200 waiting"],
    )
    assert 0 < p50.value <= p99.value
    assert p50.baseline is not None
    assert p50.baseline > 0
    assert "round 1, 200 waiting (held after" in lines[-1]
