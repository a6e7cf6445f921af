"""Where the start-up transient ends (MSER-5), and whether start-up or end effects dominate a run.

A run that starts empty spends its first hours filling up; averaging them in
biases every KPI toward "quiet". MSER-5 (White, *An effective truncation
heuristic for bias reduction in simulation output*, Simulation 69, 1997;
Franklin & White, WSC 2008) reads the run's own output series: it averages
it in batches of five, then picks the truncation point ``d`` that minimises
the squared standard error of the mean of what is left,
``sum((z[d:] - mean(z[d:]))**2) / (n - d)**2``, searching the first half
only (a minimum later than that says the run is too short to tell).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Truncation", "mser5", "queue_series", "edge_effects", "CENSORED_WARNING_SHARE"]

CENSORED_WARNING_SHARE = 0.05
"""A channel whose contacts are still waiting at the end beyond this share gets a warning."""
_STARTUP_WARNING_SHARE = 0.05


@dataclass(frozen=True)
class Truncation:
    """MSER-5's answer: drop the first ``observations`` values; ``settled`` is False when the
    minimum lay at the end of the searched first half (the run is too short to tell)."""

    observations: int
    settled: bool


def mser5(series: np.ndarray | list[float]) -> Truncation:
    """Return how many leading observations of ``series`` MSER-5 truncates."""
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size // 5
    if n < 4:
        return Truncation(0, False)
    z = x[: n * 5].reshape(n, 5).mean(axis=1)
    # Suffix sums give every candidate's statistic in one pass.
    k = np.arange(n, 0, -1, dtype=float)  # values left after dropping d batches
    s1 = np.cumsum(z[::-1])[::-1]
    s2 = np.cumsum((z * z)[::-1])[::-1]
    sse = np.maximum(s2 - s1 * s1 / k, 0.0)
    stat = sse / (k * k)
    half = n // 2
    d = int(np.argmin(stat[: half + 1]))
    return Truncation(d * 5, d < half)


def queue_series(result) -> tuple[np.ndarray, float]:
    """The run's total number waiting per time bin (every channel), and the bin width in seconds."""
    queue = result.timeseries.get("queue", {})
    if not queue:
        return np.zeros(0), result.bin_width
    total = np.sum([np.asarray(v, dtype=float) for v in queue.values()], axis=0)
    bins = int(math.ceil(result.horizon / result.bin_width))
    return total[:bins], result.bin_width


def edge_effects(result) -> list[str]:
    """Plain-words warnings when start-up or end effects dominate a run's KPIs (empty when neither).

    Start-up: the run measures from time 0 (no warm-up) and MSER-5 on its
    queue series puts the end of the start-up transient beyond 5 % of the
    horizon. End: more than 5 % of a channel's contacts needing a reply are
    still waiting at the end, so its answered-only response times leave them out.
    """
    out = []
    k = result.kpis
    if result.warmup == 0:
        series, width = queue_series(result)
        cut = mser5(series).observations * width
        if cut > _STARTUP_WARNING_SHARE * result.horizon:
            out.append(f"start-up transient: MSER-5 puts its end at {cut / 3600:.1f}h "
                       f"(use a warm-up at least that long, a whole week for a weekly pattern, or warmup: auto)")
    heavy = []
    for ch in result.channels:
        needs, censored = k.get(f"needs_reply.{ch}", 0.0), k.get(f"censored.{ch}", 0.0)
        if needs and censored / needs > CENSORED_WARNING_SHARE:
            heavy.append(f"{ch} {censored / needs:.0%}")
    if heavy:
        out.append("still waiting at the end: " + ", ".join(heavy)
                   + " (answered-only FRT leaves them out; see frt_km.*, or add a drain)")
    return out
