"""The calibration target: an observed first-reply latency sample against simulated histograms.

Simulated first-response times come back from the workers as log-binned
histograms (ratio 1.02, see :mod:`carebench.engine.histogram`), so the
simulated CDF is known to within about 1 % of a value's position and the
two-sample Kolmogorov-Smirnov distance is computed against it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from carebench.engine.histogram import EDGES, LogHistogram, binned_quantile
from carebench.util.units import DAY, HOUR

__all__ = ["SimulatedLatency", "LatencyStats", "observed_stats", "ks_distance", "quantile_loss", "QUANTILES",
           "censored_cdf", "censored_stats"]

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
"""Quantiles whose log-ratio is the tie-break of the calibration loss."""


class SimulatedLatency:
    """Merged first-response-time histograms of one channel over replications."""

    def __init__(self) -> None:
        self.merged = LogHistogram()

    @property
    def counts(self) -> np.ndarray:
        """Values per log bin (:data:`carebench.engine.histogram.EDGES`), zeros apart."""
        return self.merged.counts

    @property
    def zeros(self) -> int:
        """Values of exactly 0 s (a bot's acknowledgement at arrival)."""
        return self.merged.zeros

    @property
    def n(self) -> int:
        """Values merged, zeros included."""
        return self.merged.n

    def add(self, hist: dict) -> None:
        """Add a histogram in :meth:`LogHistogram.to_dict` form."""
        self.merged.add_dict(hist)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Share of simulated values at most ``x`` (geometric interpolation inside a bin)."""
        x = np.asarray(x, float)
        if not self.n:
            return np.full(x.shape, np.nan)
        cum = np.concatenate([[0.0], np.cumsum(self.counts)])
        i = np.clip(np.searchsorted(EDGES, x, side="right") - 1, 0, self.counts.size - 1)
        inside = np.clip(np.log(np.maximum(x, EDGES[0]) / EDGES[i]) / np.log(EDGES[1] / EDGES[0]), 0.0, 1.0)
        below = self.zeros + cum[i] + self.counts[i] * inside
        return np.where(x < EDGES[0], self.zeros, below) / self.n

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (geometric interpolation inside its bin)."""
        return binned_quantile(self.counts, self.zeros, self.n, q)

    def stats(self) -> LatencyStats:
        """Median, p90 and the shares within 1 h and 24 h."""
        return LatencyStats(self.n, self.quantile(0.5), self.quantile(0.9), float(self.cdf(np.array([HOUR]))[0]),
                            float(self.cdf(np.array([DAY]))[0]))


@dataclass(frozen=True)
class LatencyStats:
    """What the before/after tables show of a latency distribution (seconds)."""

    n: int
    median: float
    p90: float
    within_1h: float
    within_24h: float


def observed_stats(values: np.ndarray) -> LatencyStats:
    """:class:`LatencyStats` of an observed sample."""
    v = np.asarray(values, float)
    return LatencyStats(int(v.size), float(np.median(v)), float(np.quantile(v, 0.9)), float((v <= HOUR).mean()),
                        float((v <= DAY).mean()))


def censored_cdf(sim: SimulatedLatency, x: np.ndarray, limits: np.ndarray | None) -> np.ndarray:
    """The simulated CDF at ``x`` as a trace that only shows latencies below each contact's limit would see it.

    A contact of a reply-sampled trace is in it only if answered before the
    trace ends, so with ``limits`` (each observed contact's time to the end)
    the comparable CDF is the mixture of ``min(F(x), F(c)) / F(c)`` over them.
    """
    x = np.asarray(x, float)
    if limits is None:
        return sim.cdf(x)
    fc = np.maximum(sim.cdf(np.asarray(limits, float)), 1e-12)
    fx = sim.cdf(x)
    out = np.empty(x.size)
    for i in range(0, x.size, 512):  # blocks keep the x-by-contact matrix small
        out[i : i + 512] = (np.minimum(fx[i : i + 512, None], fc[None, :]) / fc[None, :]).mean(axis=1)
    return out


def _quantiles(sim: SimulatedLatency, qs, limits: np.ndarray | None) -> np.ndarray:
    if limits is None:
        return np.array([sim.quantile(q) for q in qs])
    grid = np.concatenate([[0.0], np.geomspace(1.0, max(sim.quantile(1.0), 2.0), 600)])
    f = np.maximum.accumulate(censored_cdf(sim, grid, limits))
    return np.interp(qs, f, grid)


def censored_stats(sim: SimulatedLatency, limits: np.ndarray | None) -> LatencyStats:
    """:meth:`SimulatedLatency.stats`, seen through the observed contacts' limits when given."""
    if limits is None:
        return sim.stats()
    med, p90 = _quantiles(sim, (0.5, 0.9), limits)
    within = censored_cdf(sim, np.array([HOUR, DAY]), limits)
    return LatencyStats(sim.n, float(med), float(p90), float(within[0]), float(within[1]))


def ks_distance(observed: np.ndarray, sim: SimulatedLatency,
                limits: np.ndarray | None = None) -> tuple[float, float]:
    """Two-sample KS distance between the observed sample and the simulated one, with its p-value.

    ``limits`` (seconds, one per observed value): see :func:`censored_cdf`.
    """
    x = np.sort(np.asarray(observed, float))
    n = x.size
    if not n or not sim.n:
        return 1.0, 0.0
    # Both sides can have atoms (ties in the data, zero waits in the simulation), so compare the
    # right-continuous CDFs at each distinct observed value and their left limits just before it.
    u = np.unique(x)
    right = np.abs(np.searchsorted(x, u, side="right") / n - censored_cdf(sim, u, limits))
    left_sim = np.where(u > 0, censored_cdf(sim, u * (1 - 1e-12), limits), 0.0)
    left = np.abs(np.searchsorted(x, u, side="left") / n - left_sim)
    d = float(max(right.max(), left.max()))
    m = n * sim.n / (n + sim.n)
    return d, float(stats.kstwo.sf(d, max(int(round(m)), 1)))


def quantile_loss(observed: np.ndarray, sim: SimulatedLatency, limits: np.ndarray | None = None) -> float:
    """Mean absolute log-ratio of simulated to observed quantiles (:data:`QUANTILES`)."""
    if not sim.n:
        return 10.0
    obs = np.quantile(observed, QUANTILES)
    got = _quantiles(sim, QUANTILES, limits)
    return float(np.mean(np.abs(np.log(np.maximum(got, 1.0) / np.maximum(obs, 1.0)))))
