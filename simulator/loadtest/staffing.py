"""The cheapest staffing that meets every target: an Erlang start, then a search by simulation.

The knobs are agent counts: one per shift that states its own agents, and one
per pool whose shifts follow the pool's size. The search starts from an
Erlang C/A estimate per channel (each channel's need is given to the pool
most dedicated to it), then, on replications with common random numbers:

1. while a target fails, add the agent with the best marginal gain per cost
   among the knobs that serve a failing channel; where one agent changes
   nothing (a backlog too deep to dent) try 2, 4, ... up to ``MAX_STEP`` at
   once, and stop, not met, when even that does not help (a target out of
   staffing's reach, e.g. outside support hours);
2. while possible, remove the agent whose removal saves the most and keeps
   every target holding.

A target holds when its whole confidence interval is on the right side (the
``interval`` rule of :mod:`carebench.gate.thresholds`), so the roster returned
meets every target on its own replications. Multi-skill pools are handled by
the simulation, where the Erlang formulas have no answer.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from carebench.analytic.erlang import agents_needed
from carebench.engine.arrivals import expected_arrivals
from carebench.engine.sources import channel_rate
from carebench.gate.thresholds import Threshold, Verdict, evaluate, parse_threshold
from carebench.load.loader import scenario_from_data
from carebench.loadtest.breaking import Evaluator
from carebench.model.calendar import WeeklyWindows
from carebench.stats.intervals import Estimate, unknown_kpi
from carebench.util.errors import UserError

__all__ = ["Knob", "StaffingResult", "knobs", "apply", "erlang_start", "search", "default_targets", "target_verdicts", "MAX_STEP"]

MAX_STEP = 16
"""The largest number of agents added at once when single agents make no difference."""


@dataclass(frozen=True)
class Knob:
    """One agent count the search may change.

    ``shift`` is the index of a shift with its own ``agents``, or None for the
    pool's size (which its other shifts follow). ``agent_hours`` is the on-duty
    time one agent on this knob costs over the run; ``cost`` its price.
    """

    pool: str
    shift: int | None
    channels: tuple[str, ...]
    agent_hours: float
    cost: float

    @property
    def label(self) -> str:
        """``pool`` or ``pool.shifts.N``, as in a ``--set`` path."""
        return self.pool if self.shift is None else f"{self.pool}.shifts.{self.shift}"


@dataclass(frozen=True)
class StaffingResult:
    """What the search found: the roster, its estimates, and where it started."""

    knobs: list[Knob]
    values: dict[str, int]
    start: dict[str, int]
    estimates: dict[str, Estimate]
    verdicts: list[Verdict]
    met: bool
    evaluations: int
    history: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    @property
    def cost(self) -> float:
        """The roster's cost over the run (agent-hours × cost per hour)."""
        return sum(k.cost * self.values[k.label] for k in self.knobs)


def knobs(data: dict) -> list[Knob]:
    """The agent counts of a scenario (raw data) the search may change."""
    sc = scenario_from_data(data)
    out = []
    for name, pool in sc.pools.items():
        price = pool.cost_per_hour or 1.0
        own = [i for i, s in enumerate(pool.shifts) if s.agents is not None]
        follow = [s for s in pool.shifts if s.agents is None]
        for i in own:
            hours = _on_duty_hours(pool.shifts[i], sc)
            out.append(Knob(name, i, pool.channels, hours, hours * price))
        if follow or not own:
            hours = sum(_on_duty_hours(s, sc) for s in follow)
            out.append(Knob(name, None, pool.channels, hours, hours * price))
    return out


def _on_duty_hours(shift, sc) -> float:
    return sum(max(0.0, min(b, sc.end_time) - max(a, sc.warmup)) for a, b in shift.windows(sc.end_time)) / 3600


def current(data: dict, ks: list[Knob]) -> dict[str, int]:
    """The scenario's own values of the knobs."""
    out = {}
    for k in ks:
        pool = data["pools"][k.pool]
        out[k.label] = pool["agents"] if k.shift is None else pool["shifts"][k.shift]["agents"]
    return out


def apply(data: dict, values: dict[str, int], ks: list[Knob]) -> dict:
    """A copy of raw scenario data with the knobs set (pool headcounts grown to fit)."""
    out = copy.deepcopy(data)
    for k in ks:
        pool = out["pools"][k.pool]
        if k.shift is None:
            pool["agents"] = int(values[k.label])
        else:
            pool["shifts"][k.shift]["agents"] = int(values[k.label])
    for k in ks:
        pool = out["pools"][k.pool]
        own = sum(s.get("agents") or 0 for s in pool.get("shifts", []) if isinstance(s, dict))
        pool["agents"] = max(pool["agents"], own)
    return out


