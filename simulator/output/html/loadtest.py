"""The reports of ``carebench loadtest`` (breaking point, capacity curve) and ``carebench staff`` (roster found).

Built from ``breaking_point.json`` and ``capacity.csv``, or ``staffing.json``
and ``roster.yaml``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from carebench.kpis import catalogue
from carebench.output.html.common import fmt_interval, number, read_csv, read_json, scenario_text, unit
from carebench.output.html.page import Chart, section, table_of
from carebench.util.units import format_duration

__all__ = ["loadtest_document", "staff_document"]


def _curve(rows: list[dict], kpis: list[str], bp: dict, knee_at: float):
    from carebench.output.axes import count_axis, share_axis  # matplotlib only when a chart is drawn
    from carebench.output.plots import new_figure

    xs = np.array([number(r["multiplier"]) for r in rows])
    fig = new_figure(11, 7)
    axes = fig.subplots(2, 2)
    panels = [(axes[0][0], [k for k in kpis if k.startswith("sla.")], "SLA attainment (%)"),
              (axes[0][1], [k for k in kpis if k.startswith("frt.p90.")], "first-response time p90 (log scale)"),
              (axes[1][0], ["exposure.total"], "exposure (follower-hours)"),
              (axes[1][1], ["churn.expected"], "expected churners (customers)")]
    for ax, names, label in panels:
        for k in names:
            mean = np.array([number(r.get(f"{k}.mean")) for r in rows])
            low = np.array([number(r.get(f"{k}.low")) for r in rows])
            high = np.array([number(r.get(f"{k}.high")) for r in rows])
            line, = ax.plot(xs, mean, marker="o", markersize=3, label=k.split(".")[-1] if len(names) > 1 else k)
            ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.15)
        if catalogue.kind(names[0]) == "share" if names else False:
            share_axis(ax)
        elif names and catalogue.kind(names[0]) == "time":
            ax.set_yscale("log")
            ticks = [60, 600, 3600, 6 * 3600, 86400]
            ax.set_yticks(ticks, [format_duration(t) for t in ticks])
        else:
            count_axis(ax)
        if math.isfinite(knee_at):
            ax.axvline(knee_at, color="grey", linestyle="--", linewidth=1, label="knee")
        if bp["status"] == "found":
            ax.axvline(bp["multiplier"], color="red", linestyle=":", linewidth=1.5, label="breaking point")
        ax.set_xlabel("load multiplier (× today's arrival rates)")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("capacity curve: mean and 95% confidence band per load", fontsize=11)
    return fig


def _bp_line(bp: dict, kpi: str) -> str:
    if bp["status"] == "found":
        return (f"Breaking point of {bp['target']}: ×{bp['multiplier']:.2f} ± {number(bp['uncertainty']):.2f} of "
                f"today's traffic (holds at ×{bp['holds_at']:.2f}, fails at ×{bp['fails_at']:.2f})")
    if bp["status"] == "holds throughout":
        return f"{bp['target']} holds at every load tried, up to ×{bp['holds_at']:.2f}: PASS"
    return f"{bp['target']} fails even at the smallest load tried (×{number(bp['fails_at']):.3g}): FAIL"


def loadtest_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench loadtest`` directory."""
    bp = read_json(directory / "breaking_point.json")
    rows = read_csv(directory / "capacity.csv")
    kpis = list(dict.fromkeys(c.rsplit(".", 1)[0] for c in (rows[0] if rows else {}) if c != "multiplier"))
    kpi = bp["target"].split()[0] if bp.get("target") else ""
    knee_at = number(bp.get("knee"))
    head = [_bp_line(bp, kpi), f"knee of the curve: ×{knee_at:.2f}" if math.isfinite(knee_at) else "knee: none found"]
    table = [[f"×{number(r['multiplier']):g}", *(fmt_interval(k, number(r[f'{k}.mean']),
                                                              (number(r[f'{k}.high']) - number(r[f'{k}.low'])) / 2,
                                                              int(bp.get("replications", 1))) for k in kpis)]
             for r in rows]
    steps = [[f"×{p['multiplier']:.4g}", fmt_interval(kpi, number(p["mean"])),
              f"{fmt_interval(kpi, number(p['low']))} to {fmt_interval(kpi, number(p['high']))}"] for p in bp["points"]]
    sections = [section("capacity", "Capacity curve", [f"Mean ± 95% CI half-width over {bp.get('replications')} "
                                                        "replications per load, on common random numbers."],
                        [table_of(["load", *(f"{k} ({unit(k)})" for k in kpis)], table, "capacity curve")]),
                section("search", "Bisection steps", [f"Each load the search tried for {bp['target']}."],
                        [table_of(["load", kpi, "95% CI"], steps, "bisection")])]
    charts = [Chart("capacity-curve", "Capacity curve", "SLA, p90 first-response time, exposure and expected churn "
                    "against the load multiplier, with 95% bands; dashed: the knee; dotted red: the breaking point.",
                    lambda: _curve(rows, kpis, bp, knee_at))] if rows else []
    doc = {
        "kind": "loadtest", "title": f"carebench loadtest: {bp['target']}", "headline": head,
        "verdict": "FAIL" if bp["status"] == "fails throughout" else None, "sections": sections, "warnings": [],
        "provenance": {"target": bp["target"], "replications": bp.get("replications"),
                       "seeds": ", ".join(str(s) for s in bp.get("seeds", []))},
        "scenario": scenario_text(directory / "scenario.yaml"),
        "data": {"breaking_point": bp, "capacity": rows},
    }
    return doc, charts


