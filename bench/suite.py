"""Every benchmark the runner (``python -m bench``) knows, at normal and at quick sizes.

Normal sizes are the ones the targets speak of (a million SLA clocks, 200 teams, the
demo week...); quick sizes only show that each benchmark works (a smoke run): their
figures are not comparable with the targets, and targets that only hold at full size
are not judged then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bench.common import Figure


@dataclass(frozen=True)
class Options:
    quick: bool
    bootstrap: str | None  # Kafka bootstrap servers, for the benchmarks that need Kafka


@dataclass(frozen=True)
class Benchmark:
    name: str
    kafka: bool
    what: str
    run: Callable[[Options], list[Figure]]


def _policies(options: Options) -> list[Figure]:
    from bench.policies import compare, figures, render  # noqa: PLC0415

    if options.quick:
        black_friday = date(2026, 11, 27)
        comparison = compare(first_day=black_friday, last_day=black_friday, scale=0.1)
    else:
        comparison = compare()
    print(render(comparison))
    return figures(comparison)


def _router_decision(options: Options) -> list[Figure]:
    from bench.router_decision import measure  # noqa: PLC0415

    if options.quick:
        return measure(runs=1, decisions=1_000, warm_up=200)
    return measure()


def _claims_timer(options: Options) -> list[Figure]:
    from bench.claims_timer import measure  # noqa: PLC0415

    return measure(waiting=[2_000], ticks=2) if options.quick else measure()


def _ingest_enrichment(options: Options) -> list[Figure]:
    from bench.ingest_enrichment import measure  # noqa: PLC0415

    return measure(messages=200, runs=1) if options.quick else measure()


def _ingest_memory(options: Options) -> list[Figure]:
    from bench.ingest_memory import measure  # noqa: PLC0415

    return measure(days=0.5, models=()) if options.quick else measure()


def _sla_memory(options: Options) -> list[Figure]:
    from bench.sla_memory import measure  # noqa: PLC0415

    if options.quick:
        return measure(tickets=10_000, runs=1, variants=("dict-of-floats", "sla"))
    return measure()


def _sla_lateness(options: Options) -> list[Figure]:
    from bench.sla_lateness import timer_figures  # noqa: PLC0415

    if options.quick:
        # The lead only has to cover building the store: a loaded machine needs more than 3 s.
        return timer_figures(tickets=10_000, lead_s=15, due=1_000, spread_ms=1_000)
    return timer_figures()


def _sla_lateness_kafka(options: Options) -> list[Figure]:
    from bench.sla_lateness import service_run  # noqa: PLC0415

    if options.quick:
        run = service_run(5, bootstrap=options.bootstrap, due=2_000, spread_ms=5_000)
    else:
        run = service_run(90, bootstrap=options.bootstrap)
    return asyncio.run(run)


def _sla_restore(options: Options) -> list[Figure]:
    from bench.sla_restore import measure_async  # noqa: PLC0415

    if options.quick:
        return asyncio.run(measure_async(20_000, 1, 1, bootstrap=options.bootstrap))
    return asyncio.run(measure_async(1_000_000, 3, 3, bootstrap=options.bootstrap))


def _e2e(options: Options) -> list[Figure]:
    from bench.e2e import Setup, run  # noqa: PLC0415

    assert options.bootstrap is not None
    if options.quick:
        return run(Setup(options.bootstrap), count=1_000, runs=1, latency_seconds=5)
    return run(Setup(options.bootstrap))


def _e2e_backlog(options: Options) -> list[Figure]:
    from bench.e2e_backlog import run  # noqa: PLC0415

    assert options.bootstrap is not None
    if options.quick:
        return run(options.bootstrap, [1_000], count=300, seconds=5)
    return run(options.bootstrap, [1_000, 10_000], runs=3)


def _kafka_footprint(options: Options) -> list[Figure]:
    from bench.e2e import Setup  # noqa: PLC0415
    from bench.kafka_footprint import run  # noqa: PLC0415

    assert options.bootstrap is not None
    return run(Setup(options.bootstrap), count=200 if options.quick else 2_000)


def _router_memory(options: Options) -> list[Figure]:
    from bench.router_memory import measure_async  # noqa: PLC0415

    counts = [3_000] if options.quick else [300_000, 1_000_000]
    return asyncio.run(measure_async(counts, bootstrap=options.bootstrap))


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in (
        Benchmark(
            "policies", False, "the demo week routed by Switchboard and baselines", _policies
        ),
        Benchmark("router_decision", False, "one routing decision, 200 teams", _router_decision),
        Benchmark("claims_timer", False, "the claims' timer on a night's queue", _claims_timer),
        Benchmark("ingest_enrichment", False, "ingest's CPU per message", _ingest_enrichment),
        Benchmark(
            "ingest_memory",
            False,
            "ingest's state per entry and its language models' RSS",
            _ingest_memory,
        ),
        Benchmark("sla_memory", False, "SLA state of 1,000,000 open tickets", _sla_memory),
        Benchmark("sla_lateness", False, "breach lateness, SLA timer alone", _sla_lateness),
        Benchmark(
            "sla_lateness_kafka",
            True,
            "breach lateness, services.sla on Kafka",
            _sla_lateness_kafka,
        ),
        Benchmark("sla_restore", True, "restore of 1,000,000 SLA clocks", _sla_restore),
        Benchmark("e2e", True, "end to end through the three services", _e2e),
        Benchmark(
            "e2e_backlog",
            True,
            "a stream teams can take, behind a standing backlog of 1,000 and 10,000",
            _e2e_backlog,
        ),
        Benchmark(
            "kafka_footprint",
            True,
            "records and bytes Kafka stores per inbound message",
            _kafka_footprint,
        ),
        Benchmark("router_memory", True, "router RSS with open tickets restored", _router_memory),
    )
}
PURE = tuple(name for name, b in BENCHMARKS.items() if not b.kafka)
