"""The cheapest roster from shift templates: integer programming corrected by simulation.

The method of simulation-based integer programming with cutting planes
(Atlason, Epelman and Henderson 2004; Cezik and L'Ecuyer 2008), as used here:

1. required agents per pool and interval from Erlang C/A per channel
   (:mod:`carebench.loadtest.requirements`);
2. solve the integer program over the templates' shift instances
   (:mod:`carebench.loadtest.shiftplan`);
3. simulate the roster on common random numbers; where a target fails on its
   confidence interval, find the intervals whose contacts missed the SLA most
   (by the channel of the target) and add a cut there: the pools serving that
   channel together must have more agents on duty than now — by as many as
   the missed contacts need. Multi-skill pools are handled by the simulation:
   a cut counts every pool that serves the channel, and the simulation tells
   whether sharing them really served it;
4. once every target holds, lower the Erlang goals (``slack``) and go back to
   2 while the roster keeps getting cheaper, then try removing single agents
   (most expensive shifts first) while every target still holds.

The roster returned is the cheapest one simulated that met every target.
When no roster within the templates' limits can meet a target,
:class:`ScheduleResult` says which target and where.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from carebench.gate.thresholds import Threshold, Verdict
from carebench.load.loader import scenario_from_data
from carebench.loadtest.requirements import channel_requirements, pool_requirements
from carebench.loadtest.shiftplan import Cut, Plan, build_plan, roster_data, solve
from carebench.loadtest.staffing import target_verdicts
from carebench.model.templates import clock_text
from carebench.runs.simulate import simulate
from carebench.runs.tasks import Task, plain_kpis, task_scenario
from carebench.stats.intervals import Estimate
from carebench.stats.sectioning import summarise_pooled
from carebench.util.units import DAY

__all__ = ["Step", "Trial", "ScheduleResult", "Simulated", "simulate_rosters", "schedule", "SLACK_STEP"]

SLACK_STEP = 0.05
"""How far the Erlang goals are lowered after each roster that met every target."""


@dataclass(frozen=True)
class Simulated:
    """One roster's replications: KPI estimates and per-interval SLA counts per channel (summed)."""

    estimates: dict[str, Estimate]
    met: dict[str, np.ndarray]
    counted: dict[str, np.ndarray]
    replications: int

    def service_level(self, channel: str) -> np.ndarray:
        """Share answered within the SLA per interval (NaN where nobody was judged)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.met[channel] / self.counted[channel]


@dataclass(frozen=True)
class Trial:
    """A roster tried: its counts per instance, cost, simulated outcome and verdicts."""

    x: np.ndarray
    cost: float
    simulated: Simulated
    verdicts: list[Verdict]

    @property
    def met(self) -> bool:
        """Whether every target held on its confidence interval."""
        return all(v.passed for v in self.verdicts)


@dataclass(frozen=True)
class Step:
    """One line of progress: what was tried and how it went."""

    iteration: int
    action: str
    cost: float
    targets_met: int
    targets: int
    intervals_short: int


@dataclass
class ScheduleResult:
    """What the schedule found: the best roster, its required agents, every step, or why none."""

    plan: Plan
    best: Trial | None
    required: dict[str, np.ndarray]
    cuts: list[Cut]
    steps: list[Step] = field(default_factory=list)
    failure: str = ""
    gap: float = 0.0
    evaluations: int = 0
    roster: dict | None = None
    """The scenario (raw data) with the best roster written in as day-specific shifts; None when not met."""

    @property
    def met(self) -> bool:
        """Whether a roster meeting every target was found."""
        return self.best is not None


def interval_run(task: Task) -> tuple[int, int, dict[str, float], dict[str, dict], dict[str, list[float]],
                                      dict[str, list[float]]]:
    """Run one task and keep its KPIs, FRT histograms and per-bin SLA counts (what an executor ships to a worker)."""
    sc = task_scenario(task)
    r = simulate(sc, task.seed, allow_policy_import=task.allow_import)
    ts = r.timeseries
    return (task.index, task.replication, plain_kpis(r.kpis), dict(r.frt_histograms), ts["sla_met"],
            ts["sla_counted"])


def simulate_rosters(variants: list[dict], seeds: list[int], executor, width: float, *,
                     allow_import: bool = False) -> list[Simulated]:
    """Simulate each scenario (raw data) on ``seeds``; SLA counts summed per interval of ``width``."""
    tasks, bins, longest = [], [], []
    for i, data in enumerate(variants):
        sc = scenario_from_data(data, f"roster {i}", allow_import=allow_import)
        plain, fp = sc.as_data(), sc.fingerprint()
        bins.append(sc.report.bin)
        longest.append(sc.longest_time)
        tasks.extend(Task(f"roster{i}", i, r, int(s), plain, fp, allow_import) for r, s in enumerate(seeds))
    kpis: list[list[dict]] = [[{}] * len(seeds) for _ in variants]
    hists: list[list[dict]] = [[{}] * len(seeds) for _ in variants]
    met: list[dict] = [{} for _ in variants]
    counted: list[dict] = [{} for _ in variants]
    for index, rep, k, h, m, c in executor.run(tasks, interval_run):
        kpis[index][rep], hists[index][rep] = k, h
        bin_width = bins[index]
        for ch in m:
            for total, values in ((met[index], m[ch]), (counted[index], c[ch])):
                arr = np.asarray(values, float)
                which = (np.arange(arr.size) * bin_width // width).astype(int)
                summed = np.bincount(which, arr)
                if ch in total:
                    n = max(total[ch].size, summed.size)
                    total[ch] = np.pad(total[ch], (0, n - total[ch].size)) + np.pad(summed, (0, n - summed.size))
                else:
                    total[ch] = summed
    return [Simulated(summarise_pooled(kpis[i], hists[i], longest=longest[i]), met[i], counted[i], len(seeds))
            for i in range(len(variants))]



def _channels(scenario, t: Threshold) -> list[str]:
    """The channel a target is about (its last name part), or every channel for a team-wide KPI."""
    last = t.kpi.rsplit(".", 1)[-1]
    return [last] if last in scenario.channels else list(scenario.channels)


def _goal(scenario, t: Threshold, channel: str) -> float:
    return t.value if t.kpi.startswith("sla.") and t.wants_higher else scenario.channels[channel].sla_goal


def where(plan: Plan, k: int) -> str:
    """An interval as a planner reads it: ``day 3 (wed) 14:00-15:00``."""
    start = k * plan.width
    day = int(start // DAY) + 1
    return (f"day {day} ({('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[(day - 1) % 7]}) "
            f"{clock_text(start % DAY)}-{clock_text((start + plan.width) % DAY)}")


def shortfalls(scenario, plan: Plan, sim: Simulated, verdicts: list[Verdict]) -> list[tuple[str, int, float]]:
    """``(channel, interval, missed contacts per replication)`` behind the failing targets, worst first.

    Misses of contacts that arrive while the channel is closed are put on the
    first open interval in which they could still be answered in time (the
    opening backlog); those that could not be answered in time at all are
    out of staffing's reach and left out.
    """
    out: dict[tuple[str, int], float] = {}
    nint = plan.cover[plan.pools[0]].shape[0]
    for v in verdicts:
        if v.passed:
            continue
        for ch in _channels(scenario, v.threshold):
            if ch not in sim.met:
                continue
            goal = _goal(scenario, v.threshold, ch)
            deficit = (goal * sim.counted[ch] - sim.met[ch]) / sim.replications
            for k in np.flatnonzero(deficit > 0.5):
                at = _answerable(scenario.channels[ch], plan.width, int(k), nint)
                if at is not None:
                    out[(ch, at)] = out.get((ch, at), 0.0) + float(deficit[k])
    return sorted(((ch, k, d) for (ch, k), d in out.items()), key=lambda r: -r[2])


def _answerable(chan, width: float, k: int, nint: int) -> int | None:
    """The first interval from ``k`` on, open for ``chan``, that starts before an arrival in ``k`` misses its SLA."""
    last = (k + 1) * width + chan.sla
    j = k
    while j < nint and j * width < last:
        if chan.support_hours.always or chan.support_hours.expand(j * width, (j + 1) * width):
            return j
        j += 1
    return None


def new_cuts(scenario, plan: Plan, x: np.ndarray, short: list[tuple[str, int, float]], cuts: dict,
             tried: dict, per_iteration: int = 12) -> list[str]:
    """Add cuts for the worst shortfalls to ``cuts``; return where none could be added.

    ``tried`` remembers each shortfall's missed contacts when its cut was
    last raised: a shortfall that more agents did not shrink by a tenth is
    out of staffing's reach (a backlog of a closed channel, patience too short)
    and gets no further cuts.
    """
    stuck, added = [], 0
    worst = short[0][2] if short else 0.0
    for ch, k, deficit in short:
        if added >= per_iteration or deficit < 0.2 * worst:
            break
        pools = tuple(p for p in plan.pools if ch in scenario.pools[p].channels)
        if not pools:
            stuck.append(f"{ch} at {where(plan, k)} (no scheduled pool serves it)")
            continue
        before = tried.get((ch, k))
        if before is not None and deficit > 0.9 * before:
            stuck.append(f"{ch} at {where(plan, k)} (more agents there did not help)")
            continue
        chan = scenario.channels[ch]
        # contacts one more agent answers in an interval, at the channel's mean handle time
        per_agent = plan.width / max(chan.handle_time.mean_value, 1.0) * chan.concurrency
        now = float(plan.coverage(x, pools)[k])
        most = float(plan.most(pools)[k])
        if now >= most - 1e-9:
            stuck.append(f"{ch} at {where(plan, k)} (the templates allow at most {most:g} agents there)")
            continue
        level = min(math.floor(now + 1e-9) + max(1, math.ceil(deficit / per_agent)), most)
        if cuts.get((pools, k), -1) < level:
            cuts[(pools, k)] = level
            tried[(ch, k)] = deficit
            added += 1
    return stuck if not added else []


def schedule(data: dict, targets: list[Threshold], executor, seeds: list[int], *, width: float = 3600.0,
             max_iterations: int = 12, trim_rounds: int = 8, trim_batch: int = 16, allow_import: bool = False,
             progress: Callable[[Step], None] | None = None) -> ScheduleResult:
    """The cheapest roster from the scenario's templates meeting every target (see the module doc)."""
    sc = scenario_from_data(data, allow_import=allow_import)
    plan = build_plan(sc, width)
    goals = {ch: max(_goal(sc, t, ch) for t in targets if _channels(sc, t) == [ch] and t.kpi.startswith("sla."))
             for ch in sc.channels if any(_channels(sc, t) == [ch] and t.kpi.startswith("sla.") for t in targets)}
    cuts: dict[tuple[tuple[str, ...], int], float] = {}
    tried: dict[tuple[str, int], float] = {}
    result = ScheduleResult(plan, None, {}, [])
    slack = 0.0

    def run(xs: list[np.ndarray]) -> list[Simulated]:
        result.evaluations += len(xs)
        return simulate_rosters([roster_data(data, plan, x) for x in xs], seeds, executor, width,
                                allow_import=allow_import)

    def note(action: str, trial: Trial, short: int) -> None:
        step = Step(len(result.steps) + 1, action, trial.cost, sum(v.passed for v in trial.verdicts), len(targets), short)
        result.steps.append(step)
        if progress:
            progress(step)

    iterations = 0
    while iterations < max_iterations and slack < 1.0:
        required = pool_requirements(sc, plan.pools, channel_requirements(sc, width, goals, slack))
        cut_list = [Cut(p, k, lvl) for (p, k), lvl in cuts.items()]
        sol = solve(plan, required, cut_list)
        if sol is None:
            if result.best is None:
                result.failure = _limits_message(plan, required, cut_list)
            break
        if result.best is not None and np.array_equal(sol.x, result.best.x):
            slack += SLACK_STEP  # lower goals that leave the roster as it is need no simulation
            continue
        iterations += 1
        sim = run([sol.x])[0]
        trial = Trial(sol.x, sol.cost, sim, target_verdicts(sim.estimates, targets))
        short = shortfalls(sc, plan, sim, trial.verdicts)
        note(f"slack {slack:.2f}, {len(cuts)} cuts", trial, len(short))
        if trial.met:
            if result.best is not None and trial.cost >= result.best.cost - 1e-9:
                break
            result.best, result.required, result.cuts, result.gap = trial, required, cut_list, sol.gap
            slack += SLACK_STEP
            continue
        if result.best is not None and trial.cost >= result.best.cost - 1e-9:
            break  # lowering the goals no longer pays
        stuck = new_cuts(sc, plan, sol.x, short, cuts, tried)
        if stuck or not short:
            if result.best is None:
                failing = "; ".join(f"{v.threshold} ({v.detail})" for v in trial.verdicts if not v.passed)
                where_ = "; ".join(stuck) if stuck else "no interval falls short of the channel's goal"
                result.failure = f"{failing} — short at {where_}"
            break
    if result.best is None and not result.failure:
        last = result.steps[-1] if result.steps else None
        result.failure = (f"no roster met every target in {max_iterations} iterations"
                          + (f" (last: {last.targets_met}/{last.targets} targets, {last.intervals_short} "
                             "intervals short)" if last else ""))
    if result.best is not None:
        _trim(result, run, targets, trim_rounds, trim_batch, note)
        result.roster = roster_data(data, plan, result.best.x)
    return result


