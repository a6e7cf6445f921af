"""Axes a planner reads at a glance: weekday and clock time, shares as %, thousands separators.

Shared by every plot (PNG files and the charts of the HTML reports). Runs
start on a Monday at 00:00, so a simulated time ``t`` in seconds is the
weekday ``t // 1 day mod 7`` at clock ``t mod 1 day``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, PercentFormatter

from carebench.model.calendar import WEEKDAY_LABELS
from carebench.util.units import DAY, HOUR

__all__ = ["weekday_clock", "time_axis", "share_axis", "count_axis", "integer_axis", "shade_spans",
           "closed_spans", "top_series", "MAX_SERIES"]

MAX_SERIES = 10
"""At most this many labelled series on one chart; the rest are grouped as "others"."""


def weekday_clock(t: float, clock: bool = True) -> str:
    """``'Mon 09:00'`` for ``t`` seconds after the run's start (a Monday 00:00); ``clock=False``: ``'Mon'``.

    Beyond the first week the week number is added: ``'Mon 09:00 (wk 2)'``.
    """
    day = int(t // DAY)
    text = WEEKDAY_LABELS[day % 7]
    if clock:
        s = int(round(t - day * DAY))
        text += f" {s // 3600:02d}:{s % 3600 // 60:02d}"
    return text + (f" (wk {day // 7 + 1})" if day >= 7 else "")


def time_axis(ax, start: float, end: float) -> None:
    """An x axis in seconds shown as weekday and clock time, ticks every few hours or days."""
    span = max(end - start, 1.0)
    step = next((s for s in (HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY) if span / s <= 9), 14 * DAY)
    ticks = np.arange(math.ceil(start / step) * step, end + 1, step)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: weekday_clock(x, clock=step < DAY)))
    ax.set_xlim(start, end)
    ax.set_xlabel("simulated time (weekday, clock; the run starts Monday 00:00)")
    for label in ax.get_xticklabels():
        label.set_fontsize(8)


def share_axis(ax, axis: str = "y") -> None:
    """Shares (0 to 1) shown as percentages, 0 % to 100 %."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=0))
    (ax.set_ylim if axis == "y" else ax.set_xlim)(-0.02, 1.02)


def count_axis(ax, axis: str = "y", integer: bool = False) -> None:
    """Counts and amounts with thousands separators, no offset or scientific notation."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    if integer:
        target.set_major_locator(MaxNLocator(nbins=6, integer=True))
    target.set_major_formatter(FuncFormatter(_thousands))


def integer_axis(ax, axis: str = "y") -> None:
    """Headcounts: integer ticks only, with thousands separators."""
    count_axis(ax, axis, integer=True)


def _thousands(x: float, _pos=None) -> str:
    if x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}".rstrip("0").rstrip(".")


def shade_spans(ax, spans: Sequence[tuple[float, float]], label: str, color: str, alpha: float = 0.12) -> None:
    """Shade ``(start, end)`` spans of the x axis; one legend entry for all of them."""
    for i, (a, b) in enumerate(spans):
        ax.axvspan(a, b, color=color, alpha=alpha, linewidth=0, label=label if i == 0 else None)


def closed_spans(windows, start: float, end: float) -> list[tuple[float, float]]:
    """The spans of ``[start, end)`` outside ``windows`` (a channel's support hours); none for 24/7."""
    if windows is None or windows.always:
        return []
    out, at = [], start
    for a, b in windows.expand(start, end):
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < end:
        out.append((at, end))
    return out


def top_series(series: Mapping[str, Sequence[float]], limit: int = MAX_SERIES) -> tuple[dict, list[str]]:
    """The ``limit - 1`` largest series by total (all if they fit) and the names of the rest.

    A chart labels the ones returned and draws the others as one grey
    "others" group, so 25 brands stay readable.
    """
    names = list(series)
    if len(names) <= limit:
        return dict(series), []
    totals = {n: float(np.nansum(np.asarray(series[n], dtype=float))) for n in names}
    keep = sorted(names, key=lambda n: -totals[n])[: limit - 1]
    return {n: series[n] for n in names if n in keep}, [n for n in names if n not in keep]
