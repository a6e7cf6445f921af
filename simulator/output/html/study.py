"""The reports of ``carebench shop`` (a mystery-shopper study) and ``carebench shop plan`` (its sample size).

A study's report is built from ``summary.json`` (pooled shares, the headline
beside the published figures, each brand, the Kaplan-Meier curve) and
``summary.txt``; a plan's from ``study_plan.json``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from carebench.output.html.common import number, read_json, summary_lines, text_warnings
from carebench.output.html.page import Chart, section, table_of
from carebench.output.report import fmt_share, fmt_time
from carebench.util.units import DAY, HOUR, MINUTE, format_duration

__all__ = ["study_document", "plan_document"]


def _share(s: dict | None) -> str:
    if not s:
        return "-"
    return f"{fmt_share(number(s['share']))} ({fmt_share(number(s['low']))}-{fmt_share(number(s['high']))})"


def _fixed(x, digits: int) -> str:
    x = number(x)
    return f"{x:.{digits}f}" if math.isfinite(x) else "-"


def _km_figure(data: dict):
    from carebench.output.axes import share_axis  # matplotlib only when a chart is drawn
    from carebench.output.plots import new_figure

    km = data["kaplan_meier"]
    t = np.maximum(np.array([number(x) for x in km["time_s"]], dtype=float), MINUTE / 2)
    window = float(data["window_s"])
    s = np.array([number(x) for x in km["unanswered"]], dtype=float)
    fig = new_figure(10, 4.5)
    ax = fig.add_subplot()
    ax.step(np.concatenate([[MINUTE / 2], t, [window]]), np.concatenate([[1.0], s, s[-1:] if s.size else [1.0]]),
            where="post", color="black", linewidth=2, label="pooled over brands")
    low = np.array([number(x) for x in km["low"]], dtype=float)
    high = np.array([number(x) for x in km["high"]], dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    if ok.any():
        ax.fill_between(t[ok], low[ok], high[ok], step="post", color="black", alpha=0.15,
                        label="95% band (ignores clustering)")
    ax.set_xscale("log")
    ax.set_xlim(MINUTE, window)
    ticks = [x for x in (MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY) if x <= window]
    ax.set_xticks(ticks, [format_duration(x) for x in ticks])
    for x in (HOUR, DAY):
        ax.axvline(x, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("time since the probe was sent (log scale; dotted: 1 h and 24 h)")
    ax.set_ylabel("probes not yet answered (%)")
    share_axis(ax)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{data['study']}: time to reply (Kaplan-Meier, censored at {format_duration(window)})", fontsize=10)
    return fig


def _brands_figure(data: dict):
    from carebench.output.axes import share_axis  # matplotlib only when a chart is drawn
    from carebench.output.plots import new_figure

    brands = sorted(data["per_brand"], key=lambda b: -number(b["shares"].get("within_24h", {}).get("share")))
    fig = new_figure(9, 0.28 * len(brands) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(brands))
    share = np.array([number(b["shares"].get("within_24h", {}).get("share")) for b in brands])
    low = np.array([number(b["shares"].get("within_24h", {}).get("low")) for b in brands])
    high = np.array([number(b["shares"].get("within_24h", {}).get("high")) for b in brands])
    ax.barh(y, share, xerr=[np.nan_to_num(share - low), np.nan_to_num(high - share)], color="tab:blue", alpha=0.8,
            capsize=2)
    ax.set_yticks(y, [b["brand"] for b in brands], fontsize=7)
    ax.invert_yaxis()
    share_axis(ax, "x")
    ax.set_xlabel("probes answered within 24 h (%), 95% interval")
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title("each brand: share of probes answered within 24 h", fontsize=10)
    return fig


def study_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench shop`` directory."""
    data = read_json(directory / "summary.json")
    pooled = data["pooled"]
    head = [f"{data['study']}: {data['brands']} brands × {data['probes_per_brand']} probes, "
            f"{data['repeats']} repeat(s), window {fmt_time(number(data['window_s']))}"]
    first = data["headline"][0]["who"] if data.get("headline") else None  # the pooled rows come first
    for h in data.get("headline", []):
        if h["who"] == first:
            head.append(f"{h['measure']}: simulated {h['simulated']}" +
                        (f" beside the published {h['published']}" if h["published"] else ""))
    headline = [[h["who"], h["measure"], h["published"] or "-", h["simulated"]] for h in data.get("headline", [])]
    pooled_rows = [[k, _share(v), _fixed(v.get("design_effect"), 2), _fixed(v.get("icc"), 3)] for k, v in pooled.items()]
    brands = [[b["brand"], str(b["probes"]), _share(b["shares"].get("within_1h")), _share(b["shares"].get("within_24h")),
               _share(b["shares"].get("answered")), fmt_time(number(b["reply"]["median"]))] for b in data["per_brand"]]
    strata = [[f"{number(s['followers']):,.0f}", str(s["probes"]), _share(s.get("within_24h")),
               fmt_time(number(s["reply"]["median"]))] for s in data.get("strata", [])]
    sections = [
        section("headline-table", "Beside the published figures",
                ["Simulated with 95% intervals (cluster-robust over brands)."],
                [table_of(["who", "measure", "published", "simulated (95% CI)"], headline, "headline")]),
        section("pooled", "Pooled over brands", tables=[table_of(["measure", "share (95% CI)", "design effect",
                                                                   "ICC"], pooled_rows, "pooled")]),
        section("brands", "Each brand", tables=[table_of(["brand", "probes", "≤1 h (95% CI)", "≤24 h (95% CI)",
                                                           "in window (95% CI)", "median reply (duration)"],
                                                          brands, "brands")]),
    ]
    if strata:
        sections.append(section("strata", "By follower stratum", tables=[table_of(
            ["followers", "probes", "≤24 h (cluster-robust)", "median reply (duration)"], strata, "strata")]))
    charts = [Chart("km", "Time to reply", "Share of probes not yet answered against the time since they were sent "
                    "(Kaplan-Meier, pooled over brands, with its 95% band); unanswered probes are censored at the "
                    "window.", lambda: _km_figure(data)),
              Chart("brands-chart", "Each brand within 24 h", "Each brand's share of probes answered within 24 "
                    "hours with its 95% interval, best first.", lambda: _brands_figure(data))]
    warnings = text_warnings(summary_lines(directory))
    unanswered = 1 - number(pooled.get("answered", {}).get("share"))
    if math.isfinite(unanswered) and unanswered > 0:
        warnings.append(f"{fmt_share(unanswered)} of probes got no answer within the window: they are censored "
                        "(their reply time is only known to exceed the window)")
    doc = {
        "kind": "shop", "title": f"carebench shop: {data['study']}", "headline": head, "verdict": None,
        "sections": sections, "warnings": warnings,
        "provenance": {"study": data["study"], "source": data.get("source", ""), "seed": data["seed"],
                       "repeats": data["repeats"], "study file": data.get("study_file", "")},
        "scenario": "",
        "data": {k: data[k] for k in ("pooled", "headline", "strata_tests", "brands_answering_none") if k in data},
    }
    return doc, charts


def plan_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document of a ``carebench shop plan`` directory (its answer in words; no chart)."""
    data = read_json(directory / "study_plan.json")
    lines = data["lines"]
    inputs = [[k, str(v)] for k, v in data["inputs"].items() if v is not None]
    doc = {
        "kind": "shop plan", "title": "carebench shop plan", "headline": lines[:1], "verdict": None,
        "sections": [section("answer", "Sample size", lines[1:] or lines),
                     section("inputs", "Inputs", tables=[table_of(["input", "value"], inputs, "inputs")])],
        "scenario": "", "data": data,
    }
    return doc, []