def _trim(result: ScheduleResult, run, targets, rounds: int, batch: int, note) -> None:
    """Remove single agents, most expensive shifts first, while every target still holds."""
    plan = result.plan
    for _ in range(rounds):
        best = result.best
        used = sorted(np.flatnonzero(best.x > plan.lower), key=lambda j: -plan.cost[j])[:batch]
        if not used:
            return
        options = []
        for j in used:
            x = best.x.copy()
            x[j] -= 1
            options.append(x)
        sims = run(options)
        passing = [(plan.cost @ x, x, s) for x, s in zip(options, sims)
                   if all(v.passed for v in target_verdicts(s.estimates, targets))]
        if not passing:
            return
        cost, x, sim = min(passing, key=lambda r: r[0])
        result.best = Trial(x, float(cost), sim, target_verdicts(sim.estimates, targets))
        note(f"trim: -1 agent ({len(passing)} of {len(options)} removals kept every target)", result.best, 0)


def _limits_message(plan: Plan, required: dict[str, np.ndarray], cuts: list[Cut]) -> str:
    """Which requirement or cut the templates' limits cannot cover, and where."""
    for p in plan.pools:
        most = plan.most([p])
        need = np.asarray(required.get(p, ()), float)
        for k in np.flatnonzero(need > most + 1e-9):
            if plan.cover[p][k].any():
                return f"pool {p} needs {need[k]:g} agents at {where(plan, k)}, the templates allow at most {most[k]:g}"
    for cut in cuts:
        most = plan.most(cut.pools)[cut.interval]
        if cut.level > most + 1e-9:
            return (f"pools {', '.join(cut.pools)} need {cut.level:g} agents at {where(plan, cut.interval)}, "
                    f"the templates allow at most {most:g}")
    return "no roster within the templates' limits (minimum/maximum agents, part-time share) covers the requirements"
