from __future__ import annotations

import pytest

from schemas.config import SwitchboardConfig, load_config
from services.ingest.domain.enrich import Enricher
from tests.conftest import SAMPLE_CONFIG


@pytest.fixture(scope="session")
def sample_config() -> SwitchboardConfig:
    return load_config(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def enricher(sample_config: SwitchboardConfig) -> Enricher:
    """The service's enricher on the sample rules (lingua loads once per session)."""
    enricher = Enricher(sample_config.ingest)
    enricher.warm_up()
    return enricher
