"""Fixed log-binned histograms: quantiles within 1 % in constant memory.

First-response times, resolution times and exposures are kept as counts in
geometric bins (ratio 1.02 from 1e-3 to 1e10) plus an exact count of zeros
and an exact sum, so the mean is exact and every quantile is within about
1 % of the true value, whatever the number of contacts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LogHistogram", "EDGES", "binned_quantile", "STATISTICS"]

STATISTICS = {"p50": 0.5, "p90": 0.9, "p99": 0.99}
"""The quantiles a time is reported in (``frt.p90.<channel>``), besides its exact mean."""

_LOW, _HIGH, _RATIO = 1e-3, 1e10, 1.02
EDGES = _LOW * _RATIO ** np.arange(int(np.ceil(np.log(_HIGH / _LOW) / np.log(_RATIO))) + 1)
"""Bin edges shared by every histogram (values below the first edge count as zero)."""
_LOG_LOW, _LOG_RATIO = np.log(_LOW), np.log(_RATIO)


def binned_quantile(counts: np.ndarray, zeros: int, n: int, q: float) -> float:
    """The ``q`` quantile of log-binned counts over :data:`EDGES`, geometric inside its bin (NaN when empty).

    ``zeros`` values of exactly zero sit below the first bin; ``n`` is the total.
    """
    if not n:
        return float("nan")
    rank = q * n
    if rank <= zeros:
        return 0.0
    cum = np.cumsum(counts) + zeros
    i = min(int(np.searchsorted(cum, rank)), counts.size - 1)
    before = cum[i] - counts[i]
    frac = (rank - before) / counts[i] if counts[i] else 1.0
    return float(EDGES[i] * (EDGES[i + 1] / EDGES[i]) ** frac)


class LogHistogram:
    """Counts of non-negative values in geometric bins, with exact count, sum and max."""

    __slots__ = ("counts", "zeros", "total", "n", "largest")

    def __init__(self) -> None:
        self.counts = np.zeros(EDGES.size - 1, dtype=np.int64)
        self.zeros = 0
        self.total = 0.0
        self.n = 0
        self.largest = 0.0

    def add(self, values: np.ndarray) -> None:
        """Add an array of non-negative values (NaN values are ignored)."""
        values = np.asarray(values, dtype=float)
        values = values[~np.isnan(values)]
        if not values.size:
            return
        self.n += values.size
        self.total += float(values.sum())
        self.largest = max(self.largest, float(values.max()))
        small = values < _LOW
        self.zeros += int(small.sum())
        big = values[~small]
        idx = np.floor((np.log(big) - _LOG_LOW) / _LOG_RATIO).astype(np.int64)
        np.clip(idx, 0, self.counts.size - 1, out=idx)
        self.counts += np.bincount(idx, minlength=self.counts.size)

    def merge(self, other: LogHistogram) -> None:
        """Add another histogram's counts into this one."""
        self.counts += other.counts
        self.zeros += other.zeros
        self.total += other.total
        self.n += other.n
        self.largest = max(self.largest, other.largest)

    @property
    def mean(self) -> float:
        """Exact mean (NaN when empty)."""
        return self.total / self.n if self.n else float("nan")

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, interpolated geometrically inside its bin (NaN when empty)."""
        value = binned_quantile(self.counts, self.zeros, self.n, q)
        return value if np.isnan(value) else float(min(value, self.largest))

    def statistics(self) -> dict[str, float]:
        """The exact mean and the :data:`STATISTICS` quantiles, by name (``mean``, ``p50``, ...)."""
        return {"mean": self.mean, **{name: self.quantile(q) for name, q in STATISTICS.items()}}

    def cdf(self, x: float) -> float:
        """Share of values at most ``x`` (bin-interpolated)."""
        if not self.n:
            return float("nan")
        if x < _LOW:
            return self.zeros / self.n
        i = int(np.searchsorted(EDGES, x, side="right")) - 1
        i = min(i, self.counts.size - 1)
        inside = np.log(x / EDGES[i]) / _LOG_RATIO
        below = self.zeros + self.counts[:i].sum() + self.counts[i] * min(inside, 1.0)
        return float(below / self.n)

    def to_dict(self) -> dict:
        """Sparse plain-data form: non-empty bins only."""
        nz = np.nonzero(self.counts)[0]
        return {
            "zeros": self.zeros,
            "n": self.n,
            "sum": self.total,
            "bins": nz.tolist(),
            "counts": self.counts[nz].tolist(),
            "max": self.largest,
        }

    def add_dict(self, data: dict) -> None:
        """Add a histogram in :meth:`to_dict` form (a run's, as a worker sends it back).

        Data written before ``max`` was kept leaves the largest value unknown,
        so quantiles are then not clipped to it.
        """
        if not data or not data.get("n"):
            return
        np.add.at(self.counts, np.asarray(data["bins"], dtype=np.int64), np.asarray(data["counts"], dtype=np.int64))
        self.zeros += int(data["zeros"])
        self.n += int(data["n"])
        self.total += float(data["sum"])
        self.largest = max(self.largest, float(data.get("max", np.inf)))
