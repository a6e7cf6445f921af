"""Turning declared shifts into on-duty step functions (shared by every staffing policy)."""

from __future__ import annotations

from typing import Any

from carebench.model.calendar import daily_spans
from carebench.util.units import WEEK

__all__ = ["shift_roster", "shift_pieces", "step_sum", "step_value"]


def step_sum(pieces: list[tuple[float, float, int]], end: float) -> list[tuple[float, int]]:
    """Sum ``(start, stop, agents)`` intervals into a step function ``[(time, agents), ...]``.

    The result starts at time 0, has no two equal consecutive values and
    covers ``[0, end)``.
    """
    deltas: dict[float, int] = {0.0: 0}
    for start, stop, agents in pieces:
        start, stop = max(start, 0.0), min(stop, end)
        if start < stop and agents:
            deltas[start] = deltas.get(start, 0) + agents
            deltas[stop] = deltas.get(stop, 0) - agents
    steps: list[tuple[float, int]] = []
    level = 0
    for t in sorted(deltas):
        level += deltas[t]
        if t >= end:
            break
        if not steps or steps[-1][1] != level:
            steps.append((t, level))
    return steps


def step_value(steps: list[tuple[float, int]], t: float) -> int:
    """The value of a step function at time ``t``."""
    value = 0
    for time, level in steps:
        if time > t:
            break
        value = level
    return value


def shift_pieces(pool: Any, end: float) -> list[tuple[float, float, int]]:
    """``(start, stop, agents)`` pieces of a pool's shifts over ``[0, end)``; breaks are negative pieces."""
    pieces = []
    for shift in pool.shifts:
        agents = pool.agents_on_shift(shift)
        windows = shift.windows(end)
        pieces.extend((a, b, agents) for a, b in windows)
        for brk in shift.breaks:
            spans = daily_spans(shift.hours, brk.start, brk.duration)
            for week in range(-1, int(end // WEEK) + 1):
                pieces.extend((week * WEEK + a, week * WEEK + b, -brk.agents) for a, b in spans
                              if not shift.days or _inside(week * WEEK + a, windows))
    return pieces


def _inside(t: float, windows: list[tuple[float, float]]) -> bool:
    """Whether ``t`` falls in one of ``windows`` (a break of a shift limited to some days)."""
    return any(a <= t < b for a, b in windows)


def shift_roster(scenario: Any, end: float) -> dict[str, list[tuple[float, int]]]:
    """On-duty agents per pool over ``[0, end)`` from the pools' declared shifts and breaks."""
    return {name: step_sum(shift_pieces(pool, end), end) for name, pool in scenario.pools.items()}
