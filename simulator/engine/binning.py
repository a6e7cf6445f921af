"""Spreading intervals over fixed time bins in O(1) per interval (vectorised).

An interval ``[start, end)`` with weight ``w`` adds ``w × overlap`` to every
bin it touches. Whole bins in the middle are counted with a difference array,
so a contact that waits for days costs no more than one that waits a minute.
"""

from __future__ import annotations

import numpy as np

__all__ = ["add_intervals", "add_points", "step_area"]


def add_intervals(area: np.ndarray, width: float, start: np.ndarray, end: np.ndarray,
                  weight: np.ndarray | float = 1.0) -> None:
    """Add ``weight × overlap`` of each interval to ``area`` (bins of ``width`` seconds from 0)."""
    nbins = area.size
    start = np.clip(np.asarray(start, dtype=float), 0.0, nbins * width)
    end = np.clip(np.asarray(end, dtype=float), 0.0, nbins * width)
    keep = end > start
    if not keep.any():
        return
    start, end = start[keep], end[keep]
    weight = np.broadcast_to(np.asarray(weight, dtype=float), keep.shape)[keep]
    ka = np.minimum((start // width).astype(np.int64), nbins - 1)
    kb = np.minimum((end // width).astype(np.int64), nbins - 1)
    same = ka == kb
    # Partial first and last bins (or the whole interval when it fits in one bin) ...
    head = np.where(same, end - start, (ka + 1) * width - start)
    area += np.bincount(ka, weight * head, minlength=nbins)
    split = ~same
    kb_s, w_s = kb[split], weight[split]
    area += np.bincount(kb_s, w_s * (end[split] - kb_s * width), minlength=nbins)
    # ... and whole bins in between through a difference array.
    diff = np.bincount(ka[split] + 1, w_s, minlength=nbins + 1) - np.bincount(kb_s, w_s, minlength=nbins + 1)
    area += np.cumsum(diff[:nbins]) * width


def add_points(counts: np.ndarray, width: float, times: np.ndarray, weight: np.ndarray | float = 1.0) -> None:
    """Add each point's weight to the bin holding it (points outside the bins are ignored)."""
    times = np.asarray(times, dtype=float)
    idx = np.floor(times / width)
    ok = (idx >= 0) & (idx < counts.size) & ~np.isnan(times)
    weight = np.broadcast_to(np.asarray(weight, dtype=float), times.shape)
    added = np.bincount(idx[ok].astype(np.int64), weight[ok], minlength=counts.size)[: counts.size]
    counts += added.astype(counts.dtype) if counts.dtype.kind == "i" else added


def step_area(steps: list[tuple[float, int]], end: float, nbins: int, width: float) -> np.ndarray:
    """Time-integral per bin of a step function given as ``[(time, level), ...]``."""
    area = np.zeros(nbins)
    if not steps:
        return area
    times = np.array([t for t, _ in steps] + [end])
    levels = np.array([lvl for _, lvl in steps], dtype=float)
    add_intervals(area, width, times[:-1], times[1:], levels)
    return area
