"""Scenarios in, results out: ``load_scenario``, ``simulate``, ``replicate`` and ``compare``.

Scenarios may be given as :class:`~carebench.model.scenario.Scenario`
objects, file paths or the names of shipped scenarios (``"default"``);
overrides as a mapping ``{"pools.social.agents": 6}`` or as ``--set`` texts
``["pools.social.agents=6"]``. Replications run on the shared executors
(:mod:`carebench.runs.executors`): ``workers=N`` local processes, or any
``executor=`` (a Dask cluster's included), with the same numbers on each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carebench.kpis.tidy import COLUMNS, kpi_channel, kpi_unit
from carebench.load import loader
from carebench.model.scenario import Scenario
from carebench.output.compare_plots import kpi_bars_figure
from carebench.output.compare_report import comparison_table, comparison_words
from carebench.runs import simulate as _simulate
from carebench.runs.compare import KpiComparison, default_kpis
from carebench.runs.compare import compare as _compare
from carebench.runs.executors import Executor, make_executor
from carebench.runs.replicate import Replications, run_replications
from carebench.runs.store import TaskStore
from carebench.runs.tasks import Variant
from carebench.util.errors import UserError
from carebench.util.frames import to_frame

__all__ = ["load_scenario", "simulate", "replicate", "compare", "Comparison", "override_texts", "as_scenario",
           "using_executor"]

Overrides = Mapping[str, Any] | Sequence[str] | None


def override_texts(overrides: Overrides) -> list[str]:
    """``--set`` texts from a mapping of dotted paths to values (YAML/JSON values), or the texts as given."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{path}={value if isinstance(value, str) else json.dumps(value)}" for path, value in overrides.items()]
    return [str(text) for text in overrides]


def load_scenario(scenario: str | Path | None = None, overrides: Overrides = None, *,
                  shapes: Sequence[str] | None = None, allow_policy_import: bool = False) -> Scenario:
    """Load and validate a scenario: a YAML path, a shipped scenario's name, or None for the packaged default.

    ``overrides`` change fields by dotted path, as ``--set`` does
    (``{"horizon": "1d", "pools.social.agents": 6}``); ``shapes`` add load
    shapes as ``--shape`` does. A bad file or value raises
    :class:`~carebench.util.errors.ScenarioError` naming the place.
    """
    path = None if scenario is None else loader.named_path(str(scenario), loader.shipped_scenarios(), "scenario")
    return loader.load_scenario(path, override_texts(overrides), allow_import=allow_policy_import,
                                shapes=list(shapes or ()))


def as_scenario(scenario: Scenario | str | Path | None, allow_policy_import: bool = False) -> Scenario:
    """``scenario`` itself if it is a :class:`Scenario`, else :func:`load_scenario` of it."""
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario, allow_policy_import=allow_policy_import)


def simulate(scenario: Scenario | str | Path | None = None, seed: int | None = None, **options: Any):
    """Run ``scenario`` once on ``seed`` (the scenario's own when None); return a :class:`RunResult`.

    ``scenario`` may also be a path or a shipped name. ``options`` are those of
    :func:`carebench.runs.simulate.simulate` (``progress``, ``contact_sink``,
    ``allow_policy_import``). The result's ``.kpis`` is a flat dict;
    ``.rows()`` / ``.to_frame()`` give tidy long rows.
    """
    sc = as_scenario(scenario, options.get("allow_policy_import", False))
    return _simulate.simulate(sc, seed, **options)


@contextmanager
def using_executor(executor: Executor | None, workers: int | None) -> Iterator[Executor]:
    """``executor`` as it is (left open), else a new one for ``workers`` (default 1: this process), closed after."""
    if executor is not None:
        yield executor
        return
    with make_executor(1 if workers is None else workers) as made:
        yield made


def _store(directory: str | Path | None) -> TaskStore | None:
    return None if directory is None else TaskStore(directory)


def replicate(scenario: Scenario | str | Path | None = None, replications: int = 10, *, seed: int | None = None,
              workers: int | None = None, executor: Executor | None = None, store: str | Path | None = None,
              allow_policy_import: bool = False) -> Replications:
    """Run ``replications`` independent replications of ``scenario``; return their KPIs.

    Seeds are spawned from ``seed`` (default: the scenario's) exactly as
    ``carebench run --replications`` does, so both give the same numbers.
    Runs in this process unless ``workers`` (local processes) or an
    ``executor`` (e.g. :class:`~carebench.runs.executors.DaskExecutor`) is
    given; ``store`` names a folder whose finished replications are kept
    and reused, so an interrupted call resumes. The result's ``.summary()``
    gives each KPI's mean and 95 % interval, ``.rows()`` / ``.to_frame()``
    every replication's KPIs as tidy long rows.
    """
    sc = as_scenario(scenario, allow_policy_import)
    with using_executor(executor, workers) as ex:
        (rep,) = run_replications([Variant(sc.name, sc)], replications, ex, base_seed=seed,
                                  store=_store(store), allow_import=allow_policy_import)
    return rep


