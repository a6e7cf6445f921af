"""The report of ``carebench staff --schedule``: the roster of shifts found, beside today's and the greedy search's.

Built from ``schedule.json`` (the rosters compared, the shifts, the targets,
the coverage per interval) and ``roster.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from carebench.output.html.common import read_json, scenario_text, summary_lines, text_warnings
from carebench.output.html.page import Chart, section, table_of
from carebench.util.units import format_duration

__all__ = ["schedule_document"]


def _headline(data: dict, name: str) -> list[str]:
    if not data["met"]:
        return [f"{name}: no roster of shifts within the templates' limits meets every target: FAIL",
                data.get("failure", "")]
    shifts = data.get("shifts", [])
    agents = sum(s["agents"] for s in shifts)
    head = [f"{name}: schedule found, {len(shifts):,} shifts and {agents:,} agent-shifts costing "
            f"{data['cost']:,.0f} over the run: PASS"]
    others = {r: c for r, c in data["compared"].items() if r != "schedule (--schedule)"}
    for roster, c in others.items():
        if data["cost"] and c["cost"]:
            saving = 1 - data["cost"] / c["cost"]
            met = "meets every target" if c["met"] else "misses " + ", ".join(c["failing"])
            than = f"{roster} ({c['cost']:,.0f}; it {met})"
            head.append(f"{saving:.0%} cheaper than {than}" if saving >= 0.005 else
                        f"{-saving:.0%} dearer than {than}" if saving <= -0.005 else f"the same cost as {than}")
    head += [f"{t['target']}: {t['detail']}: {'PASS' if t['passed'] else 'FAIL'}" for t in data.get("targets", [])]
    return head


def _sections(data: dict) -> list[dict]:
    compared = [[r, f"{c['cost']:,.0f}", "yes" if c["met"] else "no: " + ", ".join(c["failing"]), c.get("note", "")]
                for r, c in data["compared"].items()]
    out = [section("rosters", "Rosters compared", ["Cost over the run (agent-hours times cost per hour; "
                                                   "agent-hours where no cost is set)."],
                   [table_of(["roster", "cost over the run", "every target met", "note"], compared, "rosters")])]
    if data.get("shifts"):
        out.append(section("shifts", "Shifts of the schedule", tables=[table_of(
            ["shift", "agents (headcount)", "cost over the run"],
            [[s["shift"], f"{s['agents']:,}", f"{s['cost']:,.0f}"] for s in data["shifts"]], "shifts")]))
    targets = [[t["target"], "PASS" if t["passed"] else "FAIL", t["detail"]] for t in data.get("targets", [])]
    steps = [[str(s["iteration"]), f"{s['cost']:,.0f}", f"{s['targets_met']}/{s['targets']}",
              f"{s['intervals_short']:,}", s["action"]] for s in data["steps"]]
    out.append(section("search", "Targets and iterations", [
        f"Integer program on {format_duration(data['interval_seconds'])} intervals, corrected by simulation: "
        f"{data['simulated_rosters']} rosters simulated, relative gap {data['ip_relative_gap']:.2%}."], [
        *([table_of(["target", "result", "detail"], targets, "targets")] if targets else []),
        table_of(["iteration", "cost", "targets met", "intervals short", "action"], steps, "iterations")]))
    return out


def schedule_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench staff --schedule`` directory."""
    data = read_json(directory / "schedule.json")
    name = data.get("scenario", "schedule")
    coverage = data.get("coverage")
    charts = []
    if coverage and data["met"]:
        from carebench.output.loadtest import coverage_figure

        charts.append(Chart("coverage", "Coverage of the scheduled roster", "Per pool, the agents Erlang requires "
                            "and the agents the schedule puts on duty in each interval; below, each channel's "
                            "simulated service level per interval, its SLA target dashed.", lambda: coverage_figure(coverage, name)))
    warnings = text_warnings(summary_lines(directory))
    if not data["met"]:
        warnings.append(f"no roster met every target: {data.get('failure', '')}")
    doc = {
        "kind": "schedule", "title": f"carebench staff --schedule: {name}", "headline": _headline(data, name),
        "verdict": "PASS" if data["met"] else "FAIL", "sections": _sections(data), "warnings": warnings,
        "provenance": {"scenario": name, "replications": data.get("replications"),
                       "seeds": ", ".join(str(s) for s in data.get("seeds", []))},
        "scenario": scenario_text(directory / "roster.yaml") or scenario_text(directory / "scenario.yaml"),
        "data": {k: data.get(k) for k in ("met", "cost", "compared", "shifts", "targets", "failure")},
    }
    return doc, charts
