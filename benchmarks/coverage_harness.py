"""Coverage harness: do carebench's 95 % confidence intervals hold the truth 95 % of the time?

For queues with a known answer it runs many independent checks per KPI family
and interval method and counts how often the interval held the exact value:

- M/M/c at several sizes and loads against Erlang C (mean wait, share
  answered within 20 s, 90th-percentile wait, utilisation);
- M/M/c+M (exponential patience) against Erlang A (adds the abandonment share);
- a two-class non-preemptive priority queue (two channels, one pool that
  prefers the first) against Cobham's formula for each class's mean wait.

Methods: fixed n = 5, 10 and 30 replications (disjoint groups of one pool of
independent replications); ``--precision frt.mean=20%`` (the two-stage
procedure of :func:`carebench.runs.replicate.run_until_precise`, fed from the
same pool through an executor that hands out unused replications); and batch
means over one long run (``simulate(batches=20)``). Each row prints the observed
coverage with its 95 % Clopper-Pearson interval; the target is 93.5-96.5 %
with the interval overlapping 95 %.

Usage::

    python benchmarks/coverage_harness.py --workers 2        # the table in docs/statistics.md (about 50 min on 2 busy cores)
    python benchmarks/coverage_harness.py --quick            # one case, fewer checks (a few minutes)
    python benchmarks/coverage_harness.py --scale 0.25 --markdown table.md
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from scipy.stats import binomtest

from carebench.analytic.erlang import erlang_a_figures, erlang_c, erlang_c_figures
from carebench.engine.streams import replication_seeds
from carebench.load.loader import scenario_from_data
from carebench.runs.executors import Executor, make_executor
from carebench.runs.replicate import run_replications, run_until_precise
from carebench.runs.simulate import simulate
from carebench.runs.tasks import Task, TaskResult, Variant
from carebench.stats.batches import batch_summary
from carebench.stats.bounds import natural_bounds
from carebench.stats.intervals import summarise

HANDLE = 300.0
TARGET = 20.0
NOMINAL, LOW_OK, HIGH_OK = 0.95, 0.935, 0.965


@dataclass(frozen=True)
class Case:
    """A queue with a known answer: scenario data and the exact value of each checked KPI."""

    name: str
    data: dict
    truth: dict[str, float]
    precision_kpi: str
    pool: int = 4000
    batch_checks: int = 0
    batch_horizon: str = "10d"


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

    def add(self, est, truth: float) -> None:
        lo, hi = natural_bounds(self.kpi)
        self.hits += int(est.low <= truth <= est.high)
        self.outside += int(est.low < lo or est.high > hi)
        self.checks += 1
        self.interval = est.method

    def row(self) -> dict:
        ci = binomtest(self.hits, self.checks).proportion_ci(0.95) if self.checks else None
        cover = self.hits / self.checks if self.checks else math.nan
        ok = bool(ci and LOW_OK <= cover <= HIGH_OK and ci.low <= NOMINAL <= ci.high and not self.outside)
        reps = f"{sum(self.replications) / len(self.replications):.1f}" if self.replications else ""
        return {"case": self.case, "kpi": self.kpi, "method": self.method, "interval": self.interval,
                "checks": self.checks, "coverage": cover, "low": ci.low if ci else math.nan,
                "high": ci.high if ci else math.nan, "mean_n": reps, "outside": self.outside, "ok": ok}


def _queue(name, channels, pool, horizon, warmup, drain="3h"):
    return {"name": name, "horizon": horizon, "warmup": warmup, "drain": drain, "seed": 1,
            "channels": channels, "pools": {"agents": pool}, "report": {"bin": "15m"}}


def _channel(per_hour, patience=None):
    ch = {"public": False, "sla": f"{TARGET:.0f}s", "first_response": "pickup",
          "handle_time": {"dist": "exponential", "mean": f"{HANDLE:.0f}s"}, "arrivals": {"per_hour": per_hour}}
    if patience:
        ch["patience"] = {"dist": "exponential", "mean": patience}
    return ch


def erlang_c_case(agents: int, load: float, horizon: str, warmup: str, pool: int = 4000,
                  batch_checks: int = 0) -> Case:
    """M/M/``agents`` at occupancy ``load``: Erlang C's mean wait, service level, p90 wait and occupancy."""
    rate = agents * load / HANDLE
    f = erlang_c_figures(rate, HANDLE, agents, TARGET)
    drain = agents / HANDLE - rate
    p90 = max(0.0, math.log(erlang_c(agents, rate * HANDLE) / 0.1) / drain)
    data = _queue(f"mm{agents}-{load:.0%}", {"phone": _channel(rate * 3600)},
                  {"agents": agents, "channels": ["phone"]}, horizon, warmup)
    truth = {"frt.mean.phone": f.mean_wait, "sla.phone": f.service_level, "frt.p90.phone": p90,
             "utilisation.agents": f.occupancy}
    return Case(data["name"], data, truth, "frt.mean.phone", pool, batch_checks)


