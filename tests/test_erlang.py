"""Tests for carebench.analytic.erlang against independent oracles.

Erlang B and C are checked against the closed-form factorial formulas in exact
rational arithmetic and against standard Erlang B table entries; Erlang A
against the truncated birth-death chain solved with numpy.linalg and its
waiting-time density integrated with scipy.integrate.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.stats import poisson

from carebench.analytic import erlang
from carebench.analytic.erlang import (
    agents_needed,
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
)
from carebench.util.errors import UserError


def exact_erlang_b(agents: int, load: Fraction) -> Fraction:
    """B(c, a) = (a^c/c!) / sum_{k<=c} a^k/k!, in exact arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(agents: int, load: Fraction) -> Fraction:
    """C(c, a) = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a))."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load**k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize("agents", [1, 2, 5, 10, 17, 30])
@pytest.mark.parametrize(
    "load", [Fraction(1, 10), Fraction(1), Fraction(7, 2), Fraction(12), Fraction(45)]
)
def test_erlang_b_matches_factorial_formula(agents: int, load: Fraction) -> None:
    assert erlang_b(agents, float(load)) == pytest.approx(
        float(exact_erlang_b(agents, load)), rel=1e-12
    )


@pytest.mark.parametrize(
    ("agents", "load", "blocking"),
    # standard Erlang B tables (offered load for a grade of service, load rounded to 3 decimals)
    [(5, 1.361, 0.01), (10, 4.461, 0.01), (10, 5.084, 0.02), (20, 12.031, 0.01)],
)
def test_erlang_b_matches_published_table(agents: int, load: float, blocking: float) -> None:
    assert erlang_b(agents, load) == pytest.approx(blocking, abs=1e-4)


@pytest.mark.parametrize("agents", [1, 3, 10, 25])
@pytest.mark.parametrize(
    "share", [Fraction(1, 5), Fraction(1, 2), Fraction(9, 10), Fraction(99, 100)]
)
def test_erlang_c_matches_factorial_formula(agents: int, share: Fraction) -> None:
    load = share * agents
    assert erlang_c(agents, float(load)) == pytest.approx(
        float(exact_erlang_c(agents, load)), rel=1e-12
    )


def test_erlang_b_and_c_edges() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    assert erlang_c(4, 0.0) == 0.0
    assert erlang_c(4, 4.0) == 1.0
    assert erlang_c(4, 9.5) == 1.0
    assert erlang_c(0, 0.0) == 1.0


def test_erlang_c_figures_match_closed_form() -> None:
    # inputs of the Westbay Engineers worked example: 360 calls per half hour,
    # 4 minute calls, 55 agents, 15 s target; the expected values are computed
    # here from the factorial formula, not copied from the page
    rate, handle, agents, target = 360 / 1800, 240.0, 55, 15.0
    load = Fraction(360 * 240, 1800)
    wait = float(exact_erlang_c(agents, load))
    drain = agents / handle - rate
    figures = erlang_c_figures(rate, handle, agents, target)
    assert figures.load == pytest.approx(48.0)
    assert figures.occupancy == pytest.approx(48 / 55)
    assert figures.p_wait == pytest.approx(wait, rel=1e-12)
    assert figures.mean_wait == pytest.approx(wait / drain, rel=1e-12)
    assert figures.service_level == pytest.approx(1 - wait * math.exp(-drain * target), rel=1e-12)
    assert figures.mean_wait_answered == figures.mean_wait
    assert figures.p_abandon == 0.0
    assert figures.model == "erlang_c"


def test_erlang_c_figures_unstable_queue() -> None:
    figures = erlang_c_figures(rate=0.1, handle_time=60.0, agents=6, target=20.0)
    assert figures.p_wait == 1.0
    assert figures.service_level == 0.0
    assert math.isinf(figures.mean_wait) and math.isinf(figures.mean_wait_answered)


def test_large_cases_are_finite_and_agree_with_poisson_form() -> None:
    # B(c, a) = P(N = c) / P(N <= c) for N ~ Poisson(a): an independent form
    assert erlang_b(5000, 4900.0) == pytest.approx(
        poisson.pmf(5000, 4900.0) / poisson.cdf(5000, 4900.0), rel=1e-9
    )
    c_figures = erlang_c_figures(4900 / 240, 240.0, 5000, 20.0)
    a_figures = erlang_a_figures(4900 / 240, 240.0, 5000, 20.0, patience=180.0)
    over = erlang_a_figures(6000 / 240, 240.0, 5000, 20.0, patience=180.0)
    for figures in (c_figures, a_figures, over):
        values = [figures.p_wait, figures.service_level, figures.mean_wait, figures.occupancy]
        assert all(math.isfinite(v) for v in values)
        assert 0.0 < figures.p_wait < 1.0
    # overload of 1000 Erlangs on 6000 offered: about a sixth must abandon
    assert over.p_abandon == pytest.approx(1 / 6, abs=0.01)


# --- Erlang A against an independent solution of the chain -----------------


def chain_oracle(
    rate: float, handle: float, agents: int, patience: float, target: float, size: int = 50
):
    """Solve the truncated M/M/c+M chain with numpy.linalg; integrate the wait density."""
    mu, theta = 1 / handle, 1 / patience
    generator = np.zeros((size, size))
    for k in range(size - 1):
        generator[k, k + 1] = rate
        generator[k + 1, k] = min(k + 1, agents) * mu + max(k + 1 - agents, 0) * theta
    np.fill_diagonal(generator, -generator.sum(axis=1))
    system = np.vstack([generator.T, np.ones(size)])
    pi = np.linalg.lstsq(system, np.r_[np.zeros(size), 1.0], rcond=None)[0]
    queued = pi[agents:]
    mean_queue = float(np.arange(queued.size) @ queued)
    # the tagged caller: state i = callers ahead; moves up at c*mu + i*theta, leaves at theta
    ahead = queued.size
    inner = np.zeros((ahead, ahead))
    for i in range(1, ahead):
        inner[i, i - 1] = agents * mu + i * theta
    np.fill_diagonal(inner, -(agents * mu + (np.arange(ahead) + 1) * theta))

    def served_density(v: float) -> float:
        return float((queued @ expm(inner * v))[0] * agents * mu)

    p_free = float(pi[:agents].sum())
    answered_late = quad(served_density, 0, np.inf)[0]
    return {
        "p_wait": float(queued.sum()),
        "p_abandon": theta * mean_queue / rate,
        "mean_wait": mean_queue / rate,
        "occupancy": float(np.minimum(np.arange(size), agents) @ pi) / agents,
        "service_level": p_free + quad(served_density, 0, target)[0],
        "p_answered": p_free + answered_late,
        "mean_wait_answered": quad(lambda v: v * served_density(v), 0, np.inf)[0]
        / (p_free + answered_late),
    }


@pytest.mark.parametrize(
    ("rate", "handle", "agents", "patience", "target"),
    [(0.1, 30.0, 3, 30.0, 10.0), (0.2, 30.0, 3, 30.0, 20.0), (0.05, 60.0, 4, 120.0, 15.0)],
)
def test_erlang_a_matches_chain_oracle(rate, handle, agents, patience, target) -> None:
    figures = erlang_a_figures(rate, handle, agents, target, patience)
    oracle = chain_oracle(rate, handle, agents, patience, target)
    for name in (
        "p_wait",
        "p_abandon",
        "mean_wait",
        "occupancy",
        "service_level",
        "mean_wait_answered",
    ):
        assert getattr(figures, name) == pytest.approx(oracle[name], rel=1e-6), name
    assert oracle["p_answered"] == pytest.approx(1 - figures.p_abandon, rel=1e-6)


@pytest.mark.parametrize(
    ("rate", "handle", "agents", "target"),
    [(100 / 1800, 180.0, 14, 20.0), (0.2, 240.0, 55, 15.0), (4.0, 300.0, 1250, 30.0)],
)
def test_erlang_a_with_endless_patience_is_erlang_c(rate, handle, agents, target) -> None:
    a = erlang_a_figures(rate, handle, agents, target, patience=1e12)
    c = erlang_c_figures(rate, handle, agents, target)
    for name in ("p_wait", "mean_wait", "service_level", "occupancy", "mean_wait_answered"):
        assert getattr(a, name) == pytest.approx(getattr(c, name), rel=1e-6), name
    assert a.p_abandon < 1e-9


@pytest.mark.parametrize(("agents", "load"), [(1, 0.5), (5, 4.0), (20, 25.0)])
def test_erlang_a_with_no_patience_is_erlang_b_loss(agents: int, load: float) -> None:
    # callers who leave at once are lost exactly when all agents are busy
    figures = erlang_a_figures(load / 100, 100.0, agents, 20.0, patience=1e-6)
    assert figures.p_abandon == pytest.approx(erlang_b(agents, load), rel=1e-4)
    assert figures.service_level == pytest.approx(1 - erlang_b(agents, load), rel=1e-4)


def test_abandonment_grows_with_load() -> None:
    shares = [
        erlang_a_figures(r / 60, 60.0, 10, 20.0, 90.0).p_abandon for r in (2, 5, 8, 10, 12, 20)
    ]
    assert all(low < high for low, high in itertools.pairwise(shares))


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(0.1, 40.0),
    agents=st.integers(1, 50),
    target=st.floats(0.0, 120.0),
    patience=st.floats(1.0, 600.0),
)
def test_erlang_a_figures_are_monotone_probabilities(load, agents, target, patience) -> None:
    handle = 120.0
    now = erlang_a_figures(load / handle, handle, agents, target, patience)
    more = erlang_a_figures(load / handle, handle, agents + 1, target, patience)
    later = erlang_a_figures(load / handle, handle, agents, target + 10.0, patience)
    for figures in (now, more, later):
        for share in (figures.p_wait, figures.p_abandon, figures.service_level, figures.occupancy):
            assert 0.0 <= share <= 1.0
        assert figures.service_level <= 1.0 - figures.p_abandon + 1e-12
    assert more.service_level >= now.service_level - 1e-12
    assert later.service_level >= now.service_level - 1e-12
    assert more.p_abandon <= now.p_abandon + 1e-12


@settings(max_examples=40, deadline=None)
@given(load=st.floats(0.1, 40.0), agents=st.integers(1, 60), target=st.floats(0.0, 120.0))
def test_erlang_c_figures_are_monotone_probabilities(load, agents, target) -> None:
    handle = 120.0
    now = erlang_c_figures(load / handle, handle, agents, target)
    more = erlang_c_figures(load / handle, handle, agents + 1, target)
    later = erlang_c_figures(load / handle, handle, agents, target + 10.0)
    for figures in (now, more, later):
        for share in (figures.p_wait, figures.service_level, figures.occupancy):
            assert 0.0 <= share <= 1.0
    assert more.service_level >= now.service_level
    assert later.service_level >= now.service_level


# --- staffing ---------------------------------------------------------------


def test_agents_needed_erlang_c_planner_example() -> None:
    # the planner example popularised by Call Centre Helper: 100 calls per
    # 30 minutes, 180 s handling, 80 % answered within 20 s (10 Erlangs);
    # brute force over the factorial formula gives the answer
    rate, handle, target, goal = 100 / 1800, 180.0, 20.0, 0.8
    load = Fraction(10)

    def level(agents: int) -> float:
        wait = float(exact_erlang_c(agents, load))
        return 1 - wait * math.exp(-(agents / handle - rate) * target)

    brute = next(n for n in range(11, 40) if level(n) >= goal)
    assert brute == 14
    assert agents_needed(rate, handle, target, goal) == brute
    assert erlang_c_figures(rate, handle, brute - 1, target).service_level < goal


@pytest.mark.parametrize(("rate", "patience"), [(100 / 1800, 120.0), (5.0, 60.0), (20.0, 300.0)])
def test_agents_needed_erlang_a_is_smallest(rate: float, patience: float) -> None:
    handle, target, goal = 240.0, 20.0, 0.8
    needed = agents_needed(rate, handle, target, goal, patience=patience)
    assert erlang_a_figures(rate, handle, needed, target, patience).service_level >= goal
    assert erlang_a_figures(rate, handle, needed - 1, target, patience).service_level < goal


def test_agents_needed_large_load_needs_more_than_load() -> None:
    needed = agents_needed(4900 / 240, 240.0, 20.0, 0.8)
    assert 4900 < needed < 5100
    assert erlang_c_figures(4900 / 240, 240.0, needed - 1, 20.0).service_level < 0.8


def test_no_arrivals_need_no_agents() -> None:
    assert agents_needed(0.0, 180.0, 20.0, 0.8) == 0
    assert agents_needed(0.0, 180.0, 20.0, 0.8, patience=60.0) == 0
    assert erlang_c_figures(0.0, 180.0, 0, 20.0).service_level == 1.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: agents_needed(1.0, 180.0, 20.0, 0.0),
        lambda: agents_needed(1.0, 180.0, 20.0, 1.0),
        lambda: agents_needed(1.0, 0.0, 20.0, 0.8),
        lambda: agents_needed(-1.0, 180.0, 20.0, 0.8),
        lambda: agents_needed(1.0, 180.0, -5.0, 0.8),
        lambda: agents_needed(1.0, 180.0, 20.0, 0.8, patience=0.0),
        lambda: agents_needed(1.0, 180.0, 20.0, 0.8, max_agents=100),
        lambda: erlang_b(-1, 2.0),
        lambda: erlang_b(2.5, 2.0),
        lambda: erlang_c(True, 2.0),
        lambda: erlang_c(3, float("nan")),
        lambda: erlang_c_figures(1.0, float("inf"), 3, 20.0),
        lambda: erlang_a_figures(1.0, 60.0, 3, 20.0, patience=-1.0),
        # overloaded with near-endless patience: the queue would be astronomically long
        lambda: erlang_a_figures(1.0, 240.0, 100, 20.0, patience=1e12),
    ],
)
def test_impossible_inputs_raise_one_line_user_error(call) -> None:
    with pytest.raises(UserError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    assert message.split(":")[0] in erlang.__all__


def test_public_api_is_listed_and_documented() -> None:
    for name in erlang.__all__:
        assert getattr(erlang, name).__doc__