def _roster(data: dict):
    from carebench.output.axes import integer_axis  # matplotlib only when a chart is drawn
    from carebench.output.plots import new_figure

    knobs = data["knobs"]
    fig = new_figure(max(6.0, 1.1 * len(knobs) + 3), 4)
    ax = fig.add_subplot()
    x = np.arange(len(knobs))
    start = [data["erlang_start"][k["knob"]] for k in knobs]
    found = [data["roster"][k["knob"]] for k in knobs]
    ax.bar(x - 0.2, start, 0.4, label="Erlang start", color="tab:grey")
    ax.bar(x + 0.2, found, 0.4, label="found by simulation", color="tab:blue")
    ax.set_xticks(x, [k["knob"] for k in knobs], fontsize=8)
    ax.set_ylabel("agents (headcount)")
    ax.set_xlabel("pool / shift")
    integer_axis(ax)
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title("agents per pool or shift: Erlang's start and the roster found", fontsize=10)
    return fig


def staff_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench staff`` directory."""
    data = read_json(directory / "staffing.json")
    verdict = "PASS" if data["met"] else "FAIL"
    hours = sum(k["agent_hours_each"] * data["roster"][k["knob"]] for k in data["knobs"])
    priced = number(data["kpis"].get("cost.total", {}).get("mean")) > 0  # unpriced pools: cost is agent-hours
    cost = f", cost {number(data['cost']):,.0f}" if priced else ""
    head = [f"Roster {'found' if data['met'] else 'NOT found'}: {sum(data['roster'].values()):,} agents, "
            f"{hours:,.0f} agent-hours{cost} over the run: {verdict}"]
    head += [f"{t['target']}: {t['detail']}: {'PASS' if t['passed'] else 'FAIL'}" for t in data["targets"]]
    rows = [[k["knob"], ", ".join(k["channels"]), str(data["erlang_start"][k["knob"]]), str(data["roster"][k["knob"]]),
             f"{data['roster'][k['knob']] - data['erlang_start'][k['knob']]:+d}",
             f"{k['agent_hours_each'] * data['roster'][k['knob']]:,.0f}"] for k in data["knobs"]]
    kpis = [[k, unit(k), f"{fmt_interval(k, number(v['mean']), (number(v['high']) - number(v['low'])) / 2, 2)}"]
            for k, v in data["kpis"].items()]
    sections = [section("roster", "Roster", [f"{data['evaluations']} rosters simulated, "
                                             f"{data.get('replications')} replications each."],
                        [table_of(["pool / shift", "channels", "Erlang (agents)", "found (agents)", "vs Erlang",
                                   "agent-hours"], rows, "roster")]),
                section("targets", "Targets and KPIs", tables=[
                    table_of(["target", "result", "detail"], [[t["target"], "PASS" if t["passed"] else "FAIL",
                                                                t["detail"]] for t in data["targets"]], "targets"),
                    table_of(["KPI", "unit", "mean ± 95% CI"], kpis, "KPIs of the roster")])]
    charts = [Chart("roster-chart", "Agents per pool or shift", "For each pool or shift, the agent count Erlang "
                    "suggested and the count the simulation search found.", lambda: _roster(data))] if data["knobs"] else []
    doc = {
        "kind": "staff", "title": "carebench staff", "headline": head, "verdict": verdict, "sections": sections,
        "warnings": [] if data["met"] else [f"no roster met every target ({data['history'][-1]['step']})"
                                            if data.get("history") else "no roster met every target"],
        "provenance": {"replications": data.get("replications"), "seeds": ", ".join(str(s) for s in data.get("seeds", []))},
        "scenario": scenario_text(directory / "roster.yaml"),
        "data": {k: data[k] for k in ("met", "cost", "roster", "erlang_start", "targets", "kpis")},
    }
    return doc, charts
