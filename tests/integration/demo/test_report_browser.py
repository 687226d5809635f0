"""The demo's report in a real browser: headless Chromium (Debian's ``chromium``) opens
the file with no server and no network, the plots are drawn into the page, and a
screenshot of it is not blank."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from switchboard.demo.figures import compute_figures
from switchboard.demo.outcomes import Outcomes
from switchboard.demo.report import PLOT_IDS, render_report, write_report
from tests.support.demo_data import END, START, TEAMS, small_comparison, small_run

pytestmark = pytest.mark.slow

#: Flags for a sandboxed CI container: no GPU, no background fetches, no first-run UI.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--hide-scrollbars",
    # Virtual time runs the page's scripts (plotly draws on load) before the dump.
    "--virtual-time-budget=15000",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path is not None:
            return path
    pytest.fail("chromium is not installed: run scripts/setup-system.sh (Debian package)")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outcomes = Outcomes()
    for record in small_run():
        outcomes.add(record)
    figures = compute_figures(
        outcomes,
        start=START,
        end=END,
        speed=1440,
        volume_scale=0.1,
        clock="scaled clock, 1440x",
        teams=TEAMS,
        zone=ZoneInfo("Europe/Tallinn"),
    )
    page = render_report(
        figures, small_comparison(), {"ingest": 540.0, "router": 90.0}, "0 problems"
    )
    return write_report(tmp_path_factory.mktemp("report") / "report.html", page)


def run_chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A profile of its own: nothing of the machine's user leaks in, nothing is left behind.
    profile = cwd / "profile"
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_every_plot_is_drawn_in_the_page(report: Path) -> None:
    result = run_chromium("--dump-dom", report.as_uri(), cwd=report.parent)
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<td>tickets opened</td><td>48</td>" in dom
    positions = [dom.index(f'id="{plot_id}"') for plot_id in PLOT_IDS]
    assert positions == sorted(positions)
    for plot_id, start, end in zip(PLOT_IDS, positions, [*positions[1:], len(dom)], strict=True):
        drawn = dom[start:end]
        # plotly replaces the empty div with SVG: axes, and one group per trace.
        assert 'class="main-svg"' in drawn, f"{plot_id} was not drawn"
        traces = re.findall(r'class="(?:trace|scatterlayer|barlayer)[^"]*"', drawn)
        assert traces, f"{plot_id} has no traces"
    assert "plotly-notifier" in dom or "js-plotly-plot" in dom


def test_a_screenshot_of_the_page_is_not_blank(report: Path) -> None:
    shot = report.parent / "report.png"
    result = run_chromium(
        f"--screenshot={shot}", "--window-size=1200,2400", report.as_uri(), cwd=report.parent
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1200, 2400)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    # Text, table stripes, axes and coloured traces: a blank or error page has a handful.
    assert len(colours) > 500
    background = max(colours)[0] / (1200 * 2400)
    assert background < 0.95, "the page is almost all one colour"
