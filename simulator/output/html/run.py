"""The report of ``carebench run``: SLA against each channel's goal, per-channel tables, the run's charts.

Built from ``kpis.json``, ``timeseries.csv``, ``scenario.yaml`` and, for a
replicated run, ``summary.json`` (intervals over replications).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from carebench.engine.results import RunResult
from carebench.kpis import catalogue
from carebench.output.html.common import (
    fmt_interval,
    goal_verdict,
    number,
    overall,
    read_csv,
    read_json,
    scenario_of,
    scenario_text,
    summary_lines,
    text_warnings,
    unit,
)
from carebench.output.html.page import Chart, section, table_of
from carebench.output.plots import exposure_figure, frt_figure, queue_figure, run_context, sla_by_hour_figure
from carebench.output.report import fmt_time, measured_window

__all__ = ["run_document", "run_result"]

_FIELDS = {f.name for f in dataclasses.fields(RunResult)}


def run_result(directory: Path) -> RunResult:
    """The :class:`RunResult` of a run directory, read back from ``kpis.json`` and ``timeseries.csv``."""
    data = read_json(directory / "kpis.json")
    data = {k: v for k, v in data.items() if k in _FIELDS}
    data["kpis"] = {k: number(v) for k, v in data["kpis"].items()}
    data["channels"], data["pools"] = tuple(data["channels"]), tuple(data["pools"])
    data["sla_by_hour"] = {k: [number(x) for x in v] for k, v in data.get("sla_by_hour", {}).items()}
    series: dict[str, dict[str, list[float]]] = {"time": {"start": []}}
    path = directory / "timeseries.csv"
    for row in read_csv(path) if path.is_file() else []:
        series["time"]["start"].append(number(row["time_s"]))
        for column, value in row.items():
            if "." in column:
                name, key = column.split(".", 1)
                series.setdefault(name, {}).setdefault(key, []).append(number(value))
    data["timeseries"] = series
    return RunResult(**data)


def _estimates(directory: Path, result: RunResult) -> tuple[dict[str, dict], dict | None]:
    """Each KPI's mean, half-width, low, high and n: over replications if summarised, else the one run."""
    path = directory / "summary.json"
    if path.is_file():
        summary = read_json(path)
        return {k: {key: number(v.get(key)) if key != "n" else int(v.get("n") or 0)
                    for key in ("mean", "half_width", "low", "high", "n")}
                for k, v in summary["kpis"].items()}, summary
    return {k: {"mean": v, "half_width": math.nan, "low": math.nan, "high": math.nan, "n": 1}
            for k, v in result.kpis.items()}, None


def _cell(est: dict, kpi: str) -> str:
    e = est.get(kpi)
    return "-" if e is None else fmt_interval(kpi, e["mean"], e["half_width"], e["n"])


def _headline(result: RunResult, est: dict, goals: dict[str, float], replicated: bool) -> tuple[list[str], list]:
    lines, verdicts = [], []
    for ch in result.channels:
        e = est.get(f"sla.{ch}")
        if e is None or ch not in goals:
            continue
        goal = goals[ch]
        if not math.isfinite(e["mean"]):
            lines.append(f"{ch.capitalize()} SLA: no contact could be judged (goal {goal:.0%}): UNCLEAR")
            verdicts.append({"channel": ch, "goal": goal, "mean": None, "verdict": "UNCLEAR"})
            continue
        verdict = goal_verdict(e["mean"], e["low"], e["high"], goal)
        lines.append(f"{ch.capitalize()} SLA {_cell(est, f'sla.{ch}')} against a goal of {goal:.0%}: {verdict}"
                     + ("" if replicated else " (one run, no interval)"))
        verdicts.append({"channel": ch, "goal": goal, "mean": e["mean"], "low": e["low"], "high": e["high"],
                         "verdict": verdict})
    return lines, verdicts


_CHANNEL_COLUMNS = [("arrived", "arrived (contacts)"), ("answered", "answered (contacts)"),
                    ("abandoned", "abandoned (contacts)"), ("waiting", "still waiting (contacts)"),
                    ("sla", "SLA (%)"), ("frt.p50", "FRT p50 (duration)"), ("frt.p90", "FRT p90 (duration)"),
                    ("within_1h", "within 1 h (%)"), ("within_24h", "within 24 h (%)")]


def _tables(result: RunResult, est: dict, sc, replicated: bool) -> list[dict]:
    ci = " (mean ± 95% CI half-width)" if replicated else ""
    rows = []
    for ch in (*result.channels, "all"):
        channel = sc.channels.get(ch) if sc is not None else None
        rows.append([ch, fmt_time(channel.sla) if channel else "", f"{channel.sla_goal:.0%}" if channel else "",
                     *(_cell(est, f"{m}.{ch}") for m, _ in _CHANNEL_COLUMNS)])
    out = [section("channels", "Per channel", [f"One row per channel; 'all' is every channel together{ci}."],
                   [table_of(["channel", "SLA target (duration)", "SLA goal (%)", *(h for _, h in _CHANNEL_COLUMNS)],
                             rows, "channels")])]
    pools = [[p, _cell(est, f"utilisation.{p}"), _cell(est, f"agent_hours.{p}")] for p in result.pools]
    totals = [[k, unit(k), _cell(est, k)] for k in ("exposure.total", "exposure.top1_share", "churn.expected",
                                                    "revenue_at_risk", "agent_hours.total", "cost.total")
              if k in est]
    tables = [table_of(["pool", "utilisation (%)", "agent-hours"], pools, "agent pools")] if pools else []
    tables.append(table_of(["total", "unit", "value"], totals, "totals"))
    out.append(section("pools", "Pools and totals", tables=tables))
    every = [[k, unit(k), _cell(est, k), (catalogue.find(k).meaning if catalogue.find(k) else "")]
             for k in sorted(est)]
    out.append(section("kpis", "Every KPI", ["Each KPI's unit and meaning come from the KPI catalogue "
                                               "(carebench kpis)."], [table_of(["KPI", "unit", "value", "meaning"],
                                                                              every, "every KPI")]))
    return out


