"""The asking side of the watermarks (``plumbing.watermark.HighWatermarks``): a consumer
whose looks go unanswered for ``REPLACE_AFTER_SECONDS`` is replaced, so a client left
behind by a broker that went away cannot hold every input watermark back."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import TopicPartition

from plumbing.watermark import REPLACE_AFTER_SECONDS, HighWatermarks

TP = TopicPartition("tickets", 0)


@dataclass
class _Consumer:
    answers: bool
    stopped: bool = False

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        if not self.answers:
            raise TimeoutError("no answer")
        return dict.fromkeys(partitions, 42)

    async def stop(self) -> None:
        self.stopped = True


class _Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_consumer_that_stays_unanswered_is_replaced_and_the_new_one_asks() -> None:
    clock = _Clock()
    started: list[_Consumer] = []
    highs = HighWatermarks({}, monotonic=clock)

    async def start() -> _Consumer:
        # The first consumer is wedged; any later one is answered.
        consumer = _Consumer(answers=bool(started))
        started.append(consumer)
        return consumer

    highs._start = start  # type: ignore[method-assign]
    for second in range(int(REPLACE_AFTER_SECONDS)):
        clock.now = float(second)
        assert await highs.ask([TP]) is None
    assert len(started) == 1, "replaced before its looks went unanswered long enough"
    clock.now = REPLACE_AFTER_SECONDS
    assert await highs.ask([TP]) is None
    assert started[0].stopped
    assert await highs.ask([TP]) == {TP: 42}
    assert len(started) == 2


async def test_an_answered_consumer_is_kept_through_short_gaps() -> None:
    clock = _Clock()
    consumer = _Consumer(answers=True)
    highs = HighWatermarks({}, monotonic=clock)

    async def start() -> _Consumer:
        return consumer

    highs._start = start  # type: ignore[method-assign]
    assert await highs.ask([TP]) == {TP: 42}
    consumer.answers = False
    for second in (1.0, 5.0, 9.0):
        clock.now = second
        assert await highs.ask([TP]) is None
    consumer.answers = True
    assert await highs.ask([TP]) == {TP: 42}
    clock.now = 30.0
    consumer.answers = False
    assert await highs.ask([TP]) is None  # a new run of failures starts its own count
    assert not consumer.stopped
