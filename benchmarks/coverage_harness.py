"""Coverage harness: do carebench's 95 % confidence intervals hold the truth 95 % of the time?

For queues with a known answer it runs many independent checks per KPI family
and interval method and counts how often the interval held the exact value:

- M/M/c at several sizes and loads against Erlang C (mean wait, share
  answered within 20 s, 90th-percentile wait, utilisation);
- M/M/c+M (exponential patience) against Erlang A (adds the abandonment share);
- a two-class non-preemptive priority queue (two channels, one pool that
  prefers the first) against Cobham's formula for each class's mean wait.

Methods: fixed n = 5, 10 and 30 replications (disjoint groups of one pool of
independent replications); ``--precision <kpi>=20%`` (the two-stage Stein
procedure of :func:`carebench.runs.replicate.run_until_precise`, each check on
its own seeds); and batch means over one long run cut into 10 and 20 batches (``simulate(batches=K)``),
centred on the whole window's value.
Each row prints the observed coverage with its 95 % Clopper-Pearson interval;
the target is 93.5-96.5 % with the interval holding 95 %. Because a correct
method still misses that target by chance now and then, each row also gives
the chance a perfect method would miss it at that many checks, and whether
the row stays consistent with 95 % after a Holm adjustment across all rows.
Before the checks, each case's pool mean is compared with the truth (bias).

Work runs in-process through the public API, in a pool of ``--workers``
processes, in chunks of replications.

Usage::

    nice -n 10 python benchmarks/coverage_harness.py --workers 2 --scale 0.55 --markdown table.md
        # the table in docs/statistics.md: 33 minutes on a shared 2-core machine
    nice -n 10 python benchmarks/coverage_harness.py --workers 2     # every count in full (about twice as long)
    python benchmarks/coverage_harness.py --quick            # one case, fewer checks (a minute or two)
    python benchmarks/coverage_harness.py --scale 0.1        # every case, a tenth of the checks
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from carebench.engine.streams import replication_seeds
from carebench.load.loader import scenario_from_data
from carebench.runs.executors import SerialExecutor
from carebench.runs.replicate import run_until_precise
from carebench.runs.simulate import simulate
from carebench.runs.tasks import Variant
from carebench.stats.batches import batch_summary
from carebench.stats.bounds import natural_bounds
from carebench.stats.intervals import Estimate
from carebench.stats.sectioning import pooled_frt, summarise_pooled
from carebench.util.atomic import atomic_write_text

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the cases beside this script, however it is loaded
from coverage_cases import FULL, QUICK, SHORT_BATCHES, Case, erlang_a_case, erlang_c_case, priority_case  # noqa: E402
from coverage_tables import (  # noqa: E402
    HIGH_OK,
    LOW_OK,
    NOMINAL,
    bias_markdown,
    chance_miss,
    family_markdown,
    holm,
    markdown,
    meets,
    read_table,
    summary,
)

__all__ = ["Case", "erlang_c_case", "erlang_a_case", "priority_case", "make_pool", "fixed_n", "sequential",
           "batch_means", "run_case", "chunks", "flat_map", "worker_mapper", "meets", "chance_miss", "holm", "main"]

CHUNK = 100  # replications (or checks) per job handed to a worker
PRECISION_FLOOR = 300  # --precision checks per row whatever --scale says (fewer leave its coverage vague)
BATCHES = (10, 20)  # batch counts for the batch-means rows: one long run cut into this many spans


@dataclass
class Tally:
    """Hits out of checks for one (case, KPI, method)."""

    case: str
    kpi: str
    method: str
    interval: str = ""
    hits: int = 0
    checks: int = 0
    outside: int = 0  # intervals reaching outside the KPI's natural bounds
    replications: list[int] = field(default_factory=list)
    centres: list[tuple[float, float]] = field(default_factory=list)  # batch means: (whole window, batch average)

    def add(self, est: Estimate, truth: float) -> None:
        """Count one check: did ``est`` hold ``truth``, and did it stay within bounds?"""
        lo, hi = natural_bounds(self.kpi)
        self.hits += int(est.low <= truth <= est.high)
        self.outside += int(est.low < lo or est.high > hi)
        self.checks += 1
        self.interval = est.method

    def row(self) -> dict:
        """The table row: coverage, its Clopper-Pearson interval, the verdict, the chance of a miss."""
        if not self.checks:
            return {"case": self.case, "kpi": self.kpi, "method": self.method, "interval": self.interval,
                    "checks": 0, "coverage": math.nan, "low": math.nan, "high": math.nan, "mean_n": "",
                    "outside": self.outside, "ok": False, "p": math.nan, "chance_miss": math.nan}
        ci = binomtest(self.hits, self.checks).proportion_ci(0.95)
        cover = self.hits / self.checks
        ok = bool(LOW_OK <= cover <= HIGH_OK and ci.low <= NOMINAL <= ci.high and not self.outside)
        reps = f"{sum(self.replications) / len(self.replications):.1f}" if self.replications else ""
        return {"case": self.case, "kpi": self.kpi, "method": self.method, "interval": self.interval,
                "checks": self.checks, "coverage": cover, "low": ci.low, "high": ci.high, "mean_n": reps,
                "outside": self.outside, "ok": ok, "p": binomtest(self.hits, self.checks, NOMINAL).pvalue,
                "chance_miss": chance_miss(self.checks)}


_SCENARIOS: dict[str, object] = {}


def _scenario(data: dict):
    key = repr(sorted(data.items()))
    if key not in _SCENARIOS:
        _SCENARIOS[key] = scenario_from_data(data)
    return _SCENARIOS[key]


def replicate_job(job: tuple[dict, list[int], tuple[str, ...]]) -> list[tuple[dict[str, float], dict]]:
    """One replication per seed: the checked KPIs and the FRT histograms (for the pooled centre)."""
    data, seeds, keys = job
    sc = _scenario(data)
    return [({k: r.kpis.get(k, math.nan) for k in keys}, r.frt_histograms) for r in (simulate(sc, s) for s in seeds)]


def precision_job(job: tuple[dict, str, float, int, list[int]]) -> list[tuple[Estimate, int]]:
    """One ``--precision kpi=target`` run per base seed: its interval and replications."""
    data, kpi, target, cap, bases = job
    variant = Variant(data["name"], _scenario(data))
    out = []
    for base in bases:
        reps, _ = run_until_precise(variant, {kpi: target}, SerialExecutor(), start=10, cap=cap, base_seed=base)
        out.append((reps.summary()[kpi], reps.n))
    return out


def batch_job(job: tuple[dict, list[int], tuple[str, ...], int]) -> list[dict[str, tuple[Estimate, float]]]:
    """One long run per seed, its measured window cut into batches.

    Each KPI's batch-means interval (centred on the whole window) and the
    plain average of its batch values, to show what centring changes.
    """
    data, seeds, keys, batches = job
    sc = _scenario(data)
    out = []
    for s in seeds:
        run = simulate(sc, s, batches=batches)
        est = batch_summary(run.batches, whole=run.kpis)[0]
        out.append({k: (est[k], float(np.nanmean([b.get(k, math.nan) for b in run.batches]))) for k in keys})
    return out


Mapper = Callable[[Callable, Iterable], Iterable]


def chunks(seq: Sequence, size: int = CHUNK) -> list:
    """``seq`` cut into lists of ``size`` items (one job for a worker each), in order."""
    return [list(seq[i:i + size]) for i in range(0, len(seq), size)]


def flat_map(mapper: Mapper, fn: Callable, jobs: Iterable) -> list:
    """``fn`` over ``jobs`` through ``mapper``, each job's list of results joined in job order."""
    return [item for part in mapper(fn, jobs) for item in part]


