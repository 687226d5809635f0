"""Waiting in tests: poll until the state a test asserts holds, never a fixed sleep.

A probe that returns a value (a ticket's status, a counter) and stops at the first one
it finds ends the wait before the awaited state exists: pass ``until``, the condition
the test asserts next, so the wait ends exactly when that assertion can hold.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


async def eventually(
    probe: Callable[[], Any],
    *,
    until: Callable[[Any], object] = bool,
    timeout: float = 30.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Call ``probe`` (plain or async) until ``until(value)`` holds; return that value.

    Raises AssertionError naming ``what`` and the last value seen after ``timeout``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if until(value):
            return value
        if loop.time() > deadline:
            seen = repr(value)[:500]
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {seen}")
        await asyncio.sleep(interval)


def equals(expected: Any) -> Callable[[Any], bool]:
    """``until`` for a probe whose value must become exactly ``expected``."""
    return lambda value: bool(value == expected)
