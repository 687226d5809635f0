from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.integration.hostile.support import Stack, running_stack


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """Ingest, router, SLA and the partner API in this process, on a prefix of their own."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    async with running_stack(kafka_bootstrap, prefix, tmp_path_factory.mktemp("hostile")) as s:
        yield s
