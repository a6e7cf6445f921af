"""Replicated results and comparisons for people: tables, the answer in plain words, CSV rows.

Values are shown in each KPI's own terms: shares as percentages and their
differences in percentage points, times as durations, counts and amounts
as numbers (millions shortened to ``M``). A half-width follows ``±``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from carebench.kpis import catalogue
from carebench.output.report import table
from carebench.runs.compare import KpiComparison
from carebench.stats.differences import Difference
from carebench.stats.intervals import Estimate
from carebench.util.units import format_duration

__all__ = ["fmt_value", "fmt_estimate", "fmt_difference", "labels", "comparison_table",
           "comparison_words", "comparison_rows", "replication_summary"]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _number(x: float, millions: bool) -> str:
    if x == 0:
        return "0"
    if millions:
        return f"{x / 1e6:.2f}M"
    size = abs(x)
    return f"{x:,.0f}" if size >= 100 else f"{x:.1f}" if size >= 10 else f"{x:.2f}"


def _time(x: float) -> str:
    # Beyond ten minutes, seconds are noise for people reading a comparison.
    return format_duration(round(x / 60) * 60 if abs(x) >= 600 else x)


def fmt_value(kpi: str, x: float, *, signed: bool = False, spread: bool = False,
              millions: bool | None = None) -> str:
    """One value of ``kpi`` for people; ``spread`` drops units that belong to the mean.

    Shares are percentages (``64.3%``), or points when ``spread`` or ``signed``
    (a difference of shares is in percentage points); times are durations
    (whole minutes beyond ten minutes); amounts of a million or more are in
    millions (``millions`` forces the scale, to match a mean).
    """
    if x is None or math.isnan(x):
        return "-"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    sign = "+" if signed and x > 0 else ""
    kind = catalogue.kind(kpi)
    if kind == "share":
        return f"{sign}{100 * x:.1f}" + ("" if spread or signed else "%")
    if kind == "time":
        return sign + _time(x)
    return sign + _number(x, abs(x) >= 1e6 if millions is None else millions)


def _points(kpi: str) -> str:
    return " pts" if catalogue.kind(kpi) == "share" else ""


def fmt_estimate(kpi: str, e: Estimate) -> str:
    """``mean ± half-width`` (``'64.3% ± 1.8'``), or ``mean (low to high)`` for an asymmetric interval.

    One replication has no spread: ``'64.3% (n=1)'``. Intervals on the log
    scale or cut at a natural bound are asymmetric: ``'3.55s (0s to 14.8s)'``.
    """
    if e.n == 0:
        return "-"
    if e.n == 1:
        return f"{fmt_value(kpi, e.mean)} (n=1)"
    big = abs(e.mean) >= 1e6
    if not e.symmetric:
        return (f"{fmt_value(kpi, e.mean)} ({fmt_value(kpi, e.low, millions=big)} to "
                f"{fmt_value(kpi, e.high, millions=big)})")
    return f"{fmt_value(kpi, e.mean)} ± {fmt_value(kpi, e.half_width, spread=True, millions=big)}"


def fmt_difference(kpi: str, d: Difference) -> str:
    """A signed difference with its half-width: ``'+6.0 ± 2.0 pts'``, ``'-1h12m ± 9m'``."""
    if d.n == 0:
        return "-"
    if d.n == 1:
        return f"{fmt_value(kpi, d.mean, signed=True)}{_points(kpi)} (n=1)"
    big = abs(d.mean) >= 1e6
    return (f"{fmt_value(kpi, d.mean, signed=True)} ± "
            f"{fmt_value(kpi, d.half_width, spread=True, millions=big)}{_points(kpi)}")


def labels(count: int) -> list[str]:
    """Short labels for ``count`` variants: A, B, ..., Z, then V27, V28, ..."""
    return [_LETTERS[i] if i < len(_LETTERS) else f"V{i + 1}" for i in range(count)]


def comparison_table(rows: Sequence[KpiComparison], names: Sequence[str]) -> list[str]:
    """The table: one line per KPI; each variant's estimate and, after the first, its difference."""
    tags = labels(len(names))
    header = ["KPI", tags[0]]
    for tag in tags[1:]:
        header += [tag, f"{tag} - {tags[0]}"]
    body = []
    for row in rows:
        cells = [row.kpi, fmt_estimate(row.kpi, row.estimates[0])]
        for i in range(1, len(names)):
            diff = row.differences[i]
            verdict = row.verdict(i)
            mark = "" if verdict == "same" else f" {verdict}"
            cells += [fmt_estimate(row.kpi, row.estimates[i]),
                      (fmt_difference(row.kpi, diff) if diff else "-") + mark]
        body.append(cells)
    return table(header, body)


