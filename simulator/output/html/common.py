"""Reading a result directory for a report: JSON, CSV, the scenario as run, warnings, formatting.

Every report is built from the files on disk, so these readers are the only
way a report learns about a result.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from carebench.kpis import catalogue
from carebench.load.loader import scenario_from_data
from carebench.load.yamlio import load_yaml_file
from carebench.output.compare_report import fmt_value
from carebench.output.report import fmt_kpi
from carebench.util.errors import UserError

__all__ = ["read_json", "read_csv", "number", "scenario_text", "scenario_of", "unit", "fmt_interval",
           "goal_verdict", "text_warnings", "summary_lines", "overall", "fmt_diff", "bars_figure"]


def read_json(path: Path) -> Any:
    """A JSON file of the result, or a one-line error naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read it as JSON ({exc})") from None


def number(text: Any) -> float:
    """A CSV or JSON cell as a float; empty or null is NaN."""
    if text is None or text == "":
        return math.nan
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file of the result as dicts of text."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc})") from None


def scenario_text(path: Path) -> str:
    """The scenario as run (YAML text), or '' when the directory has none."""
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def scenario_of(path: Path):
    """The validated scenario of a ``scenario.yaml`` written by carebench, or None if it cannot be read back.

    Nothing is imported: a scenario naming a policy by import path reads back as None (no shading).
    """
    if not path.is_file():
        return None
    try:
        return scenario_from_data(load_yaml_file(path), str(path), allow_import=False)
    except (UserError, ValueError, ImportError):
        return None


def unit(kpi: str) -> str:
    """The unit of a KPI as a table shows it (``%`` for shares)."""
    family = catalogue.find(kpi)
    if family is None:
        return ""
    return "%" if family.unit is catalogue.Unit.SHARE else "duration" if family.unit.kind == "time" \
        else family.unit.label


def fmt_interval(kpi: str, mean: float, half_width: float | None = None, n: int = 1) -> str:
    """``'67.0% ± 2.1'`` for an interval, ``'67.0%'`` for one value."""
    if half_width is None or n < 2 or not math.isfinite(half_width) or not math.isfinite(mean):
        return fmt_kpi(kpi, mean)
    text = fmt_value(kpi, mean)
    return f"{text} ± {fmt_value(kpi, half_width, spread=True, millions=abs(mean) >= 1e6)}"


def goal_verdict(mean: float, low: float | None, high: float | None, goal: float, higher: bool = True) -> str:
    """PASS when the whole interval (or the one value) is on the good side of ``goal``, FAIL when it is
    wholly on the bad side, UNCLEAR when the interval straddles it."""
    if not math.isfinite(mean):
        return "UNCLEAR"
    lo = mean if low is None or not math.isfinite(low) else low
    hi = mean if high is None or not math.isfinite(high) else high
    if not higher:
        lo, hi, goal = -hi, -lo, -goal
    return "PASS" if lo >= goal else "FAIL" if hi < goal else "UNCLEAR"


def overall(verdicts: list[str]) -> str | None:
    """FAIL if any failed, else UNCLEAR if any is unclear, else PASS (None when there are none)."""
    if not verdicts:
        return None
    return "FAIL" if "FAIL" in verdicts else "UNCLEAR" if "UNCLEAR" in verdicts else "PASS"


def summary_lines(directory: Path) -> list[str]:
    """The terminal summary the command saved in ``summary.txt`` (empty if none)."""
    path = directory / "summary.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def text_warnings(lines: list[str]) -> list[str]:
    """The warnings and notes the terminal summary printed (lines starting ``warning:`` or ``note:``)."""
    out = []
    for line in lines:
        stripped = line.strip()
        for prefix in ("warning:", "note:"):
            if stripped.lower().startswith(prefix):
                out.append(stripped[len(prefix):].strip())
    return out


def fmt_diff(kpi: str, mean: float, half_width: float, n: int) -> str:
    """A signed difference with its half-width: ``'+6.0 ± 2.0 pts'``."""
    points = " pts" if catalogue.kind(kpi) == "share" else ""
    text = fmt_value(kpi, mean, signed=True)
    if n < 2 or not math.isfinite(half_width):
        return text + points
    return f"{text} ± {fmt_value(kpi, half_width, spread=True, millions=abs(mean) >= 1e6)}{points}"


def _scale(kpi: str, values: list[float]) -> tuple[float, str]:
    kind = catalogue.kind(kpi)
    if kind == "share":
        return 1.0, "%"
    if kind == "time":
        top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
        return (3600.0, "hours") if top >= 7200 else (60.0, "minutes") if top >= 120 else (1.0, "seconds")
    return 1.0, unit(kpi)


def bars_figure(panels: list[tuple[str, list[str], list[float], list[float]]], title: str):
    """Small multiples: one bar chart per KPI, ``(kpi, labels, means, half-widths)``, with 95 % error bars."""
    from carebench.output.axes import count_axis, share_axis
    from carebench.output.plots import new_figure

    cols = min(4, max(1, len(panels)))
    rows = max(1, math.ceil(len(panels) / cols))
    fig = new_figure(2.9 * cols, 2.5 * rows + 0.5)
    for i, (kpi, labels, means, hws) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        div, shown = _scale(kpi, means)
        y = [m / div if math.isfinite(m) else 0.0 for m in means]
        err = [h / div if math.isfinite(h) else 0.0 for h in hws]
        ax.bar(range(len(y)), y, yerr=err, capsize=3, color=[f"C{j % 10}" for j in range(len(y))], alpha=0.85)
        ax.set_xticks(range(len(y)), labels, fontsize=8)
        ax.set_title(kpi, fontsize=9)
        ax.set_ylabel(shown, fontsize=8)
        if shown == "%":
            share_axis(ax)
        else:
            count_axis(ax)
        ax.tick_params(labelsize=7)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    return fig
