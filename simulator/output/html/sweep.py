"""The report of ``carebench sweep``: each KPI across the grid, as a table and against the first swept field.

Built from ``summary.csv`` (one row per grid point and KPI) and ``plan.json``.
"""

from __future__ import annotations

import math
from pathlib import Path

from carebench.kpis import catalogue
from carebench.output.html.common import fmt_interval, number, read_csv, read_json, unit
from carebench.output.html.page import Chart, section, table_of

__all__ = ["sweep_document"]

_FIXED = ("variant", "kpi", "n", "mean", "half_width", "low", "high", "std")


def _value(text: str):
    x = number(text)
    return text if math.isnan(x) else (int(x) if x == int(x) else x)


def _figure(points: dict, kpis: list[str], paths: list[str]):
    from carebench.output.axes import count_axis, share_axis, top_series  # matplotlib only when a chart is drawn
    from carebench.output.plots import new_figure

    cols = min(3, len(kpis))
    rows = math.ceil(len(kpis) / cols)
    fig = new_figure(4.2 * cols, 3.2 * rows + 0.4)
    for i, kpi in enumerate(kpis):
        ax = fig.add_subplot(rows, cols, i + 1)
        groups: dict[str, list] = {}
        for settings, per in points.items():
            if kpi not in per:
                continue
            label = ", ".join(f"{p}={v}" for p, v in zip(paths[1:], settings[1:]))
            groups.setdefault(label, []).append((settings[0], per[kpi]))
        shown, others = top_series({g: [e["mean"] for _, e in pts] for g, pts in groups.items()})
        numeric = all(isinstance(x, (int, float)) for pts in groups.values() for x, _ in pts)
        order = list(dict.fromkeys(x for pts in groups.values() for x, _ in pts))
        for label in [*shown, *others]:
            pts = groups[label]
            xs = [x if numeric else order.index(x) for x, _ in pts]
            ax.errorbar(xs, [e["mean"] for _, e in pts], yerr=[e["half_width"] if math.isfinite(e["half_width"])
                                                               else 0 for _, e in pts],
                        marker="o", markersize=3, capsize=2, label=(label or None) if label in shown else None,
                        color=None if label in shown else "lightgrey")
        if not numeric:
            ax.set_xticks(range(len(order)), [str(x) for x in order])
        ax.set_xlabel(paths[0], fontsize=8)
        ax.set_ylabel(f"{kpi} ({unit(kpi)})", fontsize=8)
        if catalogue.kind(kpi) == "share":
            share_axis(ax)
        else:
            count_axis(ax)
        ax.set_title(kpi, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(True, alpha=0.3)
        if any(shown):
            ax.legend(fontsize=6)
    fig.suptitle("each KPI against the first swept field (mean and 95% confidence interval)", fontsize=10)
    return fig


def sweep_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench sweep`` directory."""
    rows = read_csv(directory / "summary.csv")
    paths = [c for c in (rows[0] if rows else {}) if c not in _FIXED]
    points: dict[tuple, dict[str, dict]] = {}
    kpis: list[str] = []
    for r in rows:
        settings = tuple(_value(r[p]) for p in paths)
        points.setdefault(settings, {})[r["kpi"]] = {"mean": number(r["mean"]), "half_width": number(r["half_width"]),
                                                     "n": int(number(r["n"]) or 0)}
        if r["kpi"] not in kpis:
            kpis.append(r["kpi"])
    plan = read_json(directory / "plan.json")
    n = max((e["n"] for per in points.values() for e in per.values()), default=0)
    shown = [k for k in kpis if k.startswith("sla.") or k in ("exposure.total", "churn.expected", "cost.total")] or kpis
    shown = shown[:12]
    head = [f"sweep over {', '.join(paths)}: {len(points)} grid points × {n} replications"]
    for kpi in shown[:4]:
        ranked = sorted(((per[kpi]["mean"], s) for s, per in points.items() if kpi in per
                         and math.isfinite(per[kpi]["mean"])), key=lambda t: t[0])
        if ranked:
            (lo, s_lo), (hi, s_hi) = ranked[0], ranked[-1]
            where = lambda s: ", ".join(f"{p}={v}" for p, v in zip(paths, s))  # noqa: E731
            head.append(f"{kpi} ranges from {fmt_interval(kpi, lo)} ({where(s_lo)}) to {fmt_interval(kpi, hi)} "
                        f"({where(s_hi)})")
    body = [[", ".join(f"{p}={v}" for p, v in zip(paths, s)),
             *(fmt_interval(k, per[k]["mean"], per[k]["half_width"], per[k]["n"]) if k in per else "-" for k in shown)]
            for s, per in points.items()]
    sections = [section("grid", "Each grid point",
                        [f"Mean ± 95% CI half-width over {n} replications per point, the same seeds at every point."],
                        [table_of(["grid point", *(f"{k} ({unit(k)})" for k in shown)], body, "sweep")])]
    charts = [Chart("sweep-chart", "KPIs across the grid", f"Each KPI against {paths[0]}, one line per value of the "
                    "other swept fields, with 95% confidence intervals as error bars.", lambda: _figure(points, shown, paths))] \
        if paths and points else []
    doc = {
        "kind": "sweep", "title": f"carebench sweep: {', '.join(paths)}", "headline": head, "verdict": None,
        "sections": sections, "warnings": [],
        "provenance": {"grid points": len(points), "replications": n, "swept": ", ".join(paths),
                       "fingerprints": ", ".join(sorted({v["fingerprint"] for v in plan["variants"]}))[:400]},
        "scenario": "",
        "data": {"paths": paths, "points": [{"settings": dict(zip(paths, s)), "kpis": per} for s, per in points.items()]},
    }
    return doc, charts
