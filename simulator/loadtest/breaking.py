"""Breaking points and capacity curves: how much more traffic before a target collapses.

A load multiplier ``m`` is a ``soak`` load shape of factor ``m`` added to the
scenario (so it composes with the daily profile, incidents and any other
shape). Every multiplier is run on the same replication seeds (common random
numbers), so neighbouring points differ by the load, not by luck.

The breaking point is found by bisection on the multiplier: the target
(e.g. ``sla.twitter >= 0.9``) is judged on the replications' mean at each
point, and the bracket ``[holds, fails]`` is narrowed until it is shorter than
the tolerance. Its uncertainty comes from the metric's confidence interval at
the answer, carried through the local slope of the capacity curve.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from carebench.gate.thresholds import Threshold
from carebench.kpis import catalogue
from carebench.load.loader import scenario_from_data
from carebench.runs.replicate import run_replications
from carebench.runs.tasks import Variant
from carebench.stats.intervals import Estimate, unknown_kpi

__all__ = [
    "Evaluator",
    "Point",
    "BreakingPoint",
    "with_multiplier",
    "evaluate_points",
    "breaking_point",
    "capacity_curve",
    "knee",
    "replication_evaluator",
]

class Evaluator(Protocol):
    """Runs scenario variants (raw data) on the given seeds; returns each variant's KPI estimates."""

    def __call__(self, variants: list[dict], seeds: list[int]) -> list[dict[str, Estimate]]:
        """Every KPI's estimate over the seeds, for every variant in the order given."""


@dataclass(frozen=True)
class Point:
    """One load multiplier with every KPI's estimate over the replications."""

    multiplier: float
    estimates: dict[str, Estimate]

    def mean(self, kpi: str) -> float:
        """The KPI's mean at this load (NaN if the runs do not define it)."""
        est = self.estimates.get(kpi)
        return est.mean if est is not None else math.nan


@dataclass(frozen=True)
class BreakingPoint:
    """The largest load multiplier at which a target still holds.

    ``status`` is ``'found'`` (``holds <= multiplier < fails``), ``'holds
    throughout'`` (even the largest load tried meets the target) or ``'fails
    throughout'`` (even the smallest does not). ``uncertainty`` is the
    half-width of the multiplier implied by the metric's confidence interval.
    """

    threshold: Threshold
    status: str
    multiplier: float
    holds: float
    fails: float
    uncertainty: float
    points: list[Point] = field(default_factory=list)


def with_multiplier(data: dict, multiplier: float) -> dict:
    """A copy of raw scenario data with all arrival rates multiplied by ``multiplier``."""
    out = copy.deepcopy(data)
    out["load"] = [*(out.get("load") or []), {"shape": "soak", "factor": float(multiplier)}]
    return out


def evaluate_points(data: dict, multipliers: Sequence[float], evaluate: Evaluator, seeds: list[int]) -> list[Point]:
    """Estimates of every KPI at each multiplier (all on the same seeds)."""
    estimates = evaluate([with_multiplier(data, m) for m in multipliers], seeds)
    return [Point(m, est) for m, est in zip(multipliers, estimates)]


def _holds(point: Point, threshold: Threshold) -> bool:
    if threshold.kpi not in point.estimates:
        raise unknown_kpi(threshold.kpi, point.estimates, "--metric")
    value = point.mean(threshold.kpi)
    return not math.isnan(value) and threshold.holds(value)


def breaking_point(data: dict, threshold: Threshold, evaluate: Evaluator, seeds: list[int], *,
                   low: float = 0.5, high: float = 4.0, tolerance: float = 0.05, ceiling: float = 64.0,
                   progress: Callable[[float], None] | None = None) -> BreakingPoint:
    """Bisection for the largest multiplier at which ``threshold`` holds on the mean.

    Starts from the bracket ``[low, high]``; doubles ``high`` (up to ``ceiling``)
    while the target still holds there, halves ``low`` while it fails.
    """
    seen: dict[float, Point] = {}

    def at(m: float) -> Point:
        if m not in seen:
            seen[m] = evaluate_points(data, [m], evaluate, seeds)[0]
        return seen[m]

    while not _holds(at(low), threshold) and low > 1 / 64:
        high, low = low, low / 2
    if not _holds(at(low), threshold):
        return _result(threshold, "fails throughout", low, 0.0, low, seen)
    while _holds(at(high), threshold) and high < ceiling:
        low, high = high, high * 2
    if _holds(at(high), threshold):
        return _result(threshold, "holds throughout", high, high, math.inf, seen)
    steps = max(1, math.ceil(math.log2((high - low) / tolerance)))
    for i in range(steps):
        mid = (low + high) / 2
        if _holds(at(mid), threshold):
            low = mid
        else:
            high = mid
        if progress is not None:
            progress((i + 1) / steps)
    return _result(threshold, "found", (low + high) / 2, low, high, seen)


def _result(threshold: Threshold, status: str, m: float, holds: float, fails: float,
            seen: dict[float, Point]) -> BreakingPoint:
    points = [seen[k] for k in sorted(seen)]
    return BreakingPoint(threshold, status, m, holds, fails, _uncertainty(points, threshold.kpi, holds, fails), points)


def _uncertainty(points: list[Point], kpi: str, holds: float, fails: float) -> float:
    """Half-width of the multiplier: the metric's CI half-width over the curve's slope near the answer."""
    near = [p for p in points if p.multiplier in (holds, fails)]
    if len(near) != 2:
        return math.nan
    a, b = near
    slope = (b.mean(kpi) - a.mean(kpi)) / (b.multiplier - a.multiplier)
    hw = max(a.estimates[kpi].half_width, b.estimates[kpi].half_width)
    if slope == 0 or not math.isfinite(hw):
        return math.inf if slope == 0 else math.nan
    return max(abs(hw / slope), (fails - holds) / 2)


def capacity_curve(data: dict, multipliers: Sequence[float], evaluate: Evaluator, seeds: list[int]) -> list[Point]:
    """The KPIs along a grid of load multipliers."""
    return evaluate_points(data, sorted(multipliers), evaluate, seeds)


def knee(points: list[Point], kpi: str) -> float:
    """The multiplier where the curve turns for the worse most sharply.

    For a KPI where higher is better (SLA attainment, falling with load) it is
    the point where the slope drops most (the most negative second
    difference); for one where lower is better (waits, exposure, rising with
    load) where the slope rises most. NaN with fewer than three defined points.
    """
    xs = np.array([p.multiplier for p in points])
    ys = np.array([p.mean(kpi) for p in points])
    ok = ~np.isnan(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size < 3:
        return math.nan
    slopes = np.diff(ys) / np.diff(xs)
    bend = np.diff(slopes) * (-1.0 if catalogue.direction(kpi) > 0 else 1.0)
    return float(xs[1:-1][int(np.argmax(bend))])


def replication_evaluator(executor, *, allow_import: bool = False, progress=None) -> Evaluator:
    """An :class:`Evaluator` that runs variants' replications on an executor (local or Dask).

    Every variant runs on the seeds given, so points and rosters are compared
    on common random numbers; ``progress`` is the replication progress callback.
    """
    def evaluate(variants: list[dict], seeds: list[int]) -> list[dict[str, Estimate]]:
        named = [Variant(f"variant{i}", scenario_from_data(d, allow_import=allow_import)) for i, d in enumerate(variants)]
        reps = run_replications(named, len(seeds), executor, seeds=seeds, progress=progress,
                                allow_import=allow_import)
        return [r.summary() for r in reps]

    return evaluate