def comparison_words(rows: Sequence[KpiComparison], names: Sequence[str], width: int = 100) -> list[str]:
    """The answer in plain words: for each variant, where it is better, worse or the same as the first."""
    tags = labels(len(names))
    out = []
    for i in range(1, len(names)):
        out.append(f"{tags[i]} ({names[i]}) against {tags[0]} ({names[0]}):")
        groups: dict[str, list[str]] = {"better": [], "worse": [], "different": [], "same": []}
        for row in rows:
            diff = row.differences[i]
            verdict = row.verdict(i)
            text = row.kpi if verdict == "same" or diff is None else f"{row.kpi} {fmt_difference(row.kpi, diff)}"
            groups[verdict].append(text)
        for verdict, title in (("better", "better on"), ("worse", "worse on"),
                               ("different", "different (neither better nor worse) on"),
                               ("same", "no significant difference on")):
            if groups[verdict]:
                out += textwrap.wrap(f"{title}: " + ", ".join(groups[verdict]), width=width,
                                     initial_indent="  ", subsequent_indent="      ")
    return out


def comparison_rows(rows: Sequence[KpiComparison], names: Sequence[str]) -> list[dict[str, Any]]:
    """One row per (KPI, variant) for ``comparison.csv``, with the difference from the first variant."""
    out = []
    for row in rows:
        for i, name in enumerate(names):
            e, d = row.estimates[i], row.differences[i]
            out.append({
                "kpi": row.kpi, "variant": name, "n": e.n, "mean": e.mean, "half_width": e.half_width,
                "low": e.low, "high": e.high, "std": e.std,
                "reference": names[0],
                "diff_mean": d.mean if d else 0.0, "diff_half_width": d.half_width if d else 0.0,
                "diff_low": d.low if d else 0.0, "diff_high": d.high if d else 0.0,
                "p_value": d.p_value if d else math.nan,
                "significant": bool(d.significant) if d else False,
                "verdict": row.verdict(i), "confidence": e.confidence,
            })
    return out


def _methods(summary: dict[str, Estimate]) -> list[str]:
    """Which interval method each KPI family got, e.g. ``'frt, ttr: log-normal MOVER (log scale)'``."""
    by_method: dict[str, list[str]] = {}
    for kpi, e in summary.items():
        if e.n >= 2 and e.std > 0:
            fams = by_method.setdefault(e.method, [])
            fam = kpi.split(".", 1)[0]
            if fam not in fams:
                fams.append(fam)
    return [f"{method} ({', '.join(fams[:6])}{', ...' if len(fams) > 6 else ''})"
            for method, fams in by_method.items()]


def replication_summary(summary: dict[str, Estimate], channels: Sequence[str],
                        pools: Sequence[str]) -> list[str]:
    """The table ``carebench run --replications`` prints: per channel and pool, mean ± half-width."""
    def cell(kpi: str) -> str:
        return fmt_estimate(kpi, summary[kpi]) if kpi in summary else "-"

    rows = [[ch, cell(f"arrived.{ch}"), cell(f"sla.{ch}"), cell(f"frt.p50.{ch}"), cell(f"frt.p90.{ch}"),
             cell(f"frt_km.p90.{ch}"), cell(f"abandon.{ch}"), cell(f"censored.{ch}")] for ch in (*channels, "all")]
    out = table(["channel", "arrived", "SLA", "FRT p50", "FRT p90", "p90 w/ censored", "abandon", "censored"],
                rows)
    if pools:
        out += ["", *table(["pool", "utilisation", "agent-hours"],
                           [[p, cell(f"utilisation.{p}"), cell(f"agent_hours.{p}")] for p in pools])]
    out += ["", "intervals: " + "; ".join(_methods(summary))]
    totals = ["exposure.total", "churn.expected", "revenue_at_risk", "agent_hours.total", "cost.total"]
    out += ["", *table(["total", "mean ± half-width"], [[k, cell(k)] for k in totals if k in summary])]
    return out