Pool = list[tuple[dict[str, float], dict]]
"""Replications as (checked KPIs, FRT histograms), in seed order."""


def make_pool(case: Case, count: int, seed: int, mapper: Mapper = map) -> Pool:
    """``count`` independent replications of the case (checked KPIs and FRT histograms), in seed order."""
    keys = tuple(case.truth)
    return flat_map(mapper, replicate_job, [(case.data, c, keys) for c in chunks(replication_seeds(seed, count))])


def bias_rows(case: Case, pool: Pool) -> list[dict]:
    """Each checked KPI over the whole pool against the truth: the estimate (pooled where pooled) and the run average."""
    pooled = pooled_frt([h for _, h in pool])
    rows = []
    for k, truth in case.truth.items():
        x = np.array([r[k] for r, _ in pool], dtype=float)
        x = x[~np.isnan(x)]
        se = float(x.std(ddof=1) / math.sqrt(x.size))
        rows.append({"case": case.name, "kpi": k, "truth": truth, "mean": pooled.get(k, float(x.mean())),
                     "average": float(x.mean()), "two_se": 2 * se, "cv": float(x.std(ddof=1) / x.mean()),
                     "n": int(x.size)})
    return rows


def centre_rows(case: Case, tallies: Sequence[Tally]) -> list[dict]:
    """Batch means: the mean over checks of the whole-window value and of the plain batch average."""
    rows = []
    for t in tallies:
        if t.centres:
            whole, plain = np.array(t.centres, dtype=float).T
            rows.append({"case": case.name, "kpi": t.kpi, "truth": case.truth[t.kpi], "method": t.method,
                         "whole": float(np.nanmean(whole)), "plain": float(np.nanmean(plain)), "n": len(t.centres)})
    return rows


def fixed_n(case: Case, pool: Pool, n: int) -> list[Tally]:
    """Disjoint groups of ``n`` replications: one check per group and KPI, as ``run -n`` summarises them."""
    tallies = {k: Tally(case.name, k, f"n={n}") for k in case.truth}
    for start in range(0, len(pool) - n + 1, n):
        group = pool[start:start + n]
        est = summarise_pooled([r for r, _ in group], [h for _, h in group])
        for k, truth in case.truth.items():
            tallies[k].add(est[k], truth)
    return list(tallies.values())


