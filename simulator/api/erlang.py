"""Erlang C and Erlang A figures with durations and rates as people write them.

``erlang_c(rate="120/h", handle="5m", agents=12, target="20s")``: rates may
be texts such as ``'120/h'`` or numbers per second, durations texts such as
``'5m'`` or numbers of seconds. Without ``agents`` the figures are those of
the smallest count that answers ``goal`` of contacts within ``target``.
The formulas are :mod:`carebench.analytic.erlang`'s.
"""

from __future__ import annotations

from carebench.analytic.erlang import QueueFigures, agents_needed, erlang_a_figures, erlang_c_figures
from carebench.util.errors import UserError
from carebench.util.units import parse_duration, parse_rate

__all__ = ["erlang_c", "erlang_a"]


def _seconds(name: str, value: str | float) -> float:
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise UserError(f"{name}: {exc}") from None
    return float(value)


def _per_second(value: str | float) -> float:
    if isinstance(value, str):
        try:
            return parse_rate(value)
        except ValueError as exc:
            raise UserError(f"rate: {exc}") from None
    return float(value)


def erlang_c(rate: str | float, handle: str | float, agents: int | None = None, *, target: str | float = "20s",
             goal: float = 0.8) -> QueueFigures:
    """M/M/c figures (callers wait forever) for ``agents`` agents, or for the fewest that meet ``goal``.

    Returns :class:`~carebench.analytic.erlang.QueueFigures`: occupancy,
    P(wait), mean wait (seconds), service level within ``target``.
    """
    lam, aht, t = _per_second(rate), _seconds("handle", handle), _seconds("target", target)
    n = agents_needed(lam, aht, t, goal) if agents is None else agents
    return erlang_c_figures(lam, aht, n, t)


def erlang_a(rate: str | float, handle: str | float, patience: str | float, agents: int | None = None, *,
             target: str | float = "20s", goal: float = 0.8) -> QueueFigures:
    """M/M/c+M figures (callers hang up after a mean ``patience``), for ``agents`` or the fewest meeting ``goal``.

    As :func:`erlang_c`, plus P(abandon); the service level counts
    abandoners as not answered in time.
    """
    lam, aht, t = _per_second(rate), _seconds("handle", handle), _seconds("target", target)
    theta = _seconds("patience", patience)
    n = agents_needed(lam, aht, t, goal, patience=theta) if agents is None else agents
    return erlang_a_figures(lam, aht, n, t, theta)
