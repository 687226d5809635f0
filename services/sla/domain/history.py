"""Rolling counts behind the forecasts, kept in Kafka so they survive a restart.

Every ``tickets`` partition counts, per queue (team x skill), cumulative totals: tickets
that arrived (by first-response target), tickets served (first response while queued),
and tickets waiting now (``QueueTally``, in the partition's changelog and published to
``sla.queue-stats``). The forecaster sums the partitions' tallies, turns the growth of
the totals since its last look into per-bucket counts (``TeamHistory``, in the
changelog of ``tickets`` partition 0, whose owner forecasts), and integrates the busy
server time ``min(servers, waiting) x elapsed`` from which the service rate comes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

#: A gap between two looks longer than this is not integrated into busy time: nobody
#: watched the queue (the forecaster was down or moving).
MAX_GAP_MS = 15 * 60 * 1000


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class QueueTally(_Model):
    """One partition's cumulative counts for one queue."""

    queue_id: str
    partition: int = Field(ge=0)
    arrivals: dict[int, int] = Field(
        default_factory=dict, description="First-response target (s) -> arrived tickets."
    )
    served: int = Field(default=0, ge=0)
    waiting: int = 0

    def arrive(self, target_s: int) -> None:
        self.arrivals[target_s] = self.arrivals.get(target_s, 0) + 1
        self.waiting += 1

    def leave(self, *, served: bool) -> None:
        self.waiting -= 1
        if served:
            self.served += 1


class QueueTotals(_Model):
    arrivals: dict[int, int] = Field(default_factory=dict)
    served: int = 0
    waiting: int = 0


def sum_tallies(tallies: Iterable[QueueTally]) -> dict[str, QueueTotals]:
    totals: dict[str, QueueTotals] = {}
    for tally in tallies:
        total = totals.setdefault(tally.queue_id, QueueTotals())
        for target, count in tally.arrivals.items():
            total.arrivals[target] = total.arrivals.get(target, 0) + count
        total.served += tally.served
        total.waiting += max(0, tally.waiting)
    return totals


class Bucket(_Model):
    start_ms: int
    arrivals: dict[str, dict[int, int]] = Field(default_factory=dict)  # queue -> target -> n
    served: int = 0
    busy_ms: int = 0  # server-milliseconds busy


class TeamHistory(_Model):
    team_id: str
    since_ms: int | None = None
    last_at_ms: int | None = None
    seen: dict[str, QueueTotals] = Field(default_factory=dict)
    buckets: list[Bucket] = Field(default_factory=list)

    def advance(
        self,
        now_ms: int,
        totals: dict[str, QueueTotals],
        servers: int,
        *,
        bucket_ms: int,
        keep_ms: int,
    ) -> None:
        """Count what happened since the last look into the bucket of ``now_ms``."""
        start = now_ms - now_ms % bucket_ms
        if not self.buckets or self.buckets[-1].start_ms < start:
            self.buckets.append(Bucket(start_ms=start))
        bucket = self.buckets[-1]
        first_look = self.last_at_ms is None
        for queue_id, total in totals.items():
            previous = self.seen.get(queue_id)
            if previous is None and first_look:
                continue  # all-time totals are not this bucket's arrivals
            previous = previous or QueueTotals()
            grown = Counter(total.arrivals)
            grown.subtract(previous.arrivals)
            arrived = bucket.arrivals.setdefault(queue_id, {})
            for target, count in grown.items():
                if count > 0:
                    arrived[target] = arrived.get(target, 0) + count
            bucket.served += max(0, total.served - previous.served)
        if not first_look and self.last_at_ms is not None:
            elapsed = now_ms - self.last_at_ms
            if 0 < elapsed <= MAX_GAP_MS:
                # Busy servers between the two looks, by the trapezoid rule.
                before = min(servers, sum(total.waiting for total in self.seen.values()))
                after = min(servers, sum(total.waiting for total in totals.values()))
                bucket.busy_ms += (before + after) * elapsed // 2
        self.seen = {queue_id: total.model_copy(deep=True) for queue_id, total in totals.items()}
        self.last_at_ms = now_ms
        if self.since_ms is None:
            self.since_ms = now_ms
        self.buckets = [b for b in self.buckets if b.start_ms >= now_ms - keep_ms]

    def _recent(self, now_ms: int, window_ms: int) -> tuple[list[Bucket], int, int]:
        """Buckets starting in the last ``window_ms``, where they begin, the time covered."""
        chosen = [b for b in self.buckets if b.start_ms >= now_ms - window_ms]
        begin = chosen[0].start_ms if chosen else now_ms - window_ms
        since = self.since_ms if self.since_ms is not None else now_ms
        return chosen, begin, max(0, now_ms - max(begin, since))

    def arrival_rate(
        self, queue_id: str, now_ms: int, window_ms: int
    ) -> tuple[float, dict[int, int]]:
        """Arrivals per second over the last ``window_ms`` and their target mix."""
        buckets, _, covered = self._recent(now_ms, window_ms)
        mix: Counter[int] = Counter()
        for bucket in buckets:
            mix.update(bucket.arrivals.get(queue_id, {}))
        rate = sum(mix.values()) / (covered / 1000) if covered >= 60_000 else 0.0
        return rate, dict(mix)

    def baseline_rate(
        self, queue_id: str, now_ms: int, recent_ms: int, baseline_ms: int, bucket_ms: int
    ) -> float | None:
        """Arrivals per second in the baseline window before the recent one; None without
        at least a bucket of history there."""
        _, recent_begin, _ = self._recent(now_ms, recent_ms)
        chosen = [b for b in self.buckets if now_ms - baseline_ms <= b.start_ms < recent_begin]
        begin = chosen[0].start_ms if chosen else recent_begin
        since = self.since_ms if self.since_ms is not None else now_ms
        covered = recent_begin - max(begin, since)
        if covered < bucket_ms:
            return None
        count = sum(sum(b.arrivals.get(queue_id, {}).values()) for b in chosen)
        return count / (covered / 1000)

    def service_rate(self, now_ms: int, window_ms: int, min_served: int) -> float | None:
        """First responses per busy server-second; None until enough were measured."""
        buckets, _, _ = self._recent(now_ms, window_ms)
        served = sum(b.served for b in buckets)
        busy = sum(b.busy_ms for b in buckets)
        if served < min_served or busy <= 0:
            return None
        return served / (busy / 1000)
