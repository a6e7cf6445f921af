"""Parameter sweeps: grids of scenario overrides, their variants, and the sweep's tables.

A grid axis is ``PATH=VALUES``: a dotted scenario path (as for ``--set``)
and either a comma-separated list of YAML-typed values (``fifo,channel_priority``,
``0.5,0.8``; commas inside brackets or quotes do not split) or an integer
range ``FROM..TO`` (both ends included) with an optional step ``FROM..TO:STEP``.
The sweep runs the cartesian product of its axes, the first axis varying
slowest, each grid point replicated on the same seeds.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carebench.load.loader import apply_overrides, scenario_from_data
from carebench.load.yamlio import load_yaml_text
from carebench.runs.tasks import Variant
from carebench.util.errors import UserError

__all__ = ["Axis", "parse_grid", "grid_variants", "sweep_series", "MAX_POINTS"]

MAX_POINTS = 10_000
"""The most grid points one sweep may have (a typo in a range should not plan a million runs)."""

_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?::\s*(\d+)\s*)?$")
_OPEN, _CLOSE = "[{(", "]})"


@dataclass(frozen=True)
class Axis:
    """One swept scenario path and the values it takes, in order."""

    path: str
    values: tuple[Any, ...]


def _split_values(text: str) -> list[str]:
    """Split on commas that are not inside brackets, braces or quotes."""
    parts, depth, quote, current = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _range(text: str, raw: str) -> tuple[int, ...]:
    match = _RANGE.match(raw)
    if not match:
        raise UserError(f"--grid {text!r}: expected an integer range FROM..TO or FROM..TO:STEP such as 4..12:2")
    low, high, step = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    if step < 1 or high < low:
        raise UserError(f"--grid {text!r}: expected FROM <= TO and a step of 1 or more, got {raw.strip()!r}")
    if (high - low) // step + 1 > MAX_POINTS:  # counted before the values are made
        raise UserError(f"--grid {text!r}: {(high - low) // step + 1:,} grid points; expected at most {MAX_POINTS:,}")
    return tuple(range(low, high + 1, step))


def parse_grid(text: str) -> Axis:
    """Parse ``'pools.social.agents=4..12'`` or ``'policies.priority=fifo,channel_priority'``."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise UserError(f"--grid {text!r}: expected PATH=A,B,C or PATH=FROM..TO such as 'pools.social.agents=4..12'")
    if path == "seed":
        raise UserError(f"--grid {text!r}: replications already vary the seed; use --replications")
    if ".." in raw and not raw.lstrip().startswith(("[", "{", "'", '"')):
        return Axis(path, _range(text, raw))
    pieces = _split_values(raw)
    if any(not p.strip() for p in pieces):
        raise UserError(f"--grid {text!r}: expected PATH=A,B,C with no empty value, or PATH=FROM..TO")
    values = tuple(load_yaml_text(p, f"--grid {path}") for p in pieces)
    if len(set(map(_label, values))) != len(values):
        raise UserError(f"--grid {text!r}: a value is repeated")
    return Axis(path, values)


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def grid_variants(data: Mapping[str, Any], axes: Sequence[Axis], source: str = "<scenario>",
                  *, allow_import: bool = False) -> list[Variant]:
    """One validated variant per grid point of ``axes`` applied to raw scenario ``data``.

    Variants are named ``path=value`` for each axis, joined by spaces; a grid
    point that does not validate is a ``ScenarioError`` naming it.
    """
    paths = [a.path for a in axes]
    if len(set(paths)) != len(paths):
        raise UserError(f"--grid: the path {next(p for p in paths if paths.count(p) > 1)!r} is swept twice")
    points = 1
    for a in axes:
        points *= len(a.values)
    if points > MAX_POINTS:
        raise UserError(f"--grid: {points:,} grid points; expected at most {MAX_POINTS:,}")
    variants = []
    for combo in itertools.product(*(a.values for a in axes)):
        settings = tuple(zip(paths, combo))
        name = " ".join(f"{p}={_label(v)}" for p, v in settings)
        scenario = scenario_from_data(apply_overrides(dict(data), list(settings)), f"{source} [{name}]",
                                      allow_import=allow_import)
        variants.append(Variant(name, scenario, settings))
    return variants


def sweep_series(summary: Sequence[Mapping[str, Any]], kpi: str,
                 paths: Sequence[str]) -> dict[str, list[tuple[Any, float, float]]]:
    """Points of ``kpi`` against the first swept path, one series per value of the other paths.

    ``summary`` holds summary rows (variant settings, ``kpi``, ``mean``,
    ``half_width``); a series is labelled ``path=value ...`` of the other paths
    (``''`` with a single axis).
    """
    series: dict[str, list[tuple[Any, float, float]]] = {}
    for row in summary:
        if row["kpi"] != kpi:
            continue
        label = " ".join(f"{p}={_label(row[p])}" for p in paths[1:])
        series.setdefault(label, []).append((row[paths[0]], row["mean"], row["half_width"]))
    return series
