"""The integer program over shift templates, and the roster a solution stands for.

Variables are agent counts per shift instance (a template's start, length
and run day, see :class:`carebench.model.templates.ShiftInstance`); the
objective is the roster's cost over the run. Constraints: each pool's
on-duty agents per interval cover its required agents (partial intervals
and breaks count by the share of the interval on duty), every cut (agents of
some pools together at one interval, from the simulation) holds, each
instance stays within its template's limits, and part-time shifts stay within
the pool's ``max_part_time_share`` of the agents starting each day. Solved by
``scipy.optimize.milp`` (HiGHS).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from carebench.engine.binning import add_intervals
from carebench.engine.roster import step_sum
from carebench.model.templates import ShiftInstance, Template, clock_text
from carebench.util.units import DAY, HOUR

__all__ = ["Cut", "Plan", "Solution", "default_templates", "build_plan", "solve", "roster_data", "roster_cost",
           "scheduled_pools"]


@dataclass(frozen=True)
class Cut:
    """Agents of ``pools`` on duty at interval ``interval`` must add up to at least ``level``."""

    pools: tuple[str, ...]
    interval: int
    level: float


@dataclass
class Plan:
    """The integer program's data for one scenario and interval width."""

    pools: list[str]
    instances: list[ShiftInstance]
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    cover: dict[str, np.ndarray]  # pool -> (intervals × instances) on-duty share of each interval
    breaks: dict[str, tuple]  # template key -> its breaks
    width: float
    part_time_share: dict[str, float]

    def coverage(self, x: np.ndarray, pools: tuple[str, ...] | list[str]) -> np.ndarray:
        """On-duty agents per interval of ``pools`` together under roster ``x``."""
        return sum((self.cover[p] @ x for p in pools), np.zeros(self.cover[self.pools[0]].shape[0]))

    def most(self, pools: tuple[str, ...] | list[str]) -> np.ndarray:
        """The most agents the templates' limits allow per interval for ``pools`` together."""
        return self.coverage(np.where(np.isinf(self.upper), 1e9, self.upper), pools)


@dataclass(frozen=True)
class Solution:
    """A roster from the integer program: counts per instance, cost, status and HiGHS's relative gap."""

    x: np.ndarray
    cost: float
    optimal: bool
    gap: float


def default_templates(pool) -> tuple[Template, ...]:
    """Templates for a pool that declares none: 8 h shifts (30 min break after 4 h) and 4 h ones, on the hour."""
    return (
        Template(name="full", start="00:00", latest_start="23:00", lengths=("8h",),
                 breaks=({"after": "4h", "duration": "30m"},)),
        Template(name="part", start="00:00", latest_start="23:00", lengths=("4h",), part_time=True),
    )


def scheduled_pools(scenario) -> list[str]:
    """Pools a schedule chooses shifts for: those with templates or shifts (not an off-roster reserve)."""
    return [n for n, p in scenario.pools.items() if p.templates or p.shifts]


def build_plan(scenario, width: float) -> Plan:
    """The integer program's variables, costs, bounds and coverage for ``scenario``."""
    pools = scheduled_pools(scenario)
    end = scenario.end_time
    nint = max(1, int(math.ceil(end / width)))
    instances, cost, lower, upper, breaks, columns = [], [], [], [], {}, []
    for name in pools:
        pool = scenario.pools[name]
        for t in pool.templates or default_templates(pool):
            price = pool.cost_per_hour if t.cost_per_hour is None else t.cost_per_hour
            breaks[(name, t.name)] = t.breaks
            for inst in t.instances(name, scenario.end_time):  # the drain is staffed too
                instances.append(inst)
                paid = max(0.0, min(inst.begin + inst.length, end) - inst.begin) / HOUR
                # With no prices set the objective is agent-hours.
                cost.append(paid * (price if price > 0 or _priced(scenario) else 1.0))
                lower.append(t.min_agents)
                upper.append(np.inf if t.max_agents is None else t.max_agents)
                columns.append(_on_duty(inst, t.breaks, nint, width, end))
    cover = {p: np.zeros((nint, len(instances))) for p in pools}
    for j, inst in enumerate(instances):
        cover[inst.pool][:, j] = columns[j]
    share = {p: scenario.pools[p].max_part_time_share for p in pools}
    return Plan(pools, instances, np.array(cost), np.array(lower, float), np.array(upper, float), cover, breaks,
                width, share)


