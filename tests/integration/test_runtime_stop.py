"""A service stops within its budget even when a client never finishes stopping (as
aiokafka's can when the broker is gone), so its supervisor restarts it."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from plumbing import runtime as runtime_module
from plumbing.runtime import ServiceRuntime
from plumbing.settings import ServiceSettings
from schemas.topics import TopicSpec

pytestmark = [pytest.mark.kafka]


async def test_a_stop_that_never_ends_is_given_up_after_the_budget(
    kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "STOP_BUDGET_SECONDS", 1.0)
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    runtime = ServiceRuntime("stuck", settings, topics=[TopicSpec("any", 1, "unused")])
    stopped = asyncio.Event()
    never = asyncio.Event()

    async def hangs() -> None:
        await never.wait()

    async def after_the_hook() -> None:
        stopped.set()

    runtime.on_shutdown(hangs)
    runtime.on_shutdown(after_the_hook)
    async with asyncio.timeout(60):  # without the budget, the exit below never returns
        async with runtime.lifespan(FastAPI()):
            pass
    assert not stopped.is_set(), "the hook after the stuck one ran: nothing was stuck"
    await runtime.broker.stop()  # what the abandoned stop left open, for a clean test
