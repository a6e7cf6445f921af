"""Writing and plotting load tests: the capacity curve table, the breaking point, the staffing found."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from carebench.loadtest.breaking import BreakingPoint, Point
from carebench.loadtest.schedule import ScheduleResult, where
from carebench.loadtest.staffing import StaffingResult
from carebench.output.plots import new_figure, save
from carebench.util.jsonio import to_json
from carebench.util.units import format_duration

__all__ = ["curve_kpis", "write_curve", "plot_curve", "breaking_point_data", "staffing_data", "write_json",
           "schedule_data", "coverage_data", "coverage_figure", "plot_coverage"]


def curve_kpis(channels: list[str]) -> list[str]:
    """The KPIs a capacity curve shows: SLA and p90 first response per channel, exposure, churn."""
    return ([f"sla.{c}" for c in channels] + [f"frt.p90.{c}" for c in channels]
            + ["exposure.total", "churn.expected", "abandon.all"])


def write_curve(path: Path, points: list[Point], kpis: list[str]) -> Path:
    """``capacity.csv``: one row per multiplier, mean and interval of each KPI."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["multiplier", *[f"{k}.{s}" for k in kpis for s in ("mean", "low", "high")]])
        for p in points:
            row: list[Any] = [p.multiplier]
            for k in kpis:
                e = p.estimates.get(k)
                row += ["", "", ""] if e is None else [_num(e.mean), _num(e.low), _num(e.high)]
            writer.writerow(row)
    return path


def _num(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.10g}"


def plot_curve(path: Path, points: list[Point], channels: list[str], knee_at: float, bp: BreakingPoint | None,
               name: str) -> Path:
    """SLA, p90 first response, exposure and churn against the load multiplier."""
    fig = new_figure(11, 7.5)
    axes = fig.subplots(2, 2)
    xs = np.array([p.multiplier for p in points])
    panels = [
        (axes[0][0], [f"sla.{c}" for c in channels], "SLA attainment", False),
        (axes[0][1], [f"frt.p90.{c}" for c in channels], "first-response time p90", True),
        (axes[1][0], ["exposure.total"], "exposure (follower-hours)", False),
        (axes[1][1], ["churn.expected"], "expected churners", False),
    ]
    for ax, kpis, title, log in panels:
        for k in kpis:
            mean = np.array([p.mean(k) for p in points])
            low = np.array([p.estimates[k].low if k in p.estimates else np.nan for p in points])
            high = np.array([p.estimates[k].high if k in p.estimates else np.nan for p in points])
            line, = ax.plot(xs, mean, marker="o", markersize=3, label=k.split(".")[-1])
            ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.15)
        if log:
            ax.set_yscale("log")
            ticks = [60, 600, 3600, 6 * 3600, 86400]
            ax.set_yticks(ticks, [format_duration(t) for t in ticks])
        if math.isfinite(knee_at):
            ax.axvline(knee_at, color="grey", linestyle="--", linewidth=1, label="knee")
        if bp is not None and bp.status == "found":
            ax.axvline(bp.multiplier, color="red", linestyle=":", linewidth=1.5, label="breaking point")
        ax.set_title(title)
        ax.set_xlabel("load multiplier")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{name}: capacity curve")
    return save(fig, path)


def breaking_point_data(bp: BreakingPoint) -> dict:
    """The breaking point as plain data for ``breaking_point.json``."""
    return {
        "target": str(bp.threshold), "status": bp.status, "multiplier": bp.multiplier,
        "holds_at": bp.holds, "fails_at": bp.fails, "uncertainty": bp.uncertainty,
        "points": [{"multiplier": p.multiplier, "mean": p.mean(bp.threshold.kpi),
                    "low": p.estimates[bp.threshold.kpi].low, "high": p.estimates[bp.threshold.kpi].high}
                   for p in bp.points],
    }


def staffing_data(result: StaffingResult, kpis: list[str]) -> dict:
    """The staffing search's answer as plain data for ``staffing.json``."""
    return {
        "met": result.met,
        "cost": result.cost,
        "roster": result.values,
        "erlang_start": result.start,
        "knobs": [{"knob": k.label, "channels": list(k.channels), "agent_hours_each": k.agent_hours,
                   "cost_each": k.cost} for k in result.knobs],
        "targets": [{"target": str(v.threshold), "passed": v.passed, "detail": v.detail} for v in result.verdicts],
        "kpis": {k: {"mean": e.mean, "low": e.low, "high": e.high} for k, e in result.estimates.items()
                 if k in kpis},
        "evaluations": result.evaluations,
        "history": [{"step": s, "roster": r} for s, r in result.history],
    }


