"""Plots of one run: first-response times and where contacts went, queues, SLA by hour, exposure.

Each ``*_figure`` function returns a matplotlib Figure (for a notebook, or the
HTML report's inline SVG); :func:`plot_run` saves them as PNG files. Figures
are drawn on matplotlib's non-interactive Agg canvas directly (no pyplot
state), so plotting never opens a window and is safe in threads and on
servers. Axes follow :mod:`carebench.output.axes`: weekday and clock time,
shares as %, thousands separators, support-hour closures and incidents shaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from carebench.engine.histogram import EDGES
from carebench.engine.results import RunResult
from carebench.output.axes import closed_spans, count_axis, share_axis, shade_spans, time_axis, top_series
from carebench.util.atomic import atomic_write
from carebench.util.units import DAY, HOUR, format_duration

__all__ = ["plot_run", "run_figures", "RunContext", "run_context", "new_figure", "save", "frt_figure",
           "queue_figure", "sla_by_hour_figure", "exposure_figure"]


def new_figure(width: float = 9.0, height: float = 4.5) -> Figure:
    """A figure on an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG, atomically: a reader never sees half an image."""
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png", metadata={"Software": None}))


@dataclass(frozen=True)
class RunContext:
    """What the plots need from the scenario: SLA goals, support-hour closures, incidents."""

    goals: dict[str, float] = field(default_factory=dict)
    windows: dict[str, object] = field(default_factory=dict)
    incidents: tuple[tuple[str, float, float], ...] = ()


def run_context(scenario) -> RunContext:
    """The :class:`RunContext` of a :class:`~carebench.model.scenario.Scenario` (None: an empty one)."""
    if scenario is None:
        return RunContext()
    return RunContext(goals={n: c.sla_goal for n, c in scenario.channels.items()},
                      windows={n: c.support_hours for n, c in scenario.channels.items()},
                      incidents=tuple((i.name, i.start_time, i.end_time) for i in scenario.incidents))


def _survival(hist: dict) -> tuple[np.ndarray, np.ndarray]:
    """Times and the share of answered contacts still waiting beyond each time."""
    n = hist["n"]
    bins, counts = np.asarray(hist["bins"], dtype=int), np.asarray(hist["counts"], dtype=float)
    times = EDGES[bins + 1]
    done = hist["zeros"] + np.cumsum(counts)
    return times, 1.0 - done / n


def _fates(result: RunResult, name: str) -> dict[str, float]:
    """Contacts needing a reply on channel ``name`` by fate, in counts."""
    k = result.kpis
    answered = k.get(f"answered.{name}", 0.0)
    within = k.get(f"sla.{name}", np.nan)
    within = answered * within if np.isfinite(within) else 0.0
    return {"answered within target": within, "answered later": max(answered - within, 0.0),
            "abandoned": k.get(f"abandoned.{name}", 0.0), "still waiting at the end": k.get(f"waiting.{name}", 0.0)}


def frt_figure(result: RunResult, sla: dict[str, float]) -> Figure:
    """Left: share answered later than t per channel (log time); right: where each channel's contacts went.

    The right panel keeps the contacts that never got an answer (abandoned,
    still waiting at the end) in view: the left curve only counts answered ones.
    """
    fig = new_figure(11, 4.5)
    left, right = fig.subplots(1, 2, width_ratios=[1.6, 1])
    for name in result.channels:
        hist = result.frt_histograms.get(name, {"n": 0})
        if not hist["n"]:
            continue
        times, beyond = _survival(hist)
        line, = left.step(times, beyond, where="post", label=name)
        if name in sla:
            left.axvline(sla[name], color=line.get_color(), linestyle=":", linewidth=1)
    left.set_xscale("log")
    left.set_xlim(left=1.0)
    ticks = [1, 10, 60, 600, 3600, 6 * 3600, DAY, 7 * DAY]
    left.set_xticks(ticks, [format_duration(t) for t in ticks])
    left.set_xlabel("first-response time (log scale; dotted: each channel's SLA target)")
    left.set_ylabel("answered contacts answered later than this (%)")
    share_axis(left)
    left.set_title("first-response time of answered contacts", fontsize=10)
    left.grid(True, alpha=0.3)
    if left.get_legend_handles_labels()[0]:
        left.legend(fontsize=8)
    channels = list(result.channels)
    bottom = np.zeros(len(channels))
    colours = {"answered within target": "tab:green", "answered later": "tab:olive",
               "abandoned": "tab:red", "still waiting at the end": "tab:purple"}
    fates = [_fates(result, c) for c in channels]
    for fate, colour in colours.items():
        values = np.array([f[fate] for f in fates])
        right.barh(channels, values, left=bottom, color=colour, label=fate)
        bottom += values
    right.invert_yaxis()
    right.set_xlabel("contacts needing a reply")
    count_axis(right, "x", integer=True)
    right.set_title("where contacts went", fontsize=10)
    right.legend(fontsize=7, loc="lower right")
    right.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"{result.scenario}: first response, abandoned and still waiting", fontsize=11)
    return fig


def _shade(ax, result: RunResult, context: RunContext, start: float, end: float) -> None:
    if result.warmup:
        shade_spans(ax, [(0.0, result.warmup)], "warm-up (not measured)", "grey", 0.18)
    groups: dict[str, list[str]] = {}
    for name in result.channels:
        windows = context.windows.get(name)
        if windows is not None and not windows.always:
            groups.setdefault(windows.text, []).append(name)
    for i, (text, names) in enumerate(groups.items()):
        spans = closed_spans(context.windows[names[0]], start, end)
        shade_spans(ax, spans, f"closed: {', '.join(names)}", ("tab:blue", "tab:orange", "tab:green")[i % 3],
                    0.06 + 0.04 * (len(groups) == 1))
    for name, a, b in context.incidents:
        if a < end and b > start:
            ax.axvspan(max(a, start), min(b, end), color="tab:red", alpha=0.12, hatch="//", linewidth=0,
                       label=f"incident: {name}")


def _series_figure(result: RunResult, context: RunContext, series: str, ylabel: str, title: str) -> Figure:
    fig = new_figure(11, 4.5)
    ax = fig.add_subplot()
    t = np.asarray(result.timeseries["time"]["start"], dtype=float)
    end = float(t[-1] + result.bin_width) if t.size else result.horizon
    _shade(ax, result, context, 0.0, end)
    shown, others = top_series({n: v for n, v in result.timeseries[series].items() if any(v)})
    for i, (name, values) in enumerate(shown.items()):
        ax.step(t, values, where="post", label=name, linewidth=1, color=f"C{list(result.channels).index(name) % 10}"
                if name in result.channels else f"C{i % 10}")
    if others:
        rest = np.nansum([result.timeseries[series][n] for n in others], axis=0)
        ax.step(t, rest, where="post", color="grey", linewidth=1, label=f"others ({len(others)})")
    time_axis(ax, 0.0, end)
    ax.set_ylabel(ylabel)
    count_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return fig


def queue_figure(result: RunResult, context: RunContext = RunContext()) -> Figure:
    """Mean number of contacts waiting per time bin, per channel, on a weekday and clock axis."""
    return _series_figure(result, context, "queue", "contacts waiting (mean per bin)",
                          f"{result.scenario}: contacts waiting for a first response")


def exposure_figure(result: RunResult, context: RunContext = RunContext()) -> Figure:
    """Follower-hours of exposure accrued per time bin on the public channels."""
    return _series_figure(result, context, "exposure", f"follower-hours per {format_duration(result.bin_width)}",
                          f"{result.scenario}: reputational exposure (public complaints waiting)")


def _open_hours(windows) -> np.ndarray:
    """Whether a channel is open at each clock hour on any day of the week."""
    if windows is None or windows.always:
        return np.ones(24, dtype=bool)
    return np.array([any(windows.is_open(d * DAY + h * HOUR + 1) or windows.is_open(d * DAY + (h + 1) * HOUR - 1)
                         for d in range(7)) for h in range(24)])


def sla_by_hour_figure(result: RunResult, context: RunContext = RunContext()) -> Figure:
    """SLA attainment by the clock hour contacts arrived in, per channel, with each channel's SLA goal.

    Hours a channel is closed all week are left out, so no line joins them.
    """
    fig = new_figure()
    ax = fig.add_subplot()
    for i, (name, values) in enumerate(result.sla_by_hour.items()):
        y = np.asarray(values, dtype=float)
        y[~_open_hours(context.windows.get(name))] = np.nan
        colour = f"C{i % 10}"
        ax.plot(range(24), y, marker="o", markersize=3, label=name, color=colour)
        if name in context.goals:
            ax.axhline(context.goals[name], color=colour, linestyle="--", linewidth=1,
                       label=f"{name} goal {context.goals[name]:.0%}")
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}:00" for h in range(0, 24, 2)])
    ax.set_xlim(-0.5, 23.5)
    share_axis(ax)
    ax.set_xlabel("clock hour the contact arrived in")
    ax.set_ylabel("first response within SLA target (%)")
    ax.set_title(f"{result.scenario}: SLA attainment by hour of day (dashed: SLA goal)", fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return fig


def run_figures(result: RunResult, sla: dict[str, float], context: RunContext = RunContext()) -> dict[str, Figure]:
    """Every figure of one run by file name: frt_distribution.png, queue_length.png, sla_by_hour.png, exposure.png."""
    return {
        "frt_distribution.png": frt_figure(result, sla),
        "queue_length.png": queue_figure(result, context),
        "sla_by_hour.png": sla_by_hour_figure(result, context),
        "exposure.png": exposure_figure(result, context),
    }


def plot_run(directory: Path, result: RunResult, sla: dict[str, float], scenario=None) -> list[Path]:
    """Every plot of one run, written into ``directory`` as PNG files."""
    figures = run_figures(result, sla, run_context(scenario))
    return [save(fig, Path(directory) / name) for name, fig in figures.items()]
