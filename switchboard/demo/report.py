"""The demo's HTML report: one self-contained file (plotly.js inlined, no network, no
server) with the summary figures and five plots of the week."""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from switchboard.demo.compare import CHANNEL_ORDER, Comparison
from switchboard.demo.figures import Figures

#: The plots, by the id of the element each is drawn into (the browser test looks them up).
PLOT_IDS = (
    "policy-comparison",
    "queue-depth",
    "sla-attainment",
    "overflow-share",
    "breaches-by-team",
    "forecast-vs-actual",
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { padding: .25rem .8rem; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
tr:nth-child(even) td { background: #fafafa; } .note { color: #666; font-size: .9rem; }
"""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 60:.1f} min" if value >= 120 else f"{value:.2f} s"


def summary_rows(
    figures: Figures, peak_rss_mib: dict[str, float], cpu_seconds: dict[str, float] | None = None
) -> list[tuple[str, str]]:
    """(what, value) rows shared by the report and the terminal summary."""
    waits = figures.time_to_assignment
    latency = figures.service_latency
    rows = [
        ("tickets opened", f"{figures.tickets:,}"),
        ("inbound deliveries", f"{figures.inbound_deliveries:,}"),
        ("answered / resolved", f"{figures.answered:,} / {figures.resolved:,}"),
    ]
    for channel, entry in figures.attainment.items():
        label = "all channels" if channel == "all" else channel
        rows.append(
            (
                f"first response in time, {label}",
                f"{_percent(entry['attainment'])} ({entry['met']:,} met, "
                f"{entry['breached']:,} breached)",
            )
        )
    for metric, count in sorted(figures.breaches_by_metric.items()):
        rows.append((f"breaches, {metric.replace('_', ' ')}", f"{count:,}"))
    rows += [
        (
            "in-house / partner tickets",
            f"{figures.in_house_tickets:,} / {figures.partner_tickets:,} "
            f"(partner share {_percent(figures.partner_share)})",
        ),
        ("outsourcing cost", f"{figures.cost['outsourcing']:,.2f}"),
        ("in-house cost", f"{figures.cost['in_house']:,.2f}"),
        (
            "time to assignment p50 / p99 (simulated)",
            f"{_seconds(waits['sim_p50_seconds'])} / {_seconds(waits['sim_p99_seconds'])}",
        ),
        (
            "time to assignment p50 / p99 (real)",
            f"{_seconds(waits['real_p50_seconds'])} / {_seconds(waits['real_p99_seconds'])}",
        ),
        ("dead letters", f"{figures.dead_letters:,}"),
        (
            "real latency p50 / p99: message to ticket",
            f"{_seconds(latency['ingest_p50_seconds'])} / "
            f"{_seconds(latency['ingest_p99_seconds'])}",
        ),
        (
            "real latency p50 / p99: ticket to routing decision",
            f"{_seconds(latency['routing_decision_p50_seconds'])} / "
            f"{_seconds(latency['routing_decision_p99_seconds'])}",
        ),
    ]
    cpu = cpu_seconds or {}
    rows += [
        (
            f"peak RSS, {name}",
            f"{mib:.0f} MiB" + (f" (CPU {cpu[name]:.0f} s)" if name in cpu else ""),
        )
        for name, mib in peak_rss_mib.items()
    ]
    return rows


def comparison_figure(comparison: Comparison) -> go.Figure:
    """First-response attainment per channel, one group of bars per policy."""
    rows = comparison.rows
    channels = [c for c in CHANNEL_ORDER if any(c in r.by_channel for r in rows)]
    figure = go.Figure(
        [
            go.Bar(
                x=[*channels, "all"],
                y=[*(row.attainment_of(c) for c in channels), row.attainment],
                name=row.label,
            )
            for row in rows
        ]
    )
    figure.update_layout(
        title="First response in time, by channel: the same week under every policy",
        yaxis={"tickformat": ".0%", "range": [0, 1]},
        barmode="group",
    )
    return figure


def comparison_table(comparison: Comparison) -> str:
    rows = comparison.rows
    channels = [c for c in CHANNEL_ORDER if any(c in r.by_channel for r in rows)]
    head = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in (
            "policy",
            "first response in time",
            *channels,
            "breaches",
            "outsourcing cost",
            "against data policy",
            "never worked",
        )
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(cell)}</td>"
            for cell in (
                row.label,
                _percent(row.attainment),
                *(_percent(row.attainment_of(c)) for c in channels),
                f"{row.breaches:,}",
                f"{row.cost_partners:,.2f}",
                f"{row.against_policy:,}",
                f"{row.never_worked:,}",
            )
        )
        + "</tr>"
        for row in rows
    )
    checks = "".join(
        f"<li>{'&#10003;' if check.holds else '&#10007;'} {html.escape(check.claim)}: "
        f"{html.escape(check.detail)}</li>"
        for check in comparison.checks
    )
    apart = comparison.disagreement
    reasons = "".join(
        f"<li>{count:,}: {html.escape(reason)}</li>" for reason, count in apart.reasons.items()
    )
    return (
        f"<table id='policies'><tr>{head}</tr>{body}</table>"
        f"<ul id='checks'>{checks}</ul>"
        "<p class='note'>The services' run against the desk engine's Switchboard, ticket by "
        f"ticket: {apart.compared:,} tickets judged by both; {apart.worse_in_services:,} met "
        f"in the engine and breached in the services' run, {apart.better_in_services:,} the "
        f"other way round; {apart.only_in_services:,} tickets opened only by the services "
        f"(threading), {apart.only_in_engine:,} only by the engine.</p>"
        + (f"<ul id='disagreement'>{reasons}</ul>" if reasons else "")
    )


def build_figures(figures: Figures, comparison: Comparison) -> dict[str, go.Figure]:
    hours = figures.hours
    depth = go.Figure(
        [
            go.Scatter(x=hours, y=ys, name=team, mode="lines")
            for team, ys in figures.queue_depth.items()
        ]
    )
    depth.update_layout(
        title="Open tickets held per team (end of each hour)",
        yaxis_title="tickets",
        xaxis_title="Tallinn time",
    )
    attainment = go.Figure(
        [
            go.Bar(x=figures.days, y=ys, name=channel)
            for channel, ys in figures.attainment_by_day.items()
        ]
    )
    attainment.update_layout(
        title="First response in time, by channel and day of arrival",
        yaxis={"tickformat": ".0%", "range": [0, 1]},
        xaxis={"type": "category"},
        barmode="group",
    )
    overflow = go.Figure(
        go.Scatter(
            x=hours, y=figures.overflow_share, mode="lines", name="to partners", fill="tozeroy"
        )
    )
    overflow.update_layout(
        title="Share of routings that went to partners, per hour", yaxis={"tickformat": ".0%"}
    )
    metrics = sorted({m for counts in figures.breaches_by_team.values() for m in counts})
    teams = list(figures.breaches_by_team)
    breaches = go.Figure(
        [
            go.Bar(
                x=teams,
                y=[figures.breaches_by_team[team].get(metric, 0) for team in teams],
                name=metric.replace("_", " "),
            )
            for metric in metrics
        ]
    )
    breaches.update_layout(title="SLA breaches by team", barmode="stack", yaxis_title="breaches")
    forecast = make_subplots(
        rows=2, cols=1, shared_xaxes=True, subplot_titles=("Arrivals per hour", "Breaches per hour")
    )
    forecast.add_trace(
        go.Scatter(x=hours, y=figures.forecast_arrivals_per_hour, name="forecast (sla.forecasts)"),
        row=1,
        col=1,
    )
    forecast.add_trace(
        go.Scatter(x=hours, y=figures.routed_per_hour, name="observed (tickets routed)"),
        row=1,
        col=1,
    )
    forecast.add_trace(
        go.Scatter(x=hours, y=figures.forecast_breaches_per_hour, name="forecast breaches"),
        row=2,
        col=1,
    )
    forecast.add_trace(
        go.Scatter(x=hours, y=figures.breaches_per_hour, name="observed breaches"), row=2, col=1
    )
    forecast.update_layout(title="Forecast vs actual", height=600)
    return dict(
        zip(
            PLOT_IDS,
            (comparison_figure(comparison), depth, attainment, overflow, breaches, forecast),
            strict=True,
        )
    )


def render_report(
    figures: Figures,
    comparison: Comparison,
    peak_rss_mib: dict[str, float],
    verdict: str,
    cpu_seconds: dict[str, float] | None = None,
) -> str:
    """The whole page; plotly.js is inlined once, before the first plot."""
    plots: list[str] = []
    for index, (plot_id, figure) in enumerate(build_figures(figures, comparison).items()):
        figure.update_layout(template="plotly_white", margin={"t": 60})
        plots.append(
            figure.to_html(
                full_html=False,
                include_plotlyjs=index == 0,
                div_id=plot_id,
                config={"displaylogo": False},
            )
        )
    rows = "".join(
        f"<tr><td>{html.escape(what)}</td><td>{html.escape(value)}</td></tr>"
        for what, value in summary_rows(figures, peak_rss_mib, cpu_seconds)
    )
    title = f"Switchboard demo: {figures.first_day} to {figures.last_day}, {figures.clock}"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p class='note'>Volume scale {figures.volume_scale:g} of the simulated traffic. "
        "Every figure of the services' run comes from their output topics. "
        f"Books: {html.escape(verdict)}</p>"
        "<h2>The same week under every policy</h2>"
        + comparison_table(comparison)
        + plots[0]
        + f"<h2>The services' run</h2><table id='summary'><tr><th>what</th><th>value</th></tr>"
        f"{rows}</table>"
        + "".join(
            f"<h2>{html.escape(pid.replace('-', ' '))}</h2>{p}"
            for pid, p in zip(PLOT_IDS[1:], plots[1:], strict=True)
        )
        + "</body></html>\n"
    )


def write_report(path: Path, page: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