def sequential(case: Case, checks: int, seed: int, target: float = 0.2, cap: int = 100,
               mapper: Mapper = map) -> Tally:
    """``--precision <kpi>=target``: the two-stage procedure, each check on its own base seed."""
    tally = Tally(case.name, case.precision_kpi, f"--precision {target:.0%}")
    jobs = [(case.data, case.precision_kpi, target, cap, c)
            for c in chunks(replication_seeds(seed, checks), max(1, CHUNK // 20))]
    for est, n in flat_map(mapper, precision_job, jobs):
        tally.add(est, case.truth[case.precision_kpi])
        tally.replications.append(n)
    return tally


def batch_means(case: Case, checks: int, batches: int, seed: int, mapper: Mapper = map,
                horizon: str | None = None) -> list[Tally]:
    """One long run per check (``horizon``, default the case's), its measured window cut into ``batches`` batches."""
    horizon = horizon or case.batch_horizon
    data = {**case.data, "horizon": horizon}
    keys = tuple(k for k in case.truth if not k.startswith("utilisation"))
    tallies = {k: Tally(case.name, k, f"batch means K={batches}, {horizon} runs") for k in keys}
    jobs = [(data, c, keys, batches) for c in chunks(replication_seeds(seed, checks), max(1, CHUNK // 10))]
    for est in flat_map(mapper, batch_job, jobs):
        for k, tally in tallies.items():
            tally.add(est[k][0], case.truth[k])
            tally.centres.append((est[k][0].mean, est[k][1]))
    return list(tallies.values())


def run_case(case: Case, seed: int, mapper: Mapper = map, precision: float = 0.2, cap: int = 100,
             scale: float = 1.0) -> tuple[list[dict], list[dict]]:
    """Every method on one case: its table rows and its bias rows.

    ``scale`` multiplies every count, but ``--precision`` keeps at least
    :data:`PRECISION_FLOOR` checks (or the case's own count, if smaller).
    """
    pool = make_pool(case, max(int(case.pool * scale), 30), seed, mapper)
    tallies: list[Tally] = []
    for n in (5, 10, 30):
        tallies += fixed_n(case, pool, n)
    checks = max(int(case.precision_checks * scale), min(PRECISION_FLOOR, case.precision_checks))
    tallies.append(sequential(case, checks, seed + 1, precision, cap, mapper))
    for k, batches in enumerate(BATCHES if case.batch_checks else ()):
        tallies += batch_means(case, max(int(case.batch_checks * scale), 1), batches, seed + 2 + k, mapper)
    return [t.row() for t in tallies], bias_rows(case, pool) + centre_rows(case, tallies)


def worker_mapper(workers: int):
    """``(pool, map)``: ``workers`` forked processes and their ``map``, or no pool and the built-in ``map``."""
    if workers <= 1:
        return None, map
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    return pool, pool.map


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one case, fewer checks")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every pool and check count")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--markdown", default=None, help="also write the tables to this file")
    parser.add_argument("--families", metavar="TABLE", default=None,
                        help="only print the per-family table of a table.md written by --markdown, and stop")
    args = parser.parse_args(argv)
    if args.families:
        print(family_markdown(read_table(args.families)))
        return 0
    cases = QUICK if args.quick else FULL
    rows, bias = [], []
    began = time.perf_counter()
    executor, mapper = worker_mapper(args.workers)
    try:
        for i, case in enumerate(cases):
            start = time.perf_counter()
            r, b = run_case(case, args.seed + 1000 * i, mapper, scale=args.scale)
            rows += r
            bias += b
            print(f"{case.name}: {time.perf_counter() - start:.0f}s", flush=True)
            report(rows, bias, args, time.perf_counter() - began)
        if not args.quick:
            bias += short_batch_rows(args.seed + 900, mapper, args.scale)
    finally:
        if executor is not None:
            executor.shutdown()
    print(report(rows, bias, args, time.perf_counter() - began))
    return 0 if all(r["ok"] for r in rows) else 1


def short_batch_rows(seed: int, mapper: Mapper, scale: float) -> list[dict]:
    """The control: batch means over batches too short for the queue's correlation time."""
    out = []
    for case, batches, horizon in SHORT_BATCHES:
        for t in batch_means(case, max(int(case.batch_checks * scale), 1), batches, seed, mapper, horizon):
            out.append({**t.row(), "control": True})
    return out


def report(rows: list[dict], bias: list[dict], args, seconds: float) -> str:
    """The tables and the summary line (written to ``--markdown`` too, after every case)."""
    holm(rows)
    text = "\n\n".join([markdown(rows), family_markdown(rows), bias_markdown(bias), summary(rows),
                        f"wall time {seconds:.0f}s, {args.workers} workers, scale {args.scale}"])
    if args.markdown:
        atomic_write_text(args.markdown, text + "\n")
    return text


if __name__ == "__main__":
    raise SystemExit(main())