def _warnings(result: RunResult, lines: list[str]) -> list[str]:
    out = text_warnings(lines)
    said = " ".join(out).lower()
    waiting = {ch: result.kpis.get(f"waiting.{ch}", 0.0) for ch in result.channels}
    waiting = {ch: n for ch, n in waiting.items() if n and math.isfinite(n)}
    if waiting and "waiting" not in said:
        parts = ", ".join(f"{ch} {n:,.0f}" for ch, n in waiting.items())
        out.append(f"contacts still waiting at the end of the run (censored: their first-response time is not "
                   f"known and they are not in the FRT percentiles): {parts}")
    if not result.warmup and "warm" not in said:
        out.append("no warm-up: the run starts from an empty system, so the start-up transient is in every KPI")
    unjudged = [ch for ch in result.channels if not math.isfinite(result.kpis.get(f"sla.{ch}", math.nan))]
    if unjudged:
        out.append(f"SLA undefined (no contact to judge) on: {', '.join(unjudged)}")
    return out


def run_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench run`` directory."""
    result = run_result(directory)
    est, summary = _estimates(directory, result)
    replicated = summary is not None
    sc = scenario_of(directory / "scenario.yaml")
    goals = {n: c.sla_goal for n, c in sc.channels.items()} if sc is not None else {}
    headline, verdicts = _headline(result, est, goals, replicated)
    lines = summary_lines(directory)
    n = summary.get("replications", 1) if replicated else 1
    rule = " chosen by MSER-5" if result.warmup_rule == "MSER-5" else ""
    window = measured_window(result.horizon, result.warmup, result.end, rule)
    if replicated and "batches" in summary:  # one long run, intervals by batch means
        head = (f"{result.scenario}: one run, seed {result.seed}, {window}; 95% intervals by batch means over "
                f"{summary['batches']} batches")
    elif replicated:
        head = f"{result.scenario}: {n} replications, each {window}; 95% confidence intervals"
    else:
        head = f"{result.scenario}: one run, seed {result.seed}, {window}"
    sla = read_json(directory / "kpis.json").get("sla_targets", {})
    context = run_context(sc)
    figures = {"frt_distribution": lambda: frt_figure(result, sla), "queue_length": lambda: queue_figure(result, context),
               "sla_by_hour": lambda: sla_by_hour_figure(result, context),
               "exposure": lambda: exposure_figure(result, context)}
    note = " (replication 1)" if replicated else ""
    alts = {
        "frt_distribution": "Left: for each channel, the share of answered contacts whose first response took "
                            "longer than the time on the axis. Right: contacts needing a reply per channel, split "
                            "into answered within target, answered later, abandoned and still waiting.",
        "queue_length": "Contacts waiting for a first response over the simulated week, per channel; shaded: "
                        "support-hour closures, incidents and the warm-up.",
        "sla_by_hour": "Share answered within the SLA target by the hour contacts arrived, per channel, with each "
                       "channel's SLA goal as a dashed line; closed hours are left out.",
        "exposure": "Follower-hours of exposure accrued per time bin on the public channels.",
    }
    titles = {"frt_distribution": "First response, abandoned and still waiting", "queue_length": "Queues over time",
              "sla_by_hour": "SLA by hour of day", "exposure": "Exposure over time"}
    charts = [Chart(stem.replace("_", "-"), titles[stem] + note, alts[stem], draw) for stem, draw in figures.items()]
    provenance = {"scenario": result.scenario, "scenario file": read_json(directory / "kpis.json")
                  .get("scenario_file", ""), "seed": result.seed, "replications": n,
                  "carebench version": result.version, "fingerprint": result.fingerprint,
                  "horizon": fmt_time(result.horizon), "warm-up": fmt_time(result.warmup),
                  "drain": fmt_time(result.end - result.horizon), "measured": window}
    if replicated:
        provenance["method"] = summary.get("method", "")
        provenance["seeds"] = ", ".join(str(s) for s in summary.get("seeds", []))
    doc = {
        "kind": "run", "title": f"carebench run: {result.scenario}",
        "headline": [head, *headline], "verdict": overall([v["verdict"] for v in verdicts]),
        "sections": _tables(result, est, sc, replicated),
        "warnings": _warnings(result, lines), "provenance": provenance,
        "scenario": scenario_text(directory / "scenario.yaml"),
        "data": {"sla_goals": verdicts, "kpis": est},
    }
    return doc, charts
