"""Batch means for one long run: its measured window cut into equal spans, one KPI value per span.

Successive spans of one run are correlated (a queue that is long at the end
of one span is long at the start of the next), so an interval over the batch
values is valid only when batches are long against the run's correlation
time. The lag-1 autocorrelation of the batch values is the usual check
(Law & Kelton, *Simulation Modeling and Analysis*, section 9.5.3): under
independence it is about ``N(0, 1/K)`` for ``K`` batches, and a value beyond
:data:`Z_WARN` standard errors says the batches are too short.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from carebench.stats.intervals import Estimate, summarise

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


def batch_summary(batches: Sequence[Mapping[str, float]], confidence: float = 0.95
                  ) -> tuple[dict[str, Estimate], dict[str, float]]:
    """Every KPI's batch-means interval (each family's own method) and the lag-1 autocorrelation of its batches."""
    estimates = summarise(batches, confidence)
    k = len(batches)
    out, rho = {}, {}
    for name, est in estimates.items():
        out[name] = replace(est, method=f"batch means (K={k}), {est.method}")
        rho[name] = lag1_autocorrelation([b.get(name, math.nan) for b in batches])
    return out, rho


def correlated_kpis(rho: Mapping[str, float], batches: int, names: Sequence[str]) -> list[str]:
    """Which of ``names`` have a lag-1 autocorrelation too high for ``batches`` independent batches."""
    limit = Z_WARN / math.sqrt(batches)
    return [n for n in names if rho.get(n, math.nan) > limit]
