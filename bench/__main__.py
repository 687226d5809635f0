"""Run every benchmark and print one table of figures, each against its same-run baseline.

    python -m bench [--quick] [--only NAME[,NAME...]] [--bootstrap HOST:PORT]
                    [--json .run/bench/results.json]

Each benchmark runs in its own process (``--child``), so that one benchmark's memory
(the language models, a million SLA clocks) does not count in the next one's figures.
Benchmarks that need Kafka use ``--bootstrap``, else ``$KAFKA_BOOTSTRAP_SERVERS``, else a
private broker this command starts on free ports and stops at the end
(``tests/support/broker.py``). The figures also go to a JSON file with the date, the
machine's load average before and after, and the commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Figure, render_table
from bench.suite import BENCHMARKS, Options

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = REPO_ROOT / ".run" / "bench" / "results.json"


def _child(name: str, options: Options, figures_to: Path) -> None:
    figures = BENCHMARKS[name].run(options)
    figures_to.write_text(json.dumps([figure.as_dict() for figure in figures]))


def _run_in_child(name: str, options: Options) -> tuple[list[Figure], str | None]:
    with tempfile.TemporaryDirectory() as scratch:
        figures_to = Path(scratch) / "figures.json"
        command = [sys.executable, "-m", "bench", "--child", name, "--figures-to", str(figures_to)]
        if options.quick:
            command.append("--quick")
        if options.bootstrap:
            command += ["--bootstrap", options.bootstrap]
        result = subprocess.run(command, cwd=REPO_ROOT, check=False)
        if result.returncode != 0 or not figures_to.exists():
            return [], f"exited with code {result.returncode}"
        raw: list[dict[str, Any]] = json.loads(figures_to.read_text())
    figures = [Figure(**{k: v for k, v in item.items() if k != "ratio"}) for item in raw]
    return figures, None


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--figures-to", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _child(args.child, Options(args.quick, args.bootstrap), args.figures_to)
        return 0

    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    bootstrap = args.bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip() or None
    broker = None
    if bootstrap is None and any(BENCHMARKS[n].kafka for n in names):
        from tests.support.broker import session_bootstrap  # noqa: PLC0415

        print("starting a private Kafka broker for the benchmarks that need one...", flush=True)
        bootstrap, broker = session_bootstrap()
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()
    results: list[Figure] = []
    errors: dict[str, str] = {}
    seconds: dict[str, float] = {}
    try:
        for name in names:
            print(f"\n=== {name}: {BENCHMARKS[name].what} ===", flush=True)
            began = time.perf_counter()
            figures, error = _run_in_child(name, Options(args.quick, bootstrap))
            seconds[name] = time.perf_counter() - began
            results += figures
            if error is not None:
                errors[name] = error
                print(f"!!! {name} failed: {error}", flush=True)
    finally:
        if broker is not None:
            broker.stop()
            broker.reset()
    load_after = os.getloadavg()
    report = {
        "started_at": started_at.isoformat(),
        "quick": args.quick,
        "commit": _commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
        "kafka": "private broker" if broker is not None else bootstrap,
        "seconds": seconds,
        "errors": errors,
        "figures": [figure.as_dict() for figure in results],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\n{started_at:%Y-%m-%d %H:%M} UTC, {'quick' if args.quick else 'normal'} sizes, "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
        f"commit {report['commit']}\n"
    )
    print(render_table(results))
    for name, error in errors.items():
        print(f"\n{name} FAILED: {error}")
    print(f"\nresults written to {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
