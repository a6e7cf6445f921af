"""Plots of comparisons and sweeps: KPIs with error bars, overlaid FRT distributions, KPI curves.

Error bars are the confidence intervals' half-widths. Like
:mod:`carebench.output.plots`, figures are drawn on matplotlib's Agg canvas, never
through pyplot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from carebench.engine.histogram import EDGES, LogHistogram
from carebench.kpis import catalogue
from carebench.output.compare_report import labels
from carebench.output.plots import new_figure, save
from carebench.runs.compare import KpiComparison
from carebench.util.units import DAY, format_duration

__all__ = ["plot_kpi_bars", "plot_frt_overlaid", "plot_sweep", "kpi_bars_figure", "frt_overlaid_figure",
           "sweep_figure", "pooled_histogram"]


def _scale(kpi: str, values: Sequence[float]) -> tuple[float, str]:
    """A divisor and unit label that make ``kpi``'s values readable on an axis."""
    kind = catalogue.kind(kpi)
    if kind == "share":
        return 0.01, "%"
    if kind == "time":
        top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
        return (3600.0, "hours") if top >= 7200 else (60.0, "minutes") if top >= 120 else (1.0, "seconds")
    return 1.0, ""


def _bars(ax, row: KpiComparison, tags: Sequence[str]) -> None:
    means = [e.mean for e in row.estimates]
    div, unit = _scale(row.kpi, means)
    err = [e.half_width / div if math.isfinite(e.half_width) else 0.0 for e in row.estimates]
    x = np.arange(len(means))
    colors = [f"C{i % 10}" for i in range(len(means))]
    ax.bar(x, np.asarray(means, dtype=float) / div, yerr=err, capsize=4, color=colors, alpha=0.85)
    ax.set_xticks(x, tags)
    ax.set_title(row.kpi + (f" ({unit})" if unit else ""), fontsize=9)
    ax.grid(True, axis="y", alpha=0.3)
    ax.tick_params(labelsize=8)


def kpi_bars_figure(rows: Sequence[KpiComparison], names: Sequence[str]) -> Figure:
    """One small bar chart per KPI: each variant's mean with its confidence interval."""
    cols = min(4, max(1, len(rows)))
    nrows = max(1, math.ceil(len(rows) / cols))
    fig = new_figure(3.2 * cols, 2.6 * nrows + 0.6)
    tags = labels(len(names))
    for i, row in enumerate(rows):
        _bars(fig.add_subplot(nrows, cols, i + 1), row, tags)
    legend = "   ".join(f"{t} = {n}" for t, n in zip(tags, names))
    fig.suptitle(f"mean and 95% confidence interval per variant\n{legend}", fontsize=9)
    return fig


def plot_kpi_bars(rows: Sequence[KpiComparison], names: Sequence[str], path: Path) -> Path:
    """Write :func:`kpi_bars_figure` to ``path`` as a PNG."""
    return save(kpi_bars_figure(rows, names), path)


def pooled_histogram(histograms: Sequence[Mapping[str, Any]]) -> tuple[int, int, np.ndarray]:
    """Add sparse FRT histograms (``LogHistogram.to_dict`` data): ``(n, zeros, counts)``."""
    pooled = LogHistogram()
    for h in histograms:
        pooled.add_dict(h)
    return pooled.n, pooled.zeros, pooled.counts


def _survival(n: int, zeros: int, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bins = np.nonzero(counts)[0]
    done = zeros + np.cumsum(counts[bins])
    return EDGES[bins + 1], 1.0 - done / n


def frt_overlaid_figure(histograms: Sequence[Sequence[Mapping[str, Mapping[str, Any]]]],
                        names: Sequence[str], channels: Sequence[str], sla: Mapping[str, float]) -> Figure:
    """Per channel, the share answered later than t for each variant (replications pooled).

    ``histograms[v][r][channel]`` is variant ``v``'s replication ``r``.
    """
    cols = min(3, max(1, len(channels)))
    nrows = max(1, math.ceil(len(channels) / cols))
    fig = new_figure(4.2 * cols, 3.2 * nrows + 0.4)
    tags = labels(len(names))
    ticks = [1, 60, 3600, DAY]
    for c, channel in enumerate(channels):
        ax = fig.add_subplot(nrows, cols, c + 1)
        for v, (tag, name) in enumerate(zip(tags, names)):
            n, zeros, counts = pooled_histogram([rep[channel] for rep in histograms[v] if channel in rep])
            if n:
                times, beyond = _survival(n, zeros, counts)
                ax.step(times, beyond, where="post", label=f"{tag} {name}", color=f"C{v % 10}")
        if channel in sla:
            ax.axvline(sla[channel], color="grey", linestyle=":", linewidth=1)
        ax.set_xscale("log")
        ax.set_xlim(left=1.0)
        ax.set_xticks(ticks, [format_duration(t) for t in ticks])
        ax.set_title(f"{channel} (dotted: SLA target)", fontsize=9)
        ax.set_ylabel("share answered later", fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
        if c == 0:
            ax.legend(fontsize=7)
    fig.suptitle("first-response time, all replications pooled", fontsize=10)
    return fig


def plot_frt_overlaid(histograms: Sequence[Sequence[Mapping[str, Mapping[str, Any]]]],
                      names: Sequence[str], channels: Sequence[str], sla: Mapping[str, float],
                      path: Path) -> Path:
    """Write :func:`frt_overlaid_figure` to ``path`` as a PNG."""
    return save(frt_overlaid_figure(histograms, names, channels, sla), path)


def sweep_figure(kpi: str, x_path: str, series: Mapping[str, Sequence[tuple[Any, float, float]]]) -> Figure:
    """``kpi`` against the swept parameter ``x_path``: one line per series, with error bars.

    ``series`` maps a label (the other grid values, or ``''``) to points
    ``(x, mean, half_width)``; text x values are placed evenly in order.
    """
    fig = new_figure(7.0, 4.2)
    ax = fig.add_subplot()
    all_means = [m for pts in series.values() for _, m, _ in pts]
    div, unit = _scale(kpi, all_means)
    xs = list(dict.fromkeys(x for pts in series.values() for x, _, _ in pts))
    numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs)
    position = {x: (x if numeric else i) for i, x in enumerate(xs)}
    for label, pts in series.items():
        px = [position[x] for x, _, _ in pts]
        py = [m / div for _, m, _ in pts]
        err = [h / div if math.isfinite(h) else 0.0 for _, _, h in pts]
        ax.errorbar(px, py, yerr=err, marker="o", markersize=4, capsize=3, label=label or None)
    if not numeric:
        ax.set_xticks(range(len(xs)), [str(x) for x in xs])
    ax.set_xlabel(x_path)
    ax.set_ylabel(kpi + (f" ({unit})" if unit else ""))
    ax.set_title(f"{kpi} against {x_path} (mean and 95% confidence interval)", fontsize=10)
    ax.grid(True, alpha=0.3)
    if any(series):
        ax.legend(fontsize=8)
    return fig


def plot_sweep(kpi: str, x_path: str, series: Mapping[str, Sequence[tuple[Any, float, float]]],
               path: Path) -> Path:
    """Write :func:`sweep_figure` to ``path`` as a PNG."""
    return save(sweep_figure(kpi, x_path, series), path)
