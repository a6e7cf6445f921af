"""Load tests: breaking points on a load multiplier, the cheapest compliant staffing and the shift schedule.

The entry points a notebook uses, beside ``carebench breaking``/``capacity``
and ``carebench staff [--schedule]``: :func:`breaking_point` and
:func:`capacity_curve`; :func:`search` (the greedy search over the agent
counts of today's shifts) and :func:`carebench.loadtest.schedule.schedule`
(shift templates by integer programming corrected by simulation), both
judging their targets as ``carebench check`` does (:func:`target_verdicts`);
:func:`roster_data` writes a schedule's choice back into a scenario.
``carebench.schedule`` is the same schedule for a notebook (scenario names,
target texts, replications and workers, as the command line takes them).

The schedule function is not re-exported here: the package attribute would
hide its module, :mod:`carebench.loadtest.schedule`.
"""

from carebench.loadtest.breaking import (
    BreakingPoint,
    Point,
    breaking_point,
    capacity_curve,
    replication_evaluator,
)
from carebench.loadtest.schedule import ScheduleResult, Step, Trial, simulate_rosters
from carebench.loadtest.shiftplan import Plan, build_plan, roster_cost, roster_data
from carebench.loadtest.staffing import StaffingResult, apply, search, target_verdicts

__all__ = ["breaking_point", "capacity_curve", "BreakingPoint", "Point", "replication_evaluator",
           "search", "apply", "StaffingResult", "target_verdicts",
           "ScheduleResult", "Step", "Trial", "simulate_rosters",
           "Plan", "build_plan", "roster_data", "roster_cost"]