def write_json(path: Path, data: dict) -> Path:
    """Write plain data as strict JSON."""
    path.write_text(to_json(data), encoding="utf-8")
    return path


def schedule_data(result: ScheduleResult, comparison: dict[str, dict]) -> dict:
    """The schedule's answer as plain data for ``schedule.json``: roster, steps, cuts, costs compared."""
    plan, best = result.plan, result.best
    out: dict[str, Any] = {
        "met": result.met, "failure": result.failure, "simulated_rosters": result.evaluations,
        "interval_seconds": plan.width, "ip_relative_gap": result.gap, "compared": comparison,
        "steps": [{"iteration": s.iteration, "action": s.action, "cost": s.cost, "targets_met": s.targets_met,
                   "targets": s.targets, "intervals_short": s.intervals_short} for s in result.steps],
        "cuts": [{"pools": list(c.pools), "at": where(plan, c.interval), "agents": c.level} for c in result.cuts],
    }
    if best is not None:
        out["cost"] = best.cost
        out["shifts"] = [{"shift": inst.label, "agents": int(n), "cost": float(plan.cost[j] * n)}
                         for j, (inst, n) in enumerate(zip(plan.instances, best.x)) if n > 0]
        out["targets"] = [{"target": str(v.threshold), "passed": v.passed, "detail": v.detail} for v in best.verdicts]
    return out


def coverage_data(result: ScheduleResult) -> dict:
    """What the coverage chart draws, as plain data: per pool required and scheduled agents per interval,
    per channel the simulated service level (None where nobody was judged)."""
    plan, best = result.plan, result.best
    pools = {}
    for pool in plan.pools:
        need = result.required.get(pool)
        pools[pool] = {"required": None if need is None else [float(v) for v in need],
                       "scheduled": None if best is None else [float(v) for v in plan.coverage(best.x, [pool])]}
    levels = {} if best is None else {ch: [float(v) if math.isfinite(v) else None for v in
                                          best.simulated.service_level(ch)] for ch in best.simulated.met}
    goals = {} if best is None else {v.threshold.kpi.split(".", 1)[1]: v.threshold.value for v in best.verdicts
                                     if v.threshold.kpi.split(".", 1)[0] == "sla" and v.threshold.op in (">", ">=")}
    return {"interval_seconds": plan.width, "intervals": int(plan.cover[plan.pools[0]].shape[0]), "pools": pools,
            "service_level": levels, "goals": {ch: g for ch, g in goals.items() if ch in levels}}


def coverage_figure(data: dict, name: str):
    """Per pool: required vs scheduled agents per interval; per channel: simulated service level."""
    from carebench.output.axes import integer_axis, share_axis, time_axis

    width, pools = data["interval_seconds"], data["pools"]
    fig = new_figure(11, 2.6 * (len(pools) + 1))
    axes = fig.subplots(len(pools) + 1, 1, sharex=True, squeeze=False)[:, 0]
    starts = np.arange(data["intervals"] + 1) * width
    for ax, (pool, d) in zip(axes, pools.items()):
        for key, label, colour in (("required", "required (Erlang)", "grey"), ("scheduled", "scheduled", "C0")):
            if d.get(key) is not None:
                ax.step(starts, [*d[key], d[key][-1]], where="post", label=label, color=colour)
        ax.set_ylabel("agents (headcount)")
        top = max((max(v) for v in (d.get("required"), d.get("scheduled")) if v), default=1.0)
        ax.set_ylim(0, top * 1.1 + 0.5)  # headcounts from zero, so a flat line is not drawn on the frame
        integer_axis(ax)
        ax.set_title(f"pool {pool}", fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    ax = axes[-1]
    for ch, levels in data["service_level"].items():
        y = np.array([np.nan if v is None else v for v in levels], float)
        line, = ax.plot(starts[:-1] + width / 2, y, marker=".", markersize=3, label=ch)  # NaN: nobody judged
        if ch in data.get("goals", {}):  # the target the whole run must meet, for reference per interval
            ax.axhline(data["goals"][ch], color=line.get_color(), linestyle="--", linewidth=1,
                       label=f"{ch} target {data['goals'][ch]:.0%}")
    share_axis(ax)
    ax.set_ylabel("service level (simulated, %)")
    time_axis(ax, 0.0, float(starts[-1]))
    ax.grid(True, alpha=0.3)
    if data["service_level"]:
        ax.legend(fontsize=7)
    fig.suptitle(f"{name}: coverage of the scheduled roster")
    return fig


def plot_coverage(path: Path, result: ScheduleResult, name: str) -> Path:
    """The coverage chart of the scheduled roster as a PNG file."""
    return save(coverage_figure(coverage_data(result), name), path)
