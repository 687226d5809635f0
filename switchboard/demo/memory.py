"""Peak resident memory and CPU time of each service process, sampled during the run
(psutil)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil


@dataclass(eq=False)
class RssSampler(threading.Thread):
    """Samples the RSS of each named process every ``interval`` seconds; keeps the peak.
    ``pids`` is asked each time, so a restarted service is followed."""

    pids: Callable[[], dict[str, int | None]]
    interval: float = 0.5
    peak_bytes: dict[str, int] = field(default_factory=dict)
    last_bytes: dict[str, int] = field(default_factory=dict)
    #: CPU seconds (user + system) of each process at its last sample.
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(daemon=True, name="rss-sampler")

    def sample(self) -> None:
        for name, pid in self.pids().items():
            if pid is None:
                continue
            try:
                process = psutil.Process(pid)
                rss = int(process.memory_info().rss)
                times = process.cpu_times()
            except psutil.Error:  # exited between the listing and the read
                continue
            self.cpu_seconds[name] = times.user + times.system
            self.last_bytes[name] = rss
            self.peak_bytes[name] = max(rss, self.peak_bytes.get(name, 0))

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.sample()

    def last_mib(self) -> dict[str, float]:
        return {name: rss / 2**20 for name, rss in sorted(self.last_bytes.items())}

    def peak_mib(self) -> dict[str, float]:
        return {name: rss / 2**20 for name, rss in sorted(self.peak_bytes.items())}
