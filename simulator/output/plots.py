"""Plots of one run: first-response times, queues over time, SLA by hour, exposure.

Each ``*_figure`` function returns a matplotlib Figure (a notebook shows it;
``fig.savefig`` writes it); the ``plot_*`` writers save those figures as PNGs.

Uses matplotlib's non-interactive Agg canvas directly (no pyplot state), so
plotting never opens a window and is safe in threads and on servers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from carebench.engine.histogram import EDGES
from carebench.engine.results import RunResult
from carebench.util.atomic import atomic_write
from carebench.util.units import DAY, format_duration

__all__ = ["plot_run", "run_figures", "frt_figure", "queue_figure", "sla_by_hour_figure", "exposure_figure",
           "new_figure", "save"]


def new_figure(width: float = 9.0, height: float = 4.5) -> Figure:
    """A figure on an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG, atomically: a reader never sees half an image."""
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))


def _survival(hist: dict) -> tuple[np.ndarray, np.ndarray]:
    """Times and the share of answered contacts still waiting beyond each time."""
    n = hist["n"]
    bins, counts = np.asarray(hist["bins"], dtype=int), np.asarray(hist["counts"], dtype=float)
    times = EDGES[bins + 1]
    done = hist["zeros"] + np.cumsum(counts)
    return times, 1.0 - done / n


def frt_figure(result: RunResult, sla: dict[str, float]) -> Figure:
    """Share of answered contacts whose first response took longer than t, per channel (log time)."""
    fig = new_figure()
    ax = fig.add_subplot()
    for i, name in enumerate(result.channels):
        hist = result.frt_histograms[name]
        if not hist["n"]:
            continue
        times, beyond = _survival(hist)
        line, = ax.step(times, beyond, where="post", label=name)
        ax.axvline(sla[name], color=line.get_color(), linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlim(left=1.0)
    ticks = [1, 10, 60, 600, 3600, 6 * 3600, DAY, 7 * DAY]
    ax.set_xticks(ticks, [format_duration(t) for t in ticks])
    ax.set_xlabel("first-response time (dotted: each channel's SLA target)")
    ax.set_ylabel("share answered later than this")
    ax.set_title(f"{result.scenario}: first-response time by channel")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def plot_frt(result: RunResult, sla: dict[str, float], path: Path) -> Path:
    """Write :func:`frt_figure` to ``path`` as a PNG."""
    return save(frt_figure(result, sla), path)


def _day_axis(ax, result: RunResult) -> np.ndarray:
    days = np.asarray(result.timeseries["time"]["start"]) / DAY
    if result.warmup:
        ax.axvspan(0, result.warmup / DAY, color="grey", alpha=0.15, label="warm-up")
    ax.set_xlabel("day")
    ax.grid(True, alpha=0.3)
    return days


def queue_figure(result: RunResult) -> Figure:
    """Mean number of contacts waiting per time bin, per channel."""
    fig = new_figure(10, 4.5)
    ax = fig.add_subplot()
    days = _day_axis(ax, result)
    for name, values in result.timeseries["queue"].items():
        ax.plot(days, values, label=name, linewidth=1)
    ax.set_ylabel("contacts waiting")
    ax.set_title(f"{result.scenario}: queue length over time")
    ax.legend()
    return fig


def plot_queues(result: RunResult, path: Path) -> Path:
    """Write :func:`queue_figure` to ``path`` as a PNG."""
    return save(queue_figure(result), path)


def sla_by_hour_figure(result: RunResult) -> Figure:
    """SLA attainment by the hour of day contacts arrived in, per channel."""
    fig = new_figure()
    ax = fig.add_subplot()
    for name, values in result.sla_by_hour.items():
        ax.plot(range(24), values, marker="o", markersize=3, label=name)
    ax.set_xticks(range(0, 24, 2))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("hour of arrival")
    ax.set_ylabel("first response within target")
    ax.set_title(f"{result.scenario}: SLA attainment by hour of day")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def plot_sla_by_hour(result: RunResult, path: Path) -> Path:
    """Write :func:`sla_by_hour_figure` to ``path`` as a PNG."""
    return save(sla_by_hour_figure(result), path)


def exposure_figure(result: RunResult) -> Figure:
    """Follower-hours of exposure accrued per time bin on the public channels."""
    fig = new_figure(10, 4.5)
    ax = fig.add_subplot()
    days = _day_axis(ax, result)
    for name, values in result.timeseries["exposure"].items():
        if any(values):
            ax.plot(days, values, label=name, linewidth=1)
    ax.set_ylabel(f"follower-hours per {format_duration(result.bin_width)}")
    ax.set_title(f"{result.scenario}: reputational exposure over time")
    ax.legend()
    return fig


def plot_exposure(result: RunResult, path: Path) -> Path:
    """Write :func:`exposure_figure` to ``path`` as a PNG."""
    return save(exposure_figure(result), path)


def run_figures(result: RunResult, sla: dict[str, float]) -> dict[str, Figure]:
    """Every plot of one run as a matplotlib Figure, by the file name :func:`plot_run` gives it."""
    return {
        "frt_distribution.png": frt_figure(result, sla),
        "queue_length.png": queue_figure(result),
        "sla_by_hour.png": sla_by_hour_figure(result),
        "exposure.png": exposure_figure(result),
    }


def plot_run(directory: Path, result: RunResult, sla: dict[str, float]) -> list[Path]:
    """Every plot of one run (:func:`run_figures`), written into ``directory``."""
    return [save(fig, Path(directory) / name) for name, fig in run_figures(result, sla).items()]
