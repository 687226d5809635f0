"""``bench/kafka_footprint.py``: what the services write to Kafka per inbound message."""

from __future__ import annotations

import pytest

from bench.e2e import Setup
from bench.kafka_footprint import measure


@pytest.mark.kafka
@pytest.mark.slow
def test_every_topic_a_new_ticket_touches_is_counted_with_its_markers(
    kafka_bootstrap: str,
) -> None:
    footprint = measure(Setup(kafka_bootstrap, patience=120), count=50)
    topics = footprint.topics
    # Each email is one inbound record, written by a plain (non-transactional) producer.
    assert topics["inbound.email"].records == 50
    assert topics["inbound.email"].markers == 0
    # A ticket is opened and then assigned: at least two events on ``tickets``.
    assert topics["tickets"].records >= 100
    for changelog in (
        "ingest.tickets-changelog",
        "router.tickets-changelog",
        "sla.clocks-changelog",
    ):
        assert topics[changelog].records >= 50, changelog
        assert topics[changelog].bytes > 0
    # The services write in transactions: every one ends with a commit marker.
    assert topics["tickets"].markers > 0
    assert footprint.records > 5 * 50
    assert footprint.bytes > topics["inbound.email"].bytes
