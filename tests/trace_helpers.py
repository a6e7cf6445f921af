"""Synthetic traces for the trace, fit and calibration tests: written from carebench's own contact log."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from carebench.runs.simulate import simulate

__all__ = ["simulated_log", "write_trace", "ORIGIN"]

ORIGIN = "2024-01-01"
"""A Monday: simulated time 0 of the synthetic traces."""


def simulated_log(scenario, seed: int | None = None) -> tuple[dict[str, np.ndarray], object]:
    """The per-contact columns of one run (all batches joined) and its result."""
    batches: list[dict[str, np.ndarray]] = []
    result = simulate(scenario, seed, contact_sink=lambda cols: batches.append({k: v.copy() for k, v in cols.items()}))
    cols = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]} if batches else {}
    return cols, result


def write_trace(path: Path, cols: dict[str, np.ndarray], channels: tuple[str, ...]) -> Path:
    """Write the original (not generated) contacts as a CSV trace: arrival, first_reply, channel (seconds)."""
    original = (cols["generation"] == 0) & (cols["retry_of"] < 0) & (cols["probe"] < 0)
    order = np.argsort(cols["arrival"][original], kind="stable")
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["arrival", "first_reply", "channel"])
        for a, f, c in zip(cols["arrival"][original][order], cols["first_response"][original][order],
                           cols["channel"][original][order]):
            w.writerow([repr(float(a)), "" if np.isnan(f) else repr(float(f)), channels[int(c)]])
    return path
