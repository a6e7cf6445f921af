"""Tasks: one replication of one scenario variant, as plain data any worker can run.

A task carries the variant's validated scenario as plain JSON-ready data (the
scenario's ``model_dump(mode="json")``), the replication index and the run
seed, so a local process or a Dask worker on another machine runs exactly
what the caller planned. Seeds are fixed per variant and replication when the
tasks are planned, never per worker, so results do not depend on which
executor ran them or in what order.

Replication ``i`` of *every* variant runs on the same seed,
``replication_seeds(base_seed, n)[i]`` (common random numbers): variants then
differ only by what the variants change, and their paired differences cancel
most of the noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from carebench.engine.streams import replication_seeds
from carebench.load.loader import scenario_from_data
from carebench.model.scenario import Scenario
from carebench.runs.simulate import simulate
from carebench.util.version import __version__

__all__ = ["Variant", "Task", "TaskResult", "plan_tasks", "run_task", "task_scenario", "plain_kpis", "worker_version"]


@dataclass(frozen=True)
class Variant:
    """A named scenario variant: a file, a ``--set`` override or a sweep's grid point.

    ``settings`` holds the ``(dotted path, value)`` pairs that made it (empty
    for a scenario file as is), for tables and plots.
    """

    name: str
    scenario: Scenario
    settings: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Task:
    """Replication ``replication`` of variant ``variant`` (number ``index``) on run seed ``seed``.

    ``scenario`` is the variant's validated scenario as plain data;
    ``fingerprint`` its :meth:`Scenario.fingerprint`.
    """

    variant: str
    index: int
    replication: int
    seed: int
    scenario: dict[str, Any] = field(compare=False, repr=False)
    fingerprint: str = ""
    allow_import: bool = False

    @property
    def key(self) -> str:
        """A file-name-safe identifier, unique within one plan: ``v0002-r00013``."""
        return f"v{self.index:04d}-r{self.replication:05d}"


@dataclass(frozen=True)
class TaskResult:
    """What a worker returns for one task: the KPIs and the FRT histograms.

    ``kpis`` is the run's flat KPI dict (NaN where a KPI is undefined);
    ``frt_histograms`` maps channel names to :meth:`LogHistogram.to_dict`
    data (a few hundred bins each), from which the replications' first-response
    times are pooled; it is empty in results kept by an older version.
    """

    variant: str
    index: int
    replication: int
    seed: int
    fingerprint: str
    kpis: dict[str, float]
    frt_histograms: dict[str, dict] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The key of the task this result answers."""
        return f"v{self.index:04d}-r{self.replication:05d}"

    def answers(self, task: Task) -> bool:
        """Whether this result is the result of ``task`` (same variant, scenario and seed)."""
        return (self.variant, self.index, self.replication, self.seed, self.fingerprint) == (
            task.variant, task.index, task.replication, task.seed, task.fingerprint)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (NaN KPIs stay NaN; a JSON writer turns them into null)."""
        return {
            "variant": self.variant, "index": self.index, "replication": self.replication,
            "seed": self.seed, "fingerprint": self.fingerprint, "kpis": dict(self.kpis),
            "frt_histograms": self.frt_histograms,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        """Read ``to_dict`` data back; a KPI stored as null becomes NaN."""
        kpis = {k: math.nan if v is None else float(v) for k, v in data["kpis"].items()}
        return cls(str(data["variant"]), int(data["index"]), int(data["replication"]),
                   int(data["seed"]), str(data["fingerprint"]), kpis,
                   dict(data.get("frt_histograms") or {}))


def plan_tasks(variants: Sequence[Variant], replications: Iterable[int], base_seed: int, *,
               seeds: Sequence[int] | None = None, allow_import: bool = False) -> list[Task]:
    """The tasks for ``replications`` (indices) of every variant, on common random numbers.

    Replication ``i`` of every variant runs on ``replication_seeds(base_seed, i + 1)[i]``,
    or on ``seeds[i]`` when explicit seeds are given (a baseline's). Tasks are
    ordered replication by replication, so the first results cover every variant.
    """
    wanted = sorted(set(replications))
    if not wanted:
        return []
    chosen = list(seeds) if seeds is not None else replication_seeds(base_seed, wanted[-1] + 1)
    plain = [(v, v.scenario.as_data(), v.scenario.fingerprint()) for v in variants]
    return [
        Task(v.name, i, r, int(chosen[r]), data, fp, allow_import)
        for r in wanted
        for i, (v, data, fp) in enumerate(plain)
    ]


def run_task(task: Task) -> TaskResult:
    """Run one task: validate its scenario data and simulate it on its seed (pure).

    This is the function executors ship to workers; it imports only the
    library, so a worker needs carebench installed and nothing else.
    """
    scenario = task_scenario(task)
    result = simulate(scenario, task.seed, allow_policy_import=task.allow_import)
    return TaskResult(task.variant, task.index, task.replication, task.seed, task.fingerprint,
                      plain_kpis(result.kpis), dict(result.frt_histograms))


_VALIDATED: dict[tuple[str, bool], tuple[dict[str, Any], Scenario]] = {}
_KEEP = 8


def task_scenario(task: Task) -> Scenario:
    """The task's scenario, validated from its data; a worker keeps the last few, by fingerprint.

    The replications of one variant carry the same scenario data, so a
    worker validates it once. A kept scenario is reused only if the data is
    equal, not merely the fingerprint, so the result is exactly what a fresh
    validation would give.
    """
    key = (task.fingerprint, task.allow_import)
    kept = _VALIDATED.get(key) if task.fingerprint else None
    if kept is not None and kept[0] == task.scenario:
        return kept[1]
    scenario = scenario_from_data(task.scenario, f"variant {task.variant!r}", allow_import=task.allow_import)
    if task.fingerprint:
        if len(_VALIDATED) >= _KEEP:
            _VALIDATED.pop(next(iter(_VALIDATED)))
        _VALIDATED[key] = (task.scenario, scenario)
    return scenario


def worker_version() -> str:
    """The carebench version of the process running this: what a Dask worker is asked on connecting."""
    return __version__


def plain_kpis(kpis: dict[str, float]) -> dict[str, float]:
    """KPIs as Python floats (a few are numpy floats), so every executor returns the same types."""
    return {name: float(value) for name, value in kpis.items()}
