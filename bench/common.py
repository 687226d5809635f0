"""What every benchmark reports, and small statistics helpers."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from switchboard.launcher import ServiceProcess, free_port


@dataclass(frozen=True)
class Figure:
    """One measured figure, with the baseline measured in the same run and the target."""

    benchmark: str
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def peak_rss_mb(pid: int | None) -> float:
    """A live process's peak resident set size so far (``VmHWM``), in MB; NaN if gone."""
    if pid is None:
        return math.nan
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return math.nan
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return math.nan


def format_number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    magnitude = abs(value)
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_table(figures: Sequence[Figure]) -> str:
    """Figures as a Markdown table: readable in a terminal, pasteable into a README."""
    header = ("benchmark", "figure", "value", "baseline (same run)", "ratio", "target", "met")
    rows = [header]
    for figure in figures:
        baseline = "-"
        if figure.baseline is not None:
            baseline = f"{format_number(figure.baseline)} {figure.unit}: {figure.baseline_label}"
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}x"
        met = {True: "yes", False: "**no**", None: "-"}[figure.met]
        rows.append(
            (
                figure.benchmark,
                figure.metric,
                f"{format_number(figure.value)} {figure.unit}",
                baseline,
                ratio,
                figure.target or "-",
                met,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def quiet_service(
    name: str, bootstrap: str, prefix: str, config: Path, log_path: Path
) -> ServiceProcess:
    """``services.<name>`` on ``config`` under ``prefix``, logging warnings only (not started)."""
    return ServiceProcess(
        name=name,
        env={
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SWITCHBOARD_TOPIC_PREFIX": prefix,
            "SWITCHBOARD_CONFIG": str(config),
            "LOG_LEVEL": "WARNING",
        },
        http_port=free_port(),
        log_path=log_path,
    )


@contextmanager
def kafka(bootstrap: str | None) -> Iterator[str]:
    """``bootstrap`` when given; else ``$KAFKA_BOOTSTRAP_SERVERS`` or a private broker,
    stopped and deleted when the block ends."""
    from tests.support.broker import session_bootstrap  # noqa: PLC0415  (needed only here)

    broker = None
    if bootstrap is None:
        bootstrap, broker = session_bootstrap()
    try:
        yield bootstrap
    finally:
        if broker is not None:
            broker.stop()
            broker.reset()
