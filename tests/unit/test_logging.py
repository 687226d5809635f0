"""The aiokafka repeat limiter: one line per kind and window, with the count held back."""

from __future__ import annotations

import logging

from plumbing.logging import RepeatLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_a_flood_of_one_kind_shows_once_per_window_with_the_count_held_back() -> None:
    clock = Clock()
    limiter = RepeatLimiter("aiokafka", window=10, clock=clock)
    shown = []
    for n in range(300):  # 30 s of aiokafka retrying every 100 ms
        clock.now = n * 0.1
        line = record("aiokafka.conn", "Unable connect to node with id %s: %s", 1, "refused")
        if limiter.filter(line):
            shown.append((round(clock.now, 1), getattr(line, "repeats_suppressed", 0)))
    assert shown == [(0.0, 0), (10.0, 99), (20.0, 99)]


def test_kinds_are_counted_apart_and_other_loggers_pass_untouched() -> None:
    clock = Clock()
    limiter = RepeatLimiter("aiokafka", window=10, clock=clock)
    refused = record("aiokafka.conn", "Unable connect to node with id %s: %s", 1, "x")
    metadata = record("aiokafka.cluster", "Unable to update metadata from %s", [1])
    ours = record("plumbing.runtime", "Kafka unreachable; retrying")
    assert limiter.filter(refused)
    assert limiter.filter(metadata)
    assert not limiter.filter(refused)
    assert all(limiter.filter(ours) for _ in range(5))
