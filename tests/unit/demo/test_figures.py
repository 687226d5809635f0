"""The demo's figures from the folded topics: summary numbers and hourly series."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from switchboard.demo.figures import Figures, compute_figures, percentile
from switchboard.demo.outcomes import Outcomes
from tests.support.demo_data import END, START, TEAMS, small_run

TALLINN = ZoneInfo("Europe/Tallinn")


def small_figures() -> Figures:
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
        zone=TALLINN,
    )


@given(st.lists(st.floats(-1e6, 1e6), min_size=1), st.floats(0, 1), st.floats(0, 1))
def test_percentile_is_a_value_between_min_and_max_and_grows_with_the_share(
    values: list[float], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    p_low, p_high = percentile(values, low), percentile(values, high)
    assert p_low is not None
    assert p_high is not None
    assert p_low in values
    assert min(values) <= p_low <= p_high <= max(values)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 0.99) == 99.0


def test_summary_numbers() -> None:
    figures = small_figures()
    assert figures.tickets == 48
    assert (figures.in_house_tickets, figures.partner_tickets) == (32, 16)
    assert figures.partner_share == 16 / 48
    assert figures.breaches_by_metric == {"first_response": 9}
    assert figures.attainment["all"] == {"met": 39, "breached": 9, "attainment": 39 / 48}
    # Every fifth ticket breaches; the channels rotate through five, so each channel
    # holds breached tickets of one index class only.
    assert sum(e["breached"] for c, e in figures.attainment.items() if c != "all") == 9
    assert figures.resolved == 40
    assert figures.dead_letters == 1
    # Even partner tickets go to nearshore; the odd ones Manila rejects go there too.
    assert figures.cost["outsourcing"] == float(16 * TEAMS["nearshore-bpo"][1])
    assert figures.cost["in_house"] == float(
        16 * TEAMS["tallinn-care"][1] + 16 * TEAMS["warsaw-care"][1]
    )
    waits = figures.time_to_assignment
    # In-house tickets are queued after a minute, partner offers after two.
    assert (waits["sim_p50_seconds"], waits["sim_p99_seconds"]) == (60.0, 120.0)
    # Records are 50 ms apart: the ticket event follows its message by one record.
    assert figures.service_latency["ingest_p50_seconds"] == 0.05
    assert figures.service_latency["undecided_tickets"] == 0


def test_hourly_series_cover_the_window() -> None:
    figures = small_figures()
    assert len(figures.hours) == 48
    assert figures.hours[0] == "2026-11-27 00:00"  # local time of START
    assert sum(figures.routed_per_hour) == 48 + 8  # eight offers were re-routed
    assert sum(figures.breaches_per_hour) == 9
    # One ticket an hour, partner every third, plus the re-routes to partners.
    assert figures.overflow_share[2] == 1.0
    assert figures.overflow_share[0] == 0.0
    assert figures.forecast_arrivals_per_hour[0] == 1.0  # 0.6 + 0.4 from two queues
    for series in figures.queue_depth.values():
        assert len(series) == 48
        assert min(series) >= 0
    # At the end the last eight tickets are still held by their teams.
    assert sum(series[-1] for series in figures.queue_depth.values()) == 8
    assert figures.days == ["2026-11-27", "2026-11-28"]


def test_the_window_start_is_local() -> None:
    figures = small_figures()
    assert figures.window_start.startswith("2026-11-27T00:00")
    assert START + timedelta(days=2) == END
    assert figures.as_json()["partner_share"] == figures.partner_share
