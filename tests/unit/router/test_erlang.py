"""Erlang B/C against exact rational arithmetic, textbook values and a log-space reference."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.router.domain.erlang import (
    erlang_b,
    erlang_c,
    erlang_wait_seconds,
    mean_wait,
    service_level,
)


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    """The textbook formula in exact arithmetic (fine for small c)."""
    term = Fraction(1)
    below = Fraction(0)
    for k in range(servers):
        below += term
        term = term * load / (k + 1)
    top = term * servers / (servers - load)  # a^c / c! * c / (c - a)
    return top / (below + top)


def log_space_erlang_b(servers: int, load: float) -> float:
    """B = Poisson pmf(c) / cdf(c), in log space: no overflow for large c."""
    logs = [k * math.log(load) - math.lgamma(k + 1) for k in range(servers + 1)]
    peak = max(logs)
    total = math.fsum(math.exp(x - peak) for x in logs)
    return math.exp(logs[-1] - peak) / total


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (1, Fraction(1, 2), Fraction(1, 2)),  # M/M/1: P(wait) = rho
        (2, Fraction(1), Fraction(1, 3)),
        (3, Fraction(2), Fraction(4, 9)),
        (10, Fraction(8), None),
        (24, Fraction(20), None),
    ],
)
def test_erlang_c_matches_the_exact_formula(
    servers: int, load: Fraction, expected: Fraction | None
) -> None:
    exact = exact_erlang_c(servers, load)
    if expected is not None:
        assert exact == expected
    assert erlang_c(servers, float(load)) == pytest.approx(float(exact), rel=1e-12)


def test_erlang_c_textbook_value_for_a_contact_centre() -> None:
    # 10 agents, 8 Erlangs of traffic: P(wait) = 0.409 (published Erlang C tables).
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-4)


@given(servers=st.integers(1, 40), load_share=st.fractions(min_value=0, max_value=1))
def test_erlang_c_agrees_with_exact_arithmetic_everywhere(
    servers: int, load_share: Fraction
) -> None:
    load = load_share * servers * Fraction(99, 100)
    assert erlang_c(servers, float(load)) == pytest.approx(
        float(exact_erlang_c(servers, load)), rel=1e-9, abs=1e-300
    )


@pytest.mark.parametrize(("servers", "load"), [(500, 480.0), (2000, 1950.5), (1000, 10.0)])
def test_erlang_b_is_stable_for_large_teams(servers: int, load: float) -> None:
    value = erlang_b(servers, load)
    assert 0 <= value <= 1
    assert value == pytest.approx(log_space_erlang_b(servers, load), rel=1e-9, abs=1e-300)


def test_mean_wait_of_m_m_1_is_rho_over_mu_minus_lambda() -> None:
    lam, mu = 3.0, 5.0
    assert mean_wait(1, lam, mu) == pytest.approx((lam / mu) / (mu - lam))


def test_service_level_of_m_m_1() -> None:
    lam, mu, t = 3.0, 5.0, 0.7
    assert service_level(1, lam, mu, t) == pytest.approx(1 - (lam / mu) * math.exp(-(mu - lam) * t))


def test_unstable_and_empty_queues() -> None:
    assert mean_wait(4, 4.0, 1.0) == math.inf  # load == servers
    assert mean_wait(0, 1.0, 1.0) == math.inf
    assert mean_wait(3, 0.0, 1.0) == 0.0
    assert erlang_c(4, 5.0) == 1.0
    assert service_level(2, 3.0, 1.0, 10) == 0.0
    assert service_level(2, 0.0, 1.0, 10) == 1.0
    assert erlang_wait_seconds(0, 0.1, 60) == math.inf
    assert erlang_wait_seconds(5, 0.0, 60) == 0.0


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="servers"):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError, match="servers"):
        erlang_b(3, math.nan)
    with pytest.raises(ValueError, match="service rate"):
        mean_wait(3, 1.0, 0.0)


@given(servers=st.integers(1, 400), load_share=st.floats(0.0, 0.999))
def test_early_stop_returns_an_upper_bound_below_the_floor(servers: int, load_share: float) -> None:
    load = servers * load_share
    exact = erlang_b(servers, load)
    bounded = erlang_b(servers, load, floor=1e-12)
    assert bounded >= exact
    assert bounded == exact or bounded < 1e-12


def test_team_wait_is_erlang_c_mean_wait_in_seconds() -> None:
    slots, per_second, handle = 24, 100 / 3600, 12 * 60.0
    expected = mean_wait(slots, per_second, 1 / handle)
    assert erlang_wait_seconds(slots, per_second, handle) == pytest.approx(expected, rel=1e-9)
    # Busier teams wait longer.
    assert erlang_wait_seconds(slots, 115 / 3600, handle) > expected
