"""The HTML report: one self-contained page with the summary and every plot."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from switchboard.demo.compare import LABELS, SERVICES
from switchboard.demo.figures import Figures, compute_figures
from switchboard.demo.outcomes import Outcomes
from switchboard.demo.report import PLOT_IDS, build_figures, render_report, summary_rows
from tests.support.demo_data import END, START, TEAMS, small_comparison, small_run

RSS = {"ingest": 540.0, "router": 90.0, "sla": 85.0, "partner-api": 95.0}


def figures() -> Figures:
    outcomes = Outcomes()
    for record in small_run():
        outcomes.add(record)
    return compute_figures(
        outcomes,
        start=START,
        end=END,
        speed=1440,
        volume_scale=0.1,
        clock="scaled clock, 1440x",
        teams=TEAMS,
        zone=ZoneInfo("Europe/Tallinn"),
    )


def test_the_page_is_self_contained() -> None:
    page = render_report(figures(), small_comparison(), RSS, "0 problems")
    # plotly.js is inlined once; nothing is fetched from anywhere.
    assert page.count("* plotly.js v") == 1
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", page)
    for plot_id in PLOT_IDS:
        assert f'id="{plot_id}"' in page


def test_the_summary_table_has_the_figures_and_the_verdict() -> None:
    data = figures()
    rows = dict(summary_rows(data, RSS, {"ingest": 12.0}))
    assert rows["tickets opened"] == "48"
    assert rows["first response in time, all channels"] == "81.2% (39 met, 9 breached)"
    assert rows["outsourcing cost"] == "62.40"
    assert rows["peak RSS, ingest"] == "540 MiB (CPU 12 s)"
    assert rows["peak RSS, router"] == "90 MiB"
    page = render_report(data, small_comparison(), RSS, "0 problems")
    assert "Books: 0 problems" in page
    assert "2026-11-27 to 2026-11-28, scaled clock, 1440x" in page
    assert "<td>tickets opened</td><td>48</td>" in page


def test_every_plot_has_data() -> None:
    for plot_id, figure in build_figures(figures(), small_comparison()).items():
        assert figure.data, plot_id
        assert any(
            any(v is not None for v in (trace.y if trace.y is not None else ()))
            for trace in figure.data
        ), plot_id


def test_the_page_shows_every_policy_side_by_side() -> None:
    page = render_report(figures(), small_comparison(), RSS, "0 problems")
    table = page.split("<table id='policies'>")[1].split("</table>")[0]
    for policy in (SERVICES, "switchboard", "in_house_only", "least_loaded"):
        assert f"<td>{html.escape(LABELS[policy])}</td>" in table
    assert "<td>91.7%</td>" in table  # the services' 44 of 48
    assert "3: a different team took it" in page