@dataclass(frozen=True)
class Comparison:
    """Variants run on common random numbers, and each one's paired differences from the first.

    ``variants`` holds every variant's replications (the first is the
    reference); ``kpis`` one :class:`~carebench.runs.compare.KpiComparison`
    per compared KPI.
    """

    variants: tuple[Replications, ...]
    kpis: tuple[KpiComparison, ...]

    @property
    def names(self) -> list[str]:
        """The variants' names, the reference first."""
        return [v.name for v in self.variants]

    def differences(self) -> list[dict[str, Any]]:
        """One row per KPI and non-reference variant: its mean minus the reference's, paired by seed.

        Columns: ``kpi``, ``channel``, ``variant``, ``reference``,
        ``difference``, ``low``, ``high`` (the confidence interval),
        ``p_value``, ``significant``, ``verdict`` (better, worse,
        different, same) and ``unit``.
        """
        channels = tuple(self.variants[0].variant.scenario.channels)
        out = []
        for row in self.kpis:
            for i, diff in enumerate(row.differences):
                if diff is None:
                    continue
                out.append({"kpi": row.kpi, "channel": kpi_channel(row.kpi, channels), "variant": self.names[i],
                            "reference": self.names[0], "difference": diff.mean, "low": diff.low,
                            "high": diff.high, "p_value": diff.p_value, "significant": diff.significant,
                            "verdict": row.verdict(i), "unit": kpi_unit(row.kpi)})
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Every replication of every variant as tidy long rows, with a ``variant`` column first."""
        return [row for rep in self.variants for row in rep.rows(variant=True)]

    def to_frame(self):
        """:meth:`rows` as a pandas DataFrame (needs pandas)."""
        return to_frame(self.rows(), ("variant", *COLUMNS))

    def differences_frame(self):
        """:meth:`differences` as a pandas DataFrame (needs pandas)."""
        return to_frame(self.differences())

    def table(self) -> str:
        """The comparison as ``carebench compare`` prints it: a table, then a sentence per KPI."""
        return "\n".join([*comparison_table(self.kpis, self.names), "", *comparison_words(self.kpis, self.names)])

    def figure(self):
        """A matplotlib Figure: each KPI's mean and confidence interval per variant."""
        return kpi_bars_figure(self.kpis, self.names)


def _variants(variants: Mapping[str, Any] | Sequence[Any], allow_import: bool) -> list[Variant]:
    pairs = list(variants.items()) if isinstance(variants, Mapping) else [(None, v) for v in variants]
    out, seen = [], set()
    for name, scenario in pairs:
        sc = as_scenario(scenario, allow_import)
        label = str(name) if name is not None else sc.name
        if label in seen:
            raise UserError(f"compare: two variants are called {label!r}; pass a mapping of names to scenarios")
        seen.add(label)
        out.append(Variant(label, sc))
    return out


def compare(variants: Mapping[str, Any] | Sequence[Any], replications: int = 10, *,
            kpis: Sequence[str] | None = None, seed: int | None = None, workers: int | None = None,
            executor: Executor | None = None, store: str | Path | None = None, confidence: float = 0.95,
            allow_policy_import: bool = False) -> Comparison:
    """Run ``variants`` on common random numbers and compare each with the first.

    ``variants`` maps names to scenarios (objects, paths or shipped names),
    or lists scenarios (named by their ``name:``). Replication ``i`` of every
    variant runs on the same seed, spawned from ``seed`` (default: the first
    scenario's) as ``carebench compare`` does. ``kpis`` defaults to SLA and
    FRT p90 per channel, exposure, churn, agent-hours and cost. Executors and
    ``store`` as in :func:`replicate`.
    """
    chosen = _variants(variants, allow_policy_import)
    if len(chosen) < 2:
        raise UserError("compare: expected two or more variants")
    names = list(kpis) if kpis else default_kpis(chosen[0].scenario.channels)
    with using_executor(executor, workers) as ex:
        reps = run_replications(chosen, replications, ex, base_seed=seed, store=_store(store),
                                allow_import=allow_policy_import)
    return Comparison(tuple(reps), tuple(_compare(reps, names, confidence)))
