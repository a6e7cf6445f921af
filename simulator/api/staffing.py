"""``schedule``: the cheapest roster from shift templates, from Python, as ``carebench staff --schedule`` finds it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from carebench.api.runs import as_scenario, using_executor
from carebench.engine.streams import replication_seeds
from carebench.gate.thresholds import Threshold, parse_threshold
from carebench.loadtest.schedule import ScheduleResult
from carebench.loadtest.schedule import schedule as _schedule
from carebench.loadtest.staffing import default_targets
from carebench.model.scenario import Scenario
from carebench.runs.executors import Executor
from carebench.util.errors import UserError
from carebench.util.units import parse_duration

__all__ = ["schedule"]


def schedule(scenario: Scenario | str | Path | None, targets: Sequence[str | Threshold] = (),
             replications: int = 3, *, seed: int | None = None, interval: str | float = "1h",
             max_iterations: int = 12, workers: int | None = None, executor: Executor | None = None,
             allow_policy_import: bool = False) -> ScheduleResult:
    """The cheapest roster from ``scenario``'s shift templates meeting every target on its 95 % interval.

    The same search as ``carebench staff SCENARIO --schedule``, with the same
    numbers for the same seed: ``targets`` are texts such as
    ``"sla.phone >= 0.8"`` (default: each channel's ``sla >= sla_goal``),
    judged on ``replications`` spawned from ``seed`` (default: the
    scenario's); ``interval`` is the requirements' and cuts' interval (a
    duration text, or seconds).
    The result's ``.met`` says whether a roster was found (``.failure`` says
    which target and where if not), ``.steps`` the progress, ``.best.cost``
    its cost and ``.roster`` the scenario with it (raw data).
    """
    sc = as_scenario(scenario, allow_policy_import)
    goals = [t if isinstance(t, Threshold) else parse_threshold(t) for t in targets] or default_targets(sc)
    try:
        width = float(interval) if isinstance(interval, int | float) else parse_duration(interval)
    except ValueError as exc:
        raise UserError(f"interval: {exc}") from None
    seeds = replication_seeds(sc.seed if seed is None else seed, replications)
    with using_executor(executor, workers) as ex:
        return _schedule(sc.as_data(), goals, ex, seeds, width=width, max_iterations=max_iterations,
                         allow_import=allow_policy_import)
