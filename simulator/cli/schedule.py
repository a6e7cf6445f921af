"""``carebench staff --schedule``: the cheapest roster from shift templates, beside today's and the search's."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.common import result_directory
from carebench.cli.execution import open_executor, resumable
from carebench.cli.jsonout import announce, save_summary
from carebench.gate.thresholds import evaluate
from carebench.load.loader import scenario_from_data
from carebench.load.yamlio import dump_yaml
from carebench.loadtest.breaking import replication_evaluator
from carebench.loadtest.schedule import Step, schedule, simulate_rosters
from carebench.loadtest.shiftplan import roster_cost
from carebench.loadtest.staffing import apply, search
from carebench.output.loadtest import coverage_data, plot_coverage, schedule_data, write_json
from carebench.output.report import table
from carebench.util.atomic import staged_directory

__all__ = ["run_schedule"]


def _progress(step: Step) -> None:
    click.echo(f"  iteration {step.iteration}: cost {step.cost:,.0f}, targets met {step.targets_met}/{step.targets}, "
               f"intervals short {step.intervals_short}  ({step.action})")


def _compared(name: str, data: dict, verdicts, note: str = "") -> dict:
    sc = scenario_from_data(data)
    return {"roster": name, "cost": roster_cost(sc), "met": all(v.passed for v in verdicts),
            "failing": [str(v.threshold) for v in verdicts if not v.passed], "note": note}


def run_schedule(sc, data: dict, goals, seeds: list[int], width: float, *, base_seed: int, max_iterations: int, max_steps: int,
                 out: Path, quiet: bool, plots: bool, workers, scheduler, allow_import: bool,
                 as_json: bool = False) -> None:
    """Schedule, compare with today's roster and the greedy search, write the results, exit 1 if not met."""
    rows = []
    with resumable(None), open_executor(workers, scheduler) as executor:
        today = simulate_rosters([data], seeds, executor, width, allow_import=allow_import)[0]
        rows.append(_compared("today", data, [evaluate(t, today.estimates[t.kpi]) for t in goals]))
        if not quiet:
            click.echo(f"schedule {sc.name}: {len(seeds)} replications per roster; greedy search first ...")
        greedy = search(data, goals, replication_evaluator(executor, allow_import=allow_import), seeds,
                        max_steps=max_steps)
        rows.append(_compared("greedy search (carebench staff)", apply(data, greedy.values, greedy.knobs),
                              greedy.verdicts, f"{greedy.evaluations} rosters simulated"))
        if not quiet:
            click.echo("integer program + simulation:")
        result = schedule(data, goals, executor, seeds, width=width, max_iterations=max_iterations,
                          allow_import=allow_import, progress=None if quiet else _progress)
    if result.best is not None:
        roster = dict(result.roster)
        # the roster gates itself: 'carebench check roster.yaml' judges these targets on these seeds
        roster.update(thresholds=[t.text for t in goals], replications=len(seeds), seed=base_seed)
        rows.append({"roster": "schedule (--schedule)", "cost": result.best.cost, "met": True, "failing": [],
                     "note": f"{result.evaluations} rosters simulated"})
    final = result_directory(out, f"schedule-{sc.name}")
    lines = _lines(sc, result, rows, len(seeds))
    with staged_directory(final) as stage:
        tmp = stage.tmp
        write_json(tmp / "schedule.json", {**schedule_data(result, {r["roster"]: r for r in rows}), "seeds": seeds,
                                           "replications": len(seeds), "scenario": sc.name,
                                           "coverage": coverage_data(result)})
        (tmp / "scenario.yaml").write_text(dump_yaml(data), encoding="utf-8")
        if result.best is not None:
            (tmp / "roster.yaml").write_text(dump_yaml(roster), encoding="utf-8")
            if plots:
                plot_coverage(tmp / "coverage.png", result, sc.name)
        save_summary(tmp, lines)
    final = stage.path  # a unique name if another run took the same second
    announce(final, lines, as_json, quiet,
             f"  (check it: carebench check {final}/roster.yaml)" if result.met else "")
    if not result.met:
        click.echo(f"no roster within the templates' limits meets every target: {result.failure}", err=True)
        raise SystemExit(1)


def _lines(sc, result, rows, n) -> list[str]:
    """The terminal summary (also summary.txt): the rosters compared, the targets, the shifts used."""
    out = [f"schedule {sc.name}: {n} replications per roster, {result.evaluations} rosters simulated", ""]
    out += table(["roster", "cost over the run", "every target met", "note"],
                 [[r["roster"], f"{r['cost']:,.0f}", "yes" if r["met"] else "no: " + ", ".join(r["failing"]),
                   r["note"]] for r in rows])
    best = result.best
    if best is None:
        return [*out, "", f"not found: {result.failure}"]
    out.append("")
    out += [f"  {'PASS' if v.passed else 'FAIL'}  {v.threshold}: {v.detail}" for v in best.verdicts]
    used = [(inst, int(n)) for inst, n in zip(result.plan.instances, best.x) if n > 0]
    out += ["", f"{len(used)} shifts, {int(best.x.sum())} agent-shifts; integer program gap {result.gap:.2%}:"]
    out += [f"  {n:3d} × {inst.label}" for inst, n in used[:40]]
    if len(used) > 40:
        out.append(f"  ... {len(used) - 40} more in roster.yaml")
    return out