def erlang_start(data: dict, targets: list[Threshold], ks: list[Knob]) -> dict[str, int]:
    """Erlang C (or A, with exponential patience) agents per knob for each channel's target.

    A channel's need goes to the pool with the fewest channels that serves it;
    the rate used is the mean of the busiest quarter of the knob's on-duty hours.
    """
    sc = scenario_from_data(data)
    goals = {t.kpi.split(".", 1)[1]: t.value for t in targets if t.kpi.startswith("sla.") and t.wants_higher}
    # Pools without shifts (a surge reserve) are never on duty under a roster: they own nothing.
    rostered = {p: v for p, v in sc.pools.items() if v.shifts}
    owner = {ch: min((p for p, v in rostered.items() if ch in v.channels), key=lambda p: (len(rostered[p].channels), p))
             for ch in sc.channels if any(ch in v.channels for v in rostered.values())}
    start = {}
    for k in ks:
        pool = sc.pools[k.pool]
        windows = [pool.shifts[k.shift].hours] if k.shift is not None else [s.hours for s in pool.shifts if s.agents is None]
        need = 0
        for ch in (c for c in pool.channels if owner.get(c) == k.pool):
            need += _channel_need(sc, ch, windows, goals.get(ch))
        start[k.label] = need
    return start


def _channel_need(sc, ch: str, windows: list[WeeklyWindows], goal: float | None) -> int:
    chan = sc.channels[ch]
    rate = channel_rate(sc, ch)
    hourly = [expected_arrivals(rate, a, a + 3600) / 3600
              for w in windows for lo, hi in w.expand(sc.warmup, sc.horizon) for a in np.arange(lo, hi, 3600.0)]
    if not hourly:
        return 0
    busiest = sorted(hourly)[-max(1, len(hourly) // 4):]
    lam = float(np.mean(busiest)) * (1 - chan.contacts.mention)
    if lam <= 0:
        return 0
    patience = chan.patience.mean_value if chan.patience is not None else None
    n = agents_needed(lam, chan.handle_time.mean_value, chan.sla, goal or chan.sla_goal, patience=patience)
    return math.ceil(n / chan.concurrency)


def default_targets(scenario) -> list[Threshold]:
    """The targets when none are given: each channel's ``sla >= sla_goal``."""
    return [parse_threshold(f"sla.{name} >= {ch.sla_goal}") for name, ch in scenario.channels.items()]


def target_verdicts(estimates: dict[str, Estimate], targets: list[Threshold]) -> list[Verdict]:
    """Judge every ``--target`` on its estimate; a target naming no reported KPI is a one-line error."""
    out = []
    for t in targets:
        if t.kpi not in estimates:
            raise unknown_kpi(t.kpi, estimates, f"--target {t.text}")
        out.append(evaluate(t, estimates[t.kpi]))
    return out


def _shortfall(verdicts: list[Verdict]) -> float:
    """How far the failing targets are from holding, each relative to its value."""
    return sum(max(0.0, -v.margin) / max(abs(v.threshold.value), 1e-9) for v in verdicts
               if not v.passed and math.isfinite(v.margin)) + sum(1.0 for v in verdicts if not math.isfinite(v.margin))


def _channel_of(t: Threshold) -> str:
    return t.kpi.rsplit(".", 1)[-1]


def search(data: dict, targets: list[Threshold], evaluator: Evaluator, seeds: list[int], *,
           start: dict[str, int] | None = None, max_steps: int = 60,
           progress: Callable[[str], None] | None = None) -> StaffingResult:
    """The cheapest knob values whose estimates meet every target (see the module doc)."""
    ks = knobs(data)
    if not ks:
        raise UserError("the scenario has no pools to staff")
    x = dict(start if start is not None else erlang_start(data, targets, ks))
    first = dict(x)
    evaluations, history = 0, []

    def run(options: list[dict[str, int]]) -> list[dict[str, Estimate]]:
        nonlocal evaluations
        evaluations += len(options)
        return evaluator([apply(data, o, ks) for o in options], seeds)

    est = run([x])[0]
    verdicts = target_verdicts(est, targets)
    step, added = 1, 0
    while added < max_steps and not all(v.passed for v in verdicts):
        failing = {_channel_of(v.threshold) for v in verdicts if not v.passed}
        pool_ok = [k for k in ks if failing & set(k.channels) and k.agent_hours > 0] or ks
        options = [{**x, k.label: x[k.label] + step} for k in pool_ok]
        results = run(options)
        gains = [(_shortfall(verdicts) - _shortfall(target_verdicts(e, targets))) / max(k.cost, 1e-9)
                 for k, e in zip(pool_ok, results)]
        if max(gains) <= 0:
            if step < MAX_STEP:  # a flat stretch (a backlog one agent cannot dent): try a bigger step
                step *= 2
                continue
            history.append(("stopped: no added agents bring the failing targets closer", dict(x)))
            break
        best = int(np.argmax(gains))
        x, est = options[best], results[best]
        verdicts = target_verdicts(est, targets)
        added += step
        history.append((f"+{step} {pool_ok[best].label}", dict(x)))
        step = 1
        if progress:
            progress(history[-1][0])
    met = all(v.passed for v in verdicts)
    while met:
        removable = [k for k in ks if x[k.label] > 0]
        if not removable:
            break
        options = [{**x, k.label: x[k.label] - 1} for k in removable]
        results = run(options)
        passing = [(k.cost, i) for i, (k, e) in enumerate(zip(removable, results))
                   if all(v.passed for v in target_verdicts(e, targets))]
        if not passing:
            break
        _, best = max(passing)
        x, est = options[best], results[best]
        verdicts = target_verdicts(est, targets)
        history.append((f"-1 {removable[best].label}", dict(x)))
        if progress:
            progress(history[-1][0])
    return StaffingResult(ks, x, first, est, verdicts, all(v.passed for v in verdicts), evaluations, history)
