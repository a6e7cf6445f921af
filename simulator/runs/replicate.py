"""Replications of scenario variants on common random numbers, and sequential stopping.

One run is one sample of a random process. Here a variant is run over
independent replications (seeds spawned from the scenario seed, see
:func:`carebench.engine.streams.replication_seeds`), every KPI is summarised as a
mean with the confidence interval its family needs (:func:`carebench.stats.intervals.summarise`),
and replication ``i`` of every variant uses the same seed, so variants are
compared through paired differences.

Tasks go to an :class:`~carebench.runs.executors.Executor`; with a
:class:`~carebench.runs.store.TaskStore` every finished task is kept on disk
and reused, so an interrupted command resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from carebench.kpis.tidy import COLUMNS, kpi_channel, kpi_rows, kpi_unit
from carebench.runs.executors import Executor
from carebench.runs.store import MemoryStore, TaskStore
from carebench.runs.tasks import Task, TaskResult, Variant, plan_tasks
from carebench.stats.intervals import Estimate, needs_more, replications_needed
from carebench.stats.sectioning import summarise_pooled
from carebench.stats.two_stage import two_stage_interval
from carebench.util.errors import UserError
from carebench.util.frames import to_frame

__all__ = [
    "Replications",
    "METHOD",
    "execute",
    "run_replications",
    "run_until_precise",
    "MIN_FIRST_STAGE",
    "parse_precision",
]

METHOD = ("independent replications; per KPI family: times log-normal MOVER (log scale), "
          "shares, counts and amounts Student-t; first-response times centred on every replication's "
          "contacts pooled (sectioning); every interval cut to the KPI's natural bounds")
"""How intervals are computed, as the output states it (each KPI's own method is in ``summary.json``)."""

Progress = Callable[[TaskResult, bool], None]
"""Called with each result and whether it came from the task store (resumed)."""


@dataclass(frozen=True)
class Replications:
    """The replications of one variant: per-replication KPIs, seeds and FRT histograms.

    ``kpis[i]`` came from seed ``seeds[i]``; ``histograms[i]`` maps channel
    names to its first-response-time histogram data, which centres the
    first-response-time KPIs on every replication's contacts pooled
    (:mod:`carebench.stats.sectioning`).
    """

    variant: Variant
    seeds: tuple[int, ...]
    kpis: tuple[dict[str, float], ...]
    histograms: tuple[dict[str, dict], ...] = ()
    first_stage: int = 0
    """Under ``--precision``: the replications of the first stage (0 otherwise)."""
    staged: tuple[str, ...] = ()
    """The KPIs the two-stage procedure sized the run for; their intervals are Stein's."""

    @property
    def name(self) -> str:
        """The variant's name."""
        return self.variant.name

    @property
    def n(self) -> int:
        """The number of replications."""
        return len(self.kpis)

    def values(self, kpi: str) -> np.ndarray:
        """KPI ``kpi`` in every replication, in seed order (NaN where undefined)."""
        return np.array([k.get(kpi, math.nan) for k in self.kpis], dtype=float)

    def summary(self, confidence: float = 0.95) -> dict[str, Estimate]:
        """Every KPI's mean and confidence interval over the replications.

        The KPIs a two-stage procedure was sized for get Stein's interval
        (:func:`carebench.stats.two_stage.two_stage_interval`); the rest their
        family's. First-response times are centred on every replication's
        contacts pooled (:func:`carebench.stats.sectioning.summarise_pooled`).
        No time's upper limit passes the longest time the scenario's runs can
        measure (:func:`carebench.stats.bounds.within_run`).
        """
        staged = {kpi: two_stage_interval(kpi, self.values(kpi), self.first_stage, confidence)
                  for kpi in self.staged if any(kpi in k for k in self.kpis)}
        return summarise_pooled(self.kpis, self.histograms, confidence, own=staged,
                                longest=self.variant.scenario.longest_time)

    def rows(self, *, variant: bool = False) -> list[dict[str, Any]]:
        """Every replication's KPIs as tidy long rows (:mod:`carebench.kpis.tidy`), replication 1 first.

        ``variant`` puts a ``variant`` column (the variant's name) first.
        """
        extra = {"variant": self.name} if variant else {}
        channels = tuple(self.variant.scenario.channels)
        return [row for i, kpis in enumerate(self.kpis) for row in kpi_rows(kpis, channels, i + 1, **extra)]

    def summary_rows(self, confidence: float = 0.95) -> list[dict[str, Any]]:
        """One row per KPI: mean, confidence interval, half-width, replications, unit."""
        channels = tuple(self.variant.scenario.channels)
        return [
            {"kpi": kpi, "channel": kpi_channel(kpi, channels), "mean": e.mean, "low": e.low, "high": e.high,
             "half_width": e.half_width, "n": e.n, "confidence": e.confidence, "unit": kpi_unit(kpi)}
            for kpi, e in self.summary(confidence).items()
        ]

    def to_frame(self):
        """:meth:`rows` as a pandas DataFrame (needs pandas)."""
        return to_frame(self.rows(), COLUMNS)


def execute(tasks: Sequence[Task], executor: Executor, store: TaskStore | MemoryStore | None = None,
            progress: Progress | None = None, function: Callable | None = None) -> list[TaskResult]:
    """Run ``tasks`` (reusing any the store already holds); return results in task order.

    Each result is kept in the store as soon as it arrives, so an interruption
    loses at most the tasks that were running. ``function`` runs one task
    (default: one replication, :func:`~carebench.runs.tasks.run_task`).
    """
    found: dict[str, TaskResult] = {}
    todo = []
    for task in tasks:
        kept = store.load(task) if store is not None else None
        if kept is None:
            todo.append(task)
        else:
            found[task.key] = kept
            if progress:
                progress(kept, True)
    # an executor written against the one-argument run(tasks) still runs replications
    results = executor.run(todo) if function is None else executor.run(todo, function)
    # closed here, not whenever the generator is collected: a stop on a result (a bad --kpi, Ctrl-C)
    # then cancels the unfinished tasks while the executor is still open
    with contextlib.closing(results) if hasattr(results, "close") else contextlib.nullcontext():
        for result in results:
            if store is not None:
                store.save(result)
            found[result.key] = result
            if progress:
                progress(result, False)
    return [found[t.key] for t in tasks]


def _group(variants: Sequence[Variant], results: Sequence[TaskResult]) -> list[Replications]:
    by_variant: list[list[TaskResult]] = [[] for _ in variants]
    for r in results:
        by_variant[r.index].append(r)
    out = []
    for variant, rs in zip(variants, by_variant):
        rs.sort(key=lambda r: r.replication)
        out.append(Replications(variant, tuple(r.seed for r in rs), tuple(r.kpis for r in rs),
                                tuple(r.frt_histograms for r in rs)))
    return out


def run_replications(variants: Sequence[Variant], replications: int, executor: Executor, *,
                     base_seed: int | None = None, seeds: Sequence[int] | None = None,
                     store: TaskStore | MemoryStore | None = None, progress: Progress | None = None,
                     allow_import: bool = False) -> list[Replications]:
    """Run ``replications`` of every variant on common random numbers; one result per variant.

    Seeds come from ``base_seed`` (default: the first variant's scenario seed)
    unless explicit ``seeds`` are given (e.g. a baseline's).
    """
    if not variants:
        raise UserError("replications: expected at least one scenario variant")
    if replications < 1:
        raise UserError(f"--replications {replications}: expected 1 or more")
    if seeds is not None and len(seeds) < replications:
        raise UserError(f"replications: {replications} asked for but only {len(seeds)} seeds given")
    base = variants[0].scenario.seed if base_seed is None else int(base_seed)
    tasks = plan_tasks(variants, range(replications), base, seeds=seeds, allow_import=allow_import)
    return _group(variants, execute(tasks, executor, store, progress))


MIN_FIRST_STAGE = 20
"""Replications run before any stopping decision under ``--precision``.

Fewer leave the first stage's spread so uncertain that runs which happen
to look precise are stopped too early (with a first decision at 3
replications, 95 % intervals for a mean wait held the truth 85 % of the time;
with 10, Stein's interval for a 20 % target held it 93 % of the time on
M/M/5 at 80 % and M/M/20 at 90 % load, and with 20 about 94.5 %, for fewer
replications in all: a first stage of 10 has so wide an interval that it
asks for about 30, where one of 20 asks for about 25).
"""


def run_until_precise(variant: Variant, precision: Mapping[str, float], executor: Executor, *,
                      start: int, cap: int, base_seed: int | None = None,
                      store: TaskStore | MemoryStore | None = None, progress: Progress | None = None,
                      allow_import: bool = False) -> tuple[Replications, bool]:
    """Run a two-stage procedure until every KPI in ``precision`` meets its relative half-width target.

    ``precision`` maps KPI names to *relative* half-widths, as in
    :func:`carebench.stats.intervals.precision_met` (0.02: the interval is within 2 % of
    the mean on either side). Stage one runs ``start`` replications, at least
    :data:`MIN_FIRST_STAGE` (and at most ``cap``); if a target is not met,
    :func:`carebench.stats.intervals.replications_needed` fixes the total from
    stage one alone and stage two runs the rest, once. The intervals are then
    taken over every replication. Returns the replications and whether every
    target was met by the final intervals, which for the KPIs in ``precision``
    are Stein's two-stage intervals (a second stage may fall short; the
    output then says so rather than running on until the interval happens to
    look narrow, which is what makes sequential intervals under-cover).
    """
    if cap < 2:
        raise UserError(f"--max-replications {cap}: expected 2 or more")
    base = variant.scenario.seed if base_seed is None else int(base_seed)
    first = min(max(start, MIN_FIRST_STAGE), cap)
    done = execute(plan_tasks([variant], range(first), base, allow_import=allow_import), executor, store, progress)
    (reps,) = _group([variant], done)
    estimates = reps.summary()
    total = first
    if needs_more(estimates, precision):
        total = replications_needed(estimates, precision, done=first, cap=cap)
        done += execute(plan_tasks([variant], range(first, total), base, allow_import=allow_import),
                        executor, store, progress)
        (reps,) = _group([variant], done)
    reps = dataclasses.replace(reps, first_stage=first, staged=tuple(precision))
    return reps, not needs_more(reps.summary(), precision)


def parse_precision(text: str) -> tuple[str, float]:
    """Parse ``'sla.twitter=0.02'`` (or ``=2%``) into a KPI name and a relative half-width."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        value = math.nan
    if not sep or not name or not (math.isfinite(value) and value > 0):
        raise UserError(
            f"--precision {text!r}: expected KPI=TARGET, a relative half-width such as "
            "'sla.twitter=0.02' or 'frt.p90.email=5%'"
        )
    return name, value
