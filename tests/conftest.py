"""Shared fixtures. Kafka tests get a real broker: ``$KAFKA_BOOTSTRAP_SERVERS`` when
set, else one started for the session by ``deploy/kafka/kafka.sh``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.broker import session_bootstrap

# Hypothesis fails an example that takes over 200 ms by default: a timed assertion that
# fails on a busy machine (seen at load 20). The examples' outcomes are what we test.
settings.register_profile("switchboard", deadline=None)
settings.load_profile("switchboard")

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = REPO_ROOT / "deploy" / "config" / "switchboard.yaml"


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    bootstrap, broker = session_bootstrap()
    try:
        yield bootstrap
    finally:
        if broker is not None:
            broker.stop()
            broker.reset()


@pytest.fixture
def topic_prefix() -> str:
    """A fresh prefix for topic and group names, so tests never share Kafka state."""
    return f"t{uuid.uuid4().hex[:10]}."