def erlang_a_case(agents: int, load: float, patience: float, horizon: str, warmup: str,
                  pool: int = 4000, batch_checks: int = 0) -> Case:
    """M/M/``agents``+M with exponential patience: Erlang A's answered wait, service level, abandonment."""
    rate = agents * load / HANDLE
    f = erlang_a_figures(rate, HANDLE, agents, TARGET, patience)
    data = _queue(f"mm{agents}+m-{load:.0%}", {"phone": _channel(rate * 3600, f"{patience:.0f}s")},
                  {"agents": agents, "channels": ["phone"]}, horizon, warmup)
    truth = {"frt.mean.phone": f.mean_wait_answered, "sla.phone": f.service_level,
             "abandon.phone": f.p_abandon, "utilisation.agents": f.occupancy}
    return Case(data["name"], data, truth, "frt.mean.phone", pool, batch_checks)


def priority_case(agents: int, high: float, low: float, horizon: str, warmup: str, pool: int = 4000,
                  batch_checks: int = 0) -> Case:
    """Two classes, one pool preferring ``high``: Cobham's non-preemptive priority mean waits.

    W_k = C(c, a) / (c·mu) / ((1 - sigma_{k-1}) (1 - sigma_k)) with sigma_k the
    occupancy of classes 1..k (Cobham, *Priority assignment in waiting line
    problems*, Oper. Res. 2, 1954; identical exponential service).
    """
    mu = 1.0 / HANDLE
    rates = [agents * high / HANDLE, agents * low / HANDLE]
    c_wait = erlang_c(agents, sum(rates) * HANDLE)
    s1, s2 = high, high + low
    w_high = c_wait / (agents * mu) / (1.0 - s1)
    w_low = c_wait / (agents * mu) / ((1.0 - s1) * (1.0 - s2))
    data = _queue(f"prio{agents}-{high + low:.0%}",
                  {"high": _channel(rates[0] * 3600), "low": _channel(rates[1] * 3600)},
                  {"agents": agents, "channels": ["high", "low"], "prefer": ["high", "low"]}, horizon, warmup)
    return Case(data["name"], data, {"frt.mean.high": w_high, "frt.mean.low": w_low}, "frt.mean.low",
                pool, batch_checks)


FULL = [
    erlang_c_case(2, 0.6, "2d", "4h", pool=4000, batch_checks=200),
    erlang_c_case(5, 0.8, "1d", "4h", pool=6000, batch_checks=200),
    erlang_c_case(20, 0.9, "12h", "4h", pool=3000),
    erlang_a_case(10, 1.0, 180.0, "1d", "4h", pool=3000),
    priority_case(5, 0.3, 0.5, "1d", "4h", pool=4000),
]
QUICK = [erlang_c_case(5, 0.8, "1d", "4h", pool=1200, batch_checks=60)]


