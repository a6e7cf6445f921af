"""Replications, common random numbers, executors, resuming and sequential stopping."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import mmc
from scipy import stats as sps
from scipy.stats import binomtest

from carebench.analytic.erlang import erlang_c_figures
from carebench.engine.streams import replication_seeds
from carebench.runs.compare import compare, default_kpis
from carebench.runs.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor
from carebench.runs.replicate import MIN_FIRST_STAGE, parse_precision, run_replications, run_until_precise
from carebench.runs.simulate import simulate
from carebench.runs.store import TaskStore
from carebench.runs.tasks import TaskResult, Variant, plan_tasks, run_task
from carebench.stats.intervals import kpi_interval, precision_met, replications_needed
from carebench.stats.sectioning import summarise_pooled
from carebench.stats.two_stage import two_stage_interval
from carebench.util.errors import UserError


def small(**kwargs):
    return mmc(horizon="1d", warmup="2h", **kwargs)


def as_text(reps):
    return json.dumps([[r.seeds, r.kpis] for r in reps])


class Counting(SerialExecutor):
    """Runs in this process and counts tasks; stops with KeyboardInterrupt after ``stop_after``."""

    def __init__(self, stop_after: int | None = None):
        self.ran = 0
        self.stop_after = stop_after

    def run(self, tasks):
        for result in super().run(tasks):
            if self.stop_after is not None and self.ran == self.stop_after:
                raise KeyboardInterrupt
            self.ran += 1
            yield result


def test_replication_i_of_every_variant_runs_on_the_same_seed():
    a, b = Variant("a", small()), Variant("b", small(agents=12))
    tasks = plan_tasks([a, b], range(4), 7)
    seeds = replication_seeds(7, 4)
    assert [(t.variant, t.replication, t.seed) for t in tasks] == [
        (v, r, seeds[r]) for r in range(4) for v in ("a", "b")]
    # Replication i's seed does not depend on how many replications are planned.
    assert [t.seed for t in plan_tasks([a], range(2, 4), 7)] == seeds[2:4]


def test_a_task_gives_what_simulate_gives_on_its_seed():
    sc = small()
    (task,) = plan_tasks([Variant("a", sc)], [3], sc.seed)
    assert json.dumps(run_task(task).kpis) == json.dumps({k: float(v) for k, v in simulate(sc, task.seed).kpis.items()})


def test_task_result_round_trips_through_json_with_nan():
    r = TaskResult("a", 0, 1, 5, "fp", {"x": 1.5, "y": math.nan}, {"phone": {"n": 0}})
    back = TaskResult.from_dict(json.loads(json.dumps(r.to_dict()).replace("NaN", "null")))
    assert back.kpis["x"] == 1.5 and math.isnan(back.kpis["y"]) and back.frt_histograms == r.frt_histograms


def test_local_processes_give_identical_results_to_the_serial_executor():
    variants = [Variant("a", small()), Variant("b", small(agents=11))]
    serial = run_replications(variants, 3, SerialExecutor())
    with ProcessExecutor(2) as executor:
        parallel = run_replications(variants, 3, executor)
    assert as_text(serial) == as_text(parallel)


def test_paired_comparison_of_a_scenario_with_itself_is_exactly_zero():
    sc = small()
    reps = run_replications([Variant("a", sc), Variant("a again", sc)], 4, SerialExecutor())
    rows = compare(reps, default_kpis(sc.channels))
    for row in rows:
        d = row.differences[1]
        assert d.mean == 0.0 and d.half_width == 0.0 and not d.significant, row.kpi
        assert row.verdict(1) == "same"


def test_more_agents_is_significantly_better_on_common_random_numbers():
    reps = run_replications([Variant("9", small(agents=9)), Variant("12", small(agents=12))], 5, SerialExecutor())
    (sla, frt) = compare(reps, ["sla.phone", "frt.mean.phone"])
    assert sla.verdict(1) == "better" and frt.verdict(1) == "better"
    assert sla.differences[1].low > 0.2  # Erlang C: 27 % -> 86 % within 20 s


def test_an_interrupted_run_resumes_without_recomputing_finished_tasks(tmp_path):
    variants = [Variant("a", small()), Variant("b", small(agents=11))]
    store = TaskStore(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        run_replications(variants, 3, Counting(stop_after=4), store=store)
    assert len(list((tmp_path / "tasks").glob("*.json"))) == 4
    again = Counting()
    resumed = run_replications(variants, 3, again, store=store)
    assert again.ran == 6 - 4
    assert as_text(resumed) == as_text(run_replications(variants, 3, SerialExecutor()))
    third = Counting()
    run_replications(variants, 3, third, store=store)
    assert third.ran == 0


def test_a_stored_result_of_another_scenario_is_not_reused(tmp_path):
    store = TaskStore(tmp_path)
    run_replications([Variant("a", small())], 2, SerialExecutor(), store=store)
    other = Counting()
    run_replications([Variant("a", small(agents=12))], 2, other, store=store)
    assert other.ran == 2


class Batches(SerialExecutor):
    """Records how many tasks each call ran: one call per step of sequential stopping."""

    def __init__(self):
        self.sizes = []

    def run(self, tasks):
        self.sizes.append(len(tasks))
        yield from super().run(tasks)


def test_two_stage_precision_sizes_the_second_stage_from_the_first():
    variant = Variant("a", small())
    batches = Batches()
    reps, met = run_until_precise(variant, {"sla.phone": 0.02}, batches, start=3, cap=200)
    # Never fewer than MIN_FIRST_STAGE before a decision; then one second stage, sized once.
    assert batches.sizes[0] == MIN_FIRST_STAGE and len(batches.sizes) <= 2
    (first,) = run_replications([variant], MIN_FIRST_STAGE, SerialExecutor())
    planned = replications_needed(first.summary(), {"sla.phone": 0.02}, done=MIN_FIRST_STAGE, cap=200)
    assert reps.n == sum(batches.sizes) == planned
    assert reps.first_stage == MIN_FIRST_STAGE and reps.staged == ("sla.phone",)
    est = reps.summary()["sla.phone"]
    assert est.method.startswith("two-stage (Stein)")
    assert est == two_stage_interval("sla.phone", reps.values("sla.phone"), MIN_FIRST_STAGE)
    assert met == precision_met(est, 0.02)
    capped, met = run_until_precise(variant, {"sla.phone": 0.0001}, SerialExecutor(), start=2, cap=12)
    assert not met and capped.n == 12
    assert capped.seeds == tuple(replication_seeds(variant.scenario.seed, 12))


def test_stein_interval_takes_its_spread_from_the_first_stage():
    x = np.array([0.5, 0.52, 0.51, 0.49, 0.5, 0.3, 0.7, 0.2, 0.8, 0.6])
    est = two_stage_interval("sla.x", x, 5)
    half = sps.t.ppf(0.975, 4) * x[:5].std(ddof=1) / math.sqrt(10)
    assert (est.low, est.high) == pytest.approx((x.mean() - half, x.mean() + half))
    assert two_stage_interval("sla.x", x, 1) == kpi_interval("sla.x", x)


@pytest.mark.parametrize("text", ["sla.twitter", "sla.twitter=", "=0.1", "sla.twitter=-1", "sla.twitter=x"])
def test_bad_precision_is_one_clear_line(text):
    with pytest.raises(UserError, match="expected KPI=TARGET"):
        parse_precision(text)


def test_precision_accepts_a_percentage():
    assert parse_precision("frt.p90.email=5%") == ("frt.p90.email", 0.05)


def test_make_executor_picks_serial_for_one_worker_and_refuses_zero():
    assert isinstance(make_executor(1), SerialExecutor)
    with pytest.raises(UserError):
        make_executor(0)


def test_an_unreachable_dask_scheduler_is_a_user_error():
    with pytest.raises(UserError, match="cannot reach a Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=0.5)


@pytest.mark.slow
def test_confidence_intervals_cover_erlang_c_about_95_percent_of_the_time():
    # 2,000 independent M/M/3 checks (load 0.6), each a 95 % interval over 5
    # replications of a 2-day run (disjoint groups of 10,000 replications), summarised
    # as `run -n` does (the mean wait's log-normal MOVER interval centred on the group's
    # pooled calls; the service level's bounded t). Each must hold Erlang C's value
    # 93.5-96.5 % of the time, the target of benchmarks/coverage_harness.py, and pass a
    # two-sided binomial test of 95 % at 0.1 % family-wise. At 2,000 checks the observed
    # share of a method covering exactly 95 % has a standard error of 0.49 %, so a
    # correct method fails this test about one time in three hundred.
    rate, handle, agents = 18 / 3600, 300.0, 3
    theory = erlang_c_figures(rate, handle, agents, 20.0)
    sc = mmc(rate_per_hour=18, agents=agents, horizon="2d", warmup="4h")
    with ProcessExecutor(2) as executor:  # the same numbers as in one process (test_executors), in half the time
        (rep,) = run_replications([Variant("mmc", sc)], 10_000, executor, base_seed=10_000)
    hits = []
    for start in range(0, 10_000, 5):
        est = summarise_pooled(rep.kpis[start:start + 5], rep.histograms[start:start + 5])
        hits.append((est["frt.mean.phone"].low <= theory.mean_wait <= est["frt.mean.phone"].high,
                     est["sla.phone"].low <= theory.service_level <= est["sla.phone"].high))
    for hit in np.array(hits).T:
        p_value = binomtest(int(hit.sum()), hit.size, 0.95).pvalue
        assert p_value > 0.001 / 2 and 0.935 <= hit.mean() <= 0.965, (hit.mean(), p_value)
