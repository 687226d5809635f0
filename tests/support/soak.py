"""The soak's instruments: a sampler of every service's resident memory, open file
descriptors and consumer lag, and the judgement of whether a series grows without bound.

**The judgement.** A series (say, the router's RSS, one sample a minute) is judged over
the samples after the warm-up (caches filling, pools growing, the first rebalances: a
ramp that is expected). It grows without bound when both hold:

1. the Theil-Sen slope (the median of the slopes between every pair of samples, so a
   few outliers cannot move it) has a 95 % confidence interval entirely above zero:
   the rise is not the series' own scatter; and
2. the growth that slope makes over the judged window is larger than three times the
   series' noise, the robust scale of its residuals around the fitted line (1.4826 x
   their median absolute deviation, which estimates a standard deviation), and at
   least one unit for counts (descriptors, records of lag): the rise matters.

The noise comes from the judged window itself, not from the warm-up: the warm-up's
spread is mostly its ramp, and would let a real leak hide under it. A series whose
samples are all equal (descriptors usually are) has no noise: any significant rise of
at least one unit fails it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families
from scipy.stats import median_abs_deviation, theilslopes

from switchboard.launcher import Stack

#: Fewer judged samples than this say nothing about a trend.
MIN_JUDGED_SAMPLES = 6
NOISE_MULTIPLE = 3.0


@dataclass(frozen=True)
class Verdict:
    series: str
    samples: int
    #: Theil-Sen slope and its 95 % confidence interval, in units per hour.
    slope_per_hour: float
    low_per_hour: float
    high_per_hour: float
    #: What the slope adds up to over the judged window, and the tolerance it must exceed.
    growth: float
    tolerance: float
    first: float
    last: float

    @property
    def grows(self) -> bool:
        return self.low_per_hour > 0 and self.growth > self.tolerance

    def line(self) -> str:
        verdict = "GROWS" if self.grows else "bounded"
        return (
            f"{self.series}: {verdict}; {self.first:,.0f} -> {self.last:,.0f} over "
            f"{self.samples} samples, slope {self.slope_per_hour:+,.1f}/h "
            f"(95 % {self.low_per_hour:+,.1f} .. {self.high_per_hour:+,.1f}), "
            f"growth {self.growth:+,.1f} against a tolerance of {self.tolerance:,.1f}"
        )


def judge(
    series: str, times: Sequence[float], values: Sequence[float], *, warmup: float, unit: float
) -> Verdict | None:
    """The verdict on the samples taken ``warmup`` seconds or more after the first one;
    None when there are too few of them to judge. ``unit``: the series' quantum (1 for
    counts, 0 for measurements)."""
    start = times[0] if times else 0.0
    judged = [(t, v) for t, v in zip(times, values, strict=True) if t - start >= warmup]
    if len(judged) < MIN_JUDGED_SAMPLES:
        return None
    ts = [t for t, _ in judged]
    vs = [v for _, v in judged]
    if max(vs) == min(vs):
        slope = low = high = intercept = 0.0
    else:
        slope, intercept, low, high = theilslopes(vs, ts, alpha=0.95)
    residuals = [v - (intercept + slope * t) for t, v in judged]
    noise = float(median_abs_deviation(residuals, scale="normal"))
    growth = slope * (ts[-1] - ts[0])
    return Verdict(
        series=series,
        samples=len(judged),
        slope_per_hour=slope * 3600,
        low_per_hour=low * 3600,
        high_per_hour=high * 3600,
        growth=growth,
        tolerance=max(NOISE_MULTIPLE * noise, unit),
        first=vs[0],
        last=vs[-1],
    )


@dataclass(eq=False)
class Sampler(threading.Thread):
    """Samples every service of ``stack`` each ``interval`` seconds: resident memory
    (bytes), open file descriptors, and its consumers' lag (the sum of its
    ``switchboard_consumer_lag`` series, records). A service that restarted is noted: a
    soak has no faults, so that is a failure of its own."""

    stack: Stack
    interval: float
    stop: threading.Event = field(default_factory=threading.Event)
    log: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    restarted: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__(daemon=True)

    def run(self) -> None:
        pids = {name: service.pid for name, service in self.stack.services.items()}
        while True:
            self.take(pids)
            if self.stop.wait(self.interval):
                return

    def take(self, pids: dict[str, int | None]) -> None:
        at = time.monotonic()
        sample: dict[str, float] = {}
        for name, service in self.stack.services.items():
            if service.pid != pids[name]:
                self.restarted.add(name)
            try:
                process = psutil.Process(service.pid)
                sample[f"{name} rss (bytes)"] = process.memory_info().rss
                sample[f"{name} open fds"] = process.num_fds()
                sample[f"{name} consumer lag (records)"] = consumer_lag(service.url)
            except (psutil.Error, httpx.HTTPError, TypeError) as exc:
                self.log.append(f"{at:.0f}: {name} not sampled ({exc!r})")
                return
        self.times.append(at)
        for key, value in sample.items():
            self.values[key].append(value)

    def verdicts(self, warmup: float) -> list[Verdict | None]:
        return [
            judge(key, self.times, values, warmup=warmup, unit=0.0 if "rss" in key else 1.0)
            for key, values in sorted(self.values.items())
        ]


def consumer_lag(url: str) -> float:
    """The sum of a service's ``switchboard_consumer_lag`` series."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == "switchboard_consumer_lag":
            total += sum(s.value for s in family.samples if not math.isnan(s.value))
    return total