class PoolExecutor(Executor):
    """Hands out replications of a pool that no earlier check used (independent seeds, run once)."""

    description = "replication pool"

    def __init__(self, pool: Sequence[dict[str, float]]):
        self.pool, self.next = pool, 0
        self.offset = 0

    def start_check(self) -> None:
        """Start a new check: its replication 0 is the next unused pool entry."""
        self.offset = self.next

    def run(self, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        for task in tasks:
            i = self.offset + task.replication
            if i >= len(self.pool):
                raise IndexError("replication pool exhausted")
            self.next = max(self.next, i + 1)
            yield TaskResult(task.variant, task.index, task.replication, task.seed, task.fingerprint, self.pool[i])

    @property
    def left(self) -> int:
        return len(self.pool) - self.next


def fixed_n(case: Case, pool: Sequence[dict[str, float]], n: int) -> list[Tally]:
    """Disjoint groups of ``n`` replications: one check per group and KPI."""
    tallies = {k: Tally(case.name, k, f"n={n}") for k in case.truth}
    for start in range(0, len(pool) - n + 1, n):
        est = summarise(pool[start:start + n])
        for k, truth in case.truth.items():
            tallies[k].add(est[k], truth)
    return list(tallies.values())


def sequential(case: Case, pool: Sequence[dict[str, float]], target: float, cap: int) -> Tally:
    """``--precision <kpi>=target``: the two-stage procedure on fresh pool replications per check."""
    sc = scenario_from_data(case.data)
    variant = Variant(case.name, sc)
    feeder = PoolExecutor(pool)
    tally = Tally(case.name, case.precision_kpi, f"--precision {target:.0%}")
    while feeder.left >= cap:
        feeder.start_check()
        reps, _ = run_until_precise(variant, {case.precision_kpi: target}, feeder, start=10, cap=cap)
        tally.add(reps.summary()[case.precision_kpi], case.truth[case.precision_kpi])
        tally.replications.append(reps.n)
    return tally


def batch_means(case: Case, checks: int, batches: int, seed: int) -> list[Tally]:
    """One long run per check, its measured window cut into ``batches`` batches."""
    data = {**case.data, "horizon": case.batch_horizon}
    sc = scenario_from_data(data)
    tallies = {k: Tally(case.name, k, f"batch means K={batches}") for k in case.truth
               if not k.startswith("utilisation")}
    for s in replication_seeds(seed, checks):
        values = simulate(sc, s, batches=batches).batches
        for k, tally in tallies.items():
            tally.add(batch_summary(values)[0][k], case.truth[k])
    return list(tallies.values())


def make_pool(case: Case, count: int, executor: Executor, seed: int) -> list[dict[str, float]]:
    """``count`` independent replications of the case (KPIs only)."""
    (rep,) = run_replications([Variant(case.name, scenario_from_data(case.data))], count, executor,
                              base_seed=seed)
    return list(rep.kpis)


def run_case(case: Case, executor: Executor, seed: int, precision: float = 0.2, cap: int = 100,
             scale: float = 1.0) -> list[dict]:
    """Every method on one case; one row per (KPI, method); ``scale`` shrinks the pool and batch checks."""
    pool = make_pool(case, max(int(case.pool * scale), cap), executor, seed)
    batch_checks = int(case.batch_checks * scale)
    tallies: list[Tally] = []
    for n in (5, 10, 30):
        tallies += fixed_n(case, pool, n)
    tallies.append(sequential(case, pool, precision, cap))
    if batch_checks:
        tallies += batch_means(case, batch_checks, 20, seed + 1)
    return [t.row() for t in tallies]


def markdown(rows: Sequence[dict]) -> str:
    """The table as Markdown."""
    out = ["| case | KPI | method | interval | checks | mean n | coverage | 95 % interval | outside bounds | target met |",
           "| --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in rows:
        out.append(f"| {r['case']} | {r['kpi']} | {r['method']} | {r['interval']} | {r['checks']} | "
                   f"{r['mean_n']} | {r['coverage']:.1%} | {r['low']:.1%}-{r['high']:.1%} | {r['outside']} | "
                   f"{'yes' if r['ok'] else 'NO'} |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one case, fewer checks")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every pool and batch-check count")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--markdown", default=None, help="also write the table to this file")
    args = parser.parse_args(argv)
    cases = QUICK if args.quick else FULL
    rows = []
    with make_executor(args.workers) as executor:
        for i, case in enumerate(cases):
            began = time.perf_counter()
            rows += run_case(case, executor, args.seed + 1000 * i, scale=args.scale)
            print(f"{case.name}: {time.perf_counter() - began:.0f}s", flush=True)
    table = markdown(rows)
    print(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table + "\n")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