def _priced(scenario) -> bool:
    return any(p.cost_per_hour for p in scenario.pools.values()) or any(
        t.cost_per_hour for p in scenario.pools.values() for t in p.templates)


def _on_duty(inst: ShiftInstance, breaks, nint: int, width: float, end: float) -> np.ndarray:
    area = np.zeros(nint)
    a, b = inst.begin, min(inst.begin + inst.length, end)
    add_intervals(area, width, np.array([a]), np.array([b]))
    for brk in breaks:
        add_intervals(area, width, np.array([a + brk.after]), np.array([min(a + brk.after + brk.duration, b)]), -1.0)
    return area / width


def solve(plan: Plan, required: dict[str, np.ndarray], cuts: list[Cut], *, time_limit: float = 60.0) -> Solution | None:
    """The cheapest roster covering ``required`` and every cut (None when none exists within the limits)."""
    n = len(plan.instances)
    rows, lows = [], []
    for p in plan.pools:
        need = np.asarray(required.get(p, ()), float)
        most = plan.most([p])
        for k in np.flatnonzero(need > 0):
            if plan.cover[p][k].any():  # an interval no template covers cannot be asked for
                rows.append(plan.cover[p][k])
                # Erlang's need beyond the pool's limits is left to the simulation (other pools may serve it).
                lows.append(min(need[k], math.floor(most[k] + 1e-9)))
    for cut in cuts:
        rows.append(sum(plan.cover[p][cut.interval] for p in cut.pools))
        lows.append(cut.level)
    constraints = []
    if rows:
        constraints.append(LinearConstraint(np.array(rows), np.array(lows), np.inf))
    part = _part_time_rows(plan)
    if part is not None:
        constraints.append(LinearConstraint(part, -np.inf, 0.0))
    if n == 0:
        return Solution(np.zeros(0), 0.0, True, 0.0) if not rows else None
    res = milp(plan.cost, integrality=np.ones(n), bounds=Bounds(plan.lower, plan.upper),
               constraints=constraints, options={"time_limit": time_limit, "disp": False})
    if res.x is None:
        return None
    x = np.round(res.x)
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return Solution(x, float(plan.cost @ x), res.status == 0, gap)


def _part_time_rows(plan: Plan) -> np.ndarray | None:
    """``part-time agents − share × all agents ≤ 0`` per pool and day, where a limit is set."""
    rows = []
    for p, share in plan.part_time_share.items():
        if share >= 1.0:
            continue
        days = sorted({i.day for i in plan.instances if i.pool == p})
        for d in days:
            row = np.zeros(len(plan.instances))
            for j, i in enumerate(plan.instances):
                if i.pool == p and i.day == d:
                    row[j] = (1.0 if i.part_time else 0.0) - share
            rows.append(row)
    return np.array(rows) if rows else None


def roster_data(data: dict, plan: Plan, x: np.ndarray) -> dict:
    """A copy of raw scenario data whose scheduled pools work roster ``x`` (one shift per instance used)."""
    out = copy.deepcopy(data)
    for p in plan.pools:
        shifts, pieces = [], []
        for j, inst in enumerate(plan.instances):
            agents = int(x[j])
            if inst.pool != p or agents <= 0:
                continue
            shift = {"hours": inst.hours_text(), "agents": agents, "days": [inst.day]}
            brk = [{"start": clock_text(inst.start + b.after), "duration": f"{b.duration / 60:g}m", "agents": agents}
                   for b in plan.breaks[(p, inst.template)]]
            if brk:
                shift["breaks"] = brk
            shifts.append(shift)
            pieces.append((inst.begin, inst.begin + inst.length, agents))
        steps = step_sum(pieces, max([b for _, b, _ in pieces], default=DAY))
        out["pools"][p]["shifts"] = shifts
        out["pools"][p]["agents"] = max((n for _, n in steps), default=0)
    return out


def roster_cost(scenario) -> float:
    """A scenario's roster cost: on-duty agent-hours of every shift up to the run's end × the pool's price.

    Breaks are paid. With no price set anywhere the cost is agent-hours.
    """
    priced = _priced(scenario)
    total = 0.0
    for pool in scenario.pools.values():
        price = pool.cost_per_hour if priced else 1.0
        for shift in pool.shifts:
            hours = sum(b - a for a, b in shift.windows(scenario.end_time)) / HOUR
            total += pool.agents_on_shift(shift) * hours * price
    return total
