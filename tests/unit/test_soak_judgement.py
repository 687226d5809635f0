"""The soak's judgement of growth (tests/support/soak.py) on series whose answer is known:
a leak is found under noise, a bounded series passes whatever its scatter, a ramp during
the warm-up and a one-off step are not leaks."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.soak import judge

MINUTE = 60.0
MB = 1024 * 1024
HOUR = [n * MINUTE for n in range(61)]  # one sample a minute for an hour
WARMUP = 10 * MINUTE


def noisy(base: float, spread: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [base + rng.gauss(0, spread) for _ in HOUR]


def test_a_leak_of_a_megabyte_a_minute_is_found_under_three_megabytes_of_noise() -> None:
    rss = [v + n * MB for n, v in enumerate(noisy(200 * MB, 3 * MB, 1))]
    verdict = judge("rss", HOUR, rss, warmup=WARMUP, unit=0)
    assert verdict is not None
    assert verdict.grows, verdict.line()
    assert verdict.slope_per_hour == pytest.approx(60 * MB, rel=0.15)


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_is_bounded(seed: int) -> None:
    verdict = judge("rss", HOUR, noisy(200 * MB, 5 * MB, seed), warmup=WARMUP, unit=0)
    assert verdict is not None
    assert not verdict.grows, verdict.line()


def test_a_ramp_during_the_warm_up_is_not_a_leak() -> None:
    rss = [min(n, 10) * 20 * MB + v for n, v in enumerate(noisy(100 * MB, 1 * MB, 2))]
    verdict = judge("rss", HOUR, rss, warmup=WARMUP, unit=0)
    assert verdict is not None
    assert not verdict.grows, verdict.line()


def test_a_garbage_collector_sawtooth_is_bounded() -> None:
    rss = [200 * MB + (n % 7) * 4 * MB for n in range(len(HOUR))]
    assert not judge("rss", HOUR, rss, warmup=WARMUP, unit=0).grows  # type: ignore[union-attr]


def test_descriptors_one_more_once_are_bounded_one_more_every_few_minutes_grow() -> None:
    step = [40.0 if n < 35 else 41.0 for n in range(len(HOUR))]
    assert not judge("fds", HOUR, step, warmup=WARMUP, unit=1).grows  # type: ignore[union-attr]
    creeping = [40.0 + n // 5 for n in range(len(HOUR))]
    verdict = judge("fds", HOUR, creeping, warmup=WARMUP, unit=1)
    assert verdict is not None
    assert verdict.grows, verdict.line()
    flat = judge("fds", HOUR, [40.0] * len(HOUR), warmup=WARMUP, unit=1)
    assert flat is not None
    assert not flat.grows
    assert flat.slope_per_hour == 0


def test_too_few_samples_after_the_warm_up_are_not_judged() -> None:
    assert judge("rss", HOUR[:14], [1.0] * 14, warmup=WARMUP, unit=0) is None


@settings(max_examples=40, deadline=None)
@given(
    base=st.floats(1, 1e9),
    spread=st.floats(0, 0.2),
    seed=st.integers(0, 10_000),
)
def test_a_series_that_only_falls_never_grows(base: float, spread: float, seed: int) -> None:
    rng = random.Random(seed)
    values = [base * (1 - n / 120) * (1 + rng.uniform(-spread, spread)) for n in range(61)]
    verdict = judge("x", HOUR, values, warmup=WARMUP, unit=0)
    assert verdict is not None
    assert not verdict.grows, verdict.line()
