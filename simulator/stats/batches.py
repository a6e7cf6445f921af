"""Batch means for one long run: its measured window cut into equal spans, one KPI value per span.

Successive spans of one run are correlated (a queue that is long at the end
of one span is long at the start of the next), so an interval over the batch
values is valid only when batches are long against the run's correlation
time. The lag-1 autocorrelation of the batch values is the usual check
(Law & Kelton, *Simulation Modeling and Analysis*, section 9.5.3): under
independence it is about ``N(0, 1/K)`` for ``K`` batches, and a value beyond
:data:`Z_WARN` standard errors says the batches are too short.

The estimate itself is the whole window's value, not the average of the
batch values; the batches give only the width (the spread of a span's value
is what tells the noise). Batches are equal spans of time, so they hold
unequal numbers of contacts, and the plain average of per-span means and
quantiles is biased: busy spans, with their longer waits, count as much as
quiet ones (M/M/2 at 60 %, 12-hour spans: the average of span mean waits
read 165.5 s where the whole windows read 168.3 s against Erlang C's 168.75
s), and a quantile of a short span is biased upwards. Centring on the whole
window's value is Asmussen & Glynn's *sectioning* (Stochastic Simulation,
2007, section III.5a).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from carebench.stats.intervals import Estimate, summarise
from carebench.stats.sectioning import sectioned

__all__ = ["lag1_autocorrelation", "batch_summary", "correlated_kpis", "Z_WARN"]

Z_WARN = 2.33
"""Standard errors (one-sided 1 %) of lag-1 autocorrelation beyond which batches count as too short."""


def lag1_autocorrelation(values: Sequence[float] | np.ndarray) -> float:
    """The lag-1 autocorrelation of ``values`` in order (NaN dropped; NaN when under 3 or constant)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 3:
        return math.nan
    d = x - x.mean()
    denom = float(d @ d)
    return float(d[:-1] @ d[1:]) / denom if denom > 0 else math.nan


def batch_summary(batches: Sequence[Mapping[str, float]], confidence: float = 0.95,
                  whole: Mapping[str, float] | None = None) -> tuple[dict[str, Estimate], dict[str, float]]:
    """Every KPI's batch-means interval (each family's own method) and the lag-1 autocorrelation of its batches.

    With ``whole`` (the run's KPIs over the whole measured window), each
    interval is moved onto the whole window's value (:func:`sectioned`).
    """
    estimates = summarise(batches, confidence)
    k = len(batches)
    out, rho = {}, {}
    for name, est in estimates.items():
        centre = math.nan if whole is None else whole.get(name, math.nan)
        est = sectioned(name, est, centre)
        out[name] = replace(est, method=f"batch means (K={k}), {est.method}")
        rho[name] = lag1_autocorrelation([b.get(name, math.nan) for b in batches])
    return out, rho


def correlated_kpis(rho: Mapping[str, float], batches: int, names: Sequence[str]) -> list[str]:
    """Which of ``names`` have a lag-1 autocorrelation too high for ``batches`` independent batches."""
    limit = Z_WARN / math.sqrt(batches)
    return [n for n in names if rho.get(n, math.nan) > limit]
