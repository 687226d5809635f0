"""One partition's open Kafka transaction: what it holds, and how it commits.

A transaction stays open across fetches and timer work and commits when its interval
is over, when it holds ``max_records`` input records, or when a handler asks for it
(``Step.commit_soon``), whichever comes first; Kafka Streams commits every 100 ms
under exactly-once for the same reason: a transaction costs five round trips
(AddPartitionsToTxn, Produce, AddOffsetsToTxn, TxnOffsetCommit, EndTxn) whatever it
holds, so a transaction per fetched batch of a few records spends most of its time
waiting on the broker.

Outputs are handed to the producer as they are made, so they travel while the
transaction is still open; the commit then has four steps, in this order:

1. write the store's staged changes to the changelog (one record per key changed in
   the whole transaction: compaction before Kafka's);
2. add the input offsets (``send_offsets_to_transaction``);
3. wait until the broker acknowledged every record of the transaction, and fail if
   any was not (aiokafka 0.14 would commit without a batch it failed quietly, the
   hole KAFKA-5385 closed in the Java client);
4. EndTxn (commit).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition

from plumbing.logging import get_logger
from plumbing.step import Output

log = get_logger(__name__)


@dataclass(frozen=True)
class CommitPolicy:
    """When an open transaction commits (``KAFKA_COMMIT_INTERVAL_MS``,
    ``KAFKA_MAX_TRANSACTION_RECORDS``)."""

    interval_seconds: float = 0.1
    max_records: int = 2_000


@dataclass
class OpenTransaction:
    """What one transaction of one partition holds until it commits."""

    started: float = field(default_factory=time.monotonic)
    records: int = 0
    deliveries: list[asyncio.Future[Any]] = field(default_factory=list)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    #: Set when the transaction should commit before its interval is over.
    due: asyncio.Event = field(default_factory=asyncio.Event)
    #: True once committed, False if it failed (the partition is then reset).
    outcome: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    async def send(self, producer: AIOKafkaProducer, outputs: Sequence[Output]) -> None:
        for output in outputs:
            delivery = await producer.send(
                output.topic, value=output.value, key=output.key, headers=list(output.headers)
            )
            delivery.add_done_callback(self._on_delivery)
            self.deliveries.append(delivery)

    def _on_delivery(self, delivery: asyncio.Future[Any]) -> None:
        # A failed delivery dooms the transaction: commit (and so fail) without waiting
        # for the rest of the interval.
        if delivery.cancelled() or delivery.exception() is not None:
            self.due.set()

    def settle(self, committed: bool) -> None:
        if not self.outcome.done():
            self.outcome.set_result(committed)


async def finish(
    producer: AIOKafkaProducer,
    transaction: OpenTransaction,
    *,
    group_id: str,
    changelog_topic: str | None,
    changelog_partition: int,
    changes: list[tuple[str, bytes | None]],
) -> None:
    """Steps 1 to 4 above; on any failure the transaction is aborted and the error raised."""
    try:
        if changelog_topic is not None:
            for key, value in changes:
                delivery = await producer.send(
                    changelog_topic, value=value, key=key.encode(), partition=changelog_partition
                )
                transaction.deliveries.append(delivery)
        if transaction.offsets:
            await producer.send_offsets_to_transaction(transaction.offsets, group_id)
        await all_delivered(transaction.deliveries)
    except BaseException:
        await quietly(producer.abort_transaction())
        raise
    await producer.commit_transaction()


async def all_delivered(deliveries: Sequence[asyncio.Future[Any]]) -> None:
    """Raise the first delivery failure of a transaction's records, if any."""
    outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
    failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
    if failure is not None:
        raise failure


#: Seconds a cleanup step (abort, stop) may take: with the broker gone or the producer in
#: a bad state, aiokafka can wait for ever, and nothing is lost by giving up (an open
#: transaction is aborted by the next owner's fencing or by its timeout).
CLEANUP_SECONDS = 10.0


async def quietly(awaitable: Awaitable[Any]) -> None:
    """Await a cleanup step, bounded in time; its failure is logged, not raised."""
    try:
        await asyncio.wait_for(awaitable, CLEANUP_SECONDS)
    except Exception:
        log.debug("cleanup step failed", exc_info=True)
