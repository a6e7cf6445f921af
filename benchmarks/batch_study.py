"""Why batch means fall short for shares: coverage, both tails, and what the batches hide.

The coverage harness (``coverage_harness.py``) counts how often batch-means
intervals hold Erlang C's exact value. This study takes one of its queues
and looks inside: for each batch count ``K`` it runs ``--runs`` long runs
(each on its own seed, cut into ``K`` batches by ``simulate(batches=K)``,
summarised by :func:`carebench.stats.batches.batch_summary` exactly as
``carebench run --batches K`` does) and prints, per KPI:

- the batch length in relaxation times ``1 / (c·mu·(1 - sqrt(rho))²)``;
- the coverage of the 95 % interval, with its Clopper-Pearson interval, and
  the misses on each side (truth below the interval, truth above it);
- ``var ratio``: the variance of the whole window's value across runs over
  the mean of ``s²/K`` (what the interval's width assumes). Above 1, the
  batches understate the noise of the whole window;
- the lag-1 and lag-2 autocorrelation of batch values, each taken about the
  mean of its batch position over all runs (so the within-run mean does not
  bias it down by ``1/K``), and their standard error under independence;
- the correlation, across runs, of the batch values' mean and standard
  deviation: negative when the runs with the better value also have the
  steadier batches, which makes the interval too narrow on that side.

Usage::

    python benchmarks/batch_study.py --case mm2-60% --horizon 10d --batches 10,20,40 --runs 6000 --workers 2
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from carebench.engine.streams import replication_seeds
from carebench.load.loader import scenario_from_data
from carebench.runs.simulate import simulate
from carebench.stats.batches import batch_summary
from carebench.util.units import parse_duration

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the cases and the harness beside this script
from coverage_cases import FULL, HANDLE  # noqa: E402
from coverage_harness import chunks, flat_map, worker_mapper  # noqa: E402

__all__ = ["relaxation_time", "study_job", "study_rows", "main"]

KPIS = ("sla.phone", "frt.mean.phone")


def relaxation_time(case) -> float:
    """The case's relaxation time in seconds, ``1 / (c·mu·(1 - sqrt(rho))²)``."""
    agents = case.data["pools"]["agents"]["agents"]
    rate = sum(ch["arrivals"]["per_hour"] for ch in case.data["channels"].values()) / 3600.0
    rho = rate * HANDLE / agents
    return 1.0 / (agents / HANDLE * (1.0 - math.sqrt(rho)) ** 2)


def study_job(job: tuple[dict, int, list[int]]) -> list[tuple[dict, dict]]:
    """For each seed: each KPI's (low, high, whole) from batch means, and its batch values."""
    data, batches, seeds = job
    sc = scenario_from_data(data)
    out = []
    for seed in seeds:
        run = simulate(sc, seed, batches=batches)
        est = batch_summary(run.batches, whole=run.kpis)[0]
        out.append(({k: (est[k].low, est[k].high, est[k].mean) for k in KPIS},
                    {k: [b.get(k, math.nan) for b in run.batches] for k in KPIS}))
    return out


def _autocorrelation(values: np.ndarray, lag: int) -> float:
    """Lag-``lag`` autocorrelation of rows of batch values, each position taken about its mean over runs."""
    d = values - values.mean(axis=0)
    return float((d[:, :-lag] * d[:, lag:]).mean() / (d * d).mean())


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of ``x`` and ``y``; NaN when either does not vary."""
    if x.std() == 0 or y.std() == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def study_rows(results: Sequence[tuple[dict, dict]], truth: dict[str, float], batches: int,
               span_relax: float) -> list[dict]:
    """One row per KPI over the runs of one batch count."""
    rows = []
    for k, true in truth.items():
        limits = np.array([r[0][k] for r in results], dtype=float)
        values = np.array([r[1][k] for r in results], dtype=float)
        ok = ~np.isnan(values).any(axis=1)
        limits, values = limits[ok], values[ok]
        low, high, whole = limits.T
        n = len(whole)
        hits = int(((low <= true) & (true <= high)).sum())
        ci = binomtest(hits, n).proportion_ci(0.95)
        assumed = float(np.mean(values.var(axis=1, ddof=1) / batches))
        rows.append({"kpi": k, "K": batches, "span": span_relax, "runs": n, "coverage": hits / n,
                     "low": ci.low, "high": ci.high, "below": float((true < low).mean()),
                     "above": float((true > high).mean()), "ratio": float(whole.var(ddof=1)) / assumed,
                     "lag1": _autocorrelation(values, 1), "lag2": _autocorrelation(values, 2),
                     "se": 1.0 / math.sqrt(values.size),
                     "mean_sd": _correlation(values.mean(axis=1), values.std(axis=1, ddof=1))})
    return rows


def markdown(rows: Sequence[dict]) -> str:
    """The study's table."""
    lines = [("| KPI | K | batch (relaxation times) | runs | coverage | 95 % interval | truth below | truth above "
              "| var ratio | lag 1 | lag 2 | ± SE | corr(mean, sd) |"),
             "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['kpi']} | {r['K']} | {r['span']:.0f} | {r['runs']} | {r['coverage']:.1%} "
                     f"| {r['low']:.1%}-{r['high']:.1%} | {r['below']:.1%} | {r['above']:.1%} | {r['ratio']:.3f} "
                     f"| {r['lag1']:+.3f} | {r['lag2']:+.3f} | {r['se']:.3f} | {r['mean_sd']:+.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="mm2-60%", choices=[c.name for c in FULL if c.name.startswith("mm")
                                                              and "+" not in c.name])
    parser.add_argument("--horizon", default="10d", help="each run's length, its warm-up included")
    parser.add_argument("--batches", default="10,20,40", help="batch counts, comma-separated")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261208)
    args = parser.parse_args(argv)
    case = next(c for c in FULL if c.name == args.case)
    data = {**case.data, "horizon": args.horizon}
    window = parse_duration(args.horizon) - parse_duration(case.data["warmup"])
    truth = {k: v for k, v in case.truth.items() if k in KPIS}
    seeds = replication_seeds(args.seed, args.runs)
    relax = relaxation_time(case)
    pool, mapper = worker_mapper(args.workers)
    rows = []
    try:
        for k in (int(x) for x in args.batches.split(",")):
            results = flat_map(mapper, study_job, [(data, k, c) for c in chunks(seeds, 50)])
            rows += study_rows(results, truth, k, window / k / relax)
    finally:
        if pool is not None:
            pool.shutdown()
    print(f"{case.name}, {args.horizon} runs (warm-up {case.data['warmup']}), "
          f"relaxation time {relax / 3600:.2f} h")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
