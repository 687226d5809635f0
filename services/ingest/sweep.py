"""Forget what has expired, in the transactions of the partitions that own it.

Memory that expires without new input (an idle customer, a long-resolved
ticket) is removed by a periodic sweep: for each owned partition, one
transaction deletes the expired keys from the store and writes tombstones to
the changelog, so a restore does not bring them back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from plumbing.logging import get_logger
from plumbing.processor import Step, TransactionalProcessor

V = TypeVar("V")

log = get_logger(__name__)

#: Changes per partition and sweep, so one sweep never makes a huge transaction.
MAX_CHANGES_PER_SWEEP = 5_000

Expire = Callable[[V, datetime], V | None]


def sweep_partition(step: Step[V], expire: Expire[V], max_changes: int) -> None:
    """Apply ``expire`` to every key of the partition: None deletes, a new value replaces."""
    changed = 0
    for key in list(step.store.keys()):
        value = step.store.get(key)
        if value is None:
            continue
        kept = expire(value, step.now)
        if kept is value:
            continue
        if kept is None:
            step.store.delete(key)
        else:
            step.store.put(key, kept)
        changed += 1
        if changed >= max_changes:
            break
    if changed:
        log.info("memory swept", partition=step.partition, changed=changed)


def sweeper(
    processor: TransactionalProcessor[V], expire: Expire[V], interval_seconds: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def sweep_forever() -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            for tp in processor.owned_partitions():
                work = partial(sweep_partition, expire=expire, max_changes=MAX_CHANGES_PER_SWEEP)
                try:
                    await processor.transact(tp, work)
                except Exception:
                    log.exception(
                        "memory sweep failed; the next one retries", partition=tp.partition
                    )

    return sweep_forever
