"""Executors: the same results serial, on local processes and on a Dask cluster; small tasks; clean shutdown."""

from __future__ import annotations

import gc
import json
import pickle
import sys

import pytest
from helpers import mmc

import carebench.runs.executors as executors
from carebench.cli.prestart import prestart_for, wants_local_workers
from carebench.load.loader import load_scenario
from carebench.runs.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from carebench.runs.replicate import execute, run_replications
from carebench.runs.tasks import Task, Variant, plan_tasks, run_task, task_scenario
from carebench.util.errors import UserError


def variants():
    return [Variant("9", mmc(horizon="1d", warmup="2h", agents=9)), Variant("11", mmc(horizon="1d", warmup="2h"))]


def as_text(reps):
    return json.dumps([[r.name, r.seeds, r.kpis] for r in reps])


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster: two single-thread worker processes on 127.0.0.1."""
    distributed = pytest.importorskip(
        "distributed", reason="Dask distributed is not installed (it is in carebench's [test] and [dask] extras)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=40) as made:
        yield made


def test_serial_local_processes_and_a_dask_cluster_give_identical_kpis(cluster):
    serial = run_replications(variants(), 3, SerialExecutor())
    with ProcessExecutor(2) as local:
        parallel = run_replications(variants(), 3, local)
    with DaskExecutor(cluster.scheduler_address) as dask:
        remote = run_replications(variants(), 3, dask)
        assert dask.description == f"Dask scheduler {cluster.scheduler_address}"
    assert as_text(serial) == as_text(parallel) == as_text(remote)


def test_a_dask_worker_with_another_carebench_version_is_one_line(cluster, monkeypatch):
    monkeypatch.setattr(executors, "__version__", "0.0.1")
    with pytest.raises(UserError, match=r"Dask worker tcp://127\.0\.0\.1:\d+ has carebench .+, this is 0\.0\.1; "
                                        "install the same version on every worker") as caught:
        DaskExecutor(cluster.scheduler_address)
    assert "\n" not in str(caught.value)


def test_stopping_on_a_dask_result_leaves_no_late_traceback(cluster, monkeypatch):
    ignored = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    tasks = plan_tasks(variants(), range(3), 1)

    def stop(result, resumed):
        raise UserError("stop at the first result")

    with pytest.raises(UserError), DaskExecutor(cluster.scheduler_address) as dask:
        execute(tasks, dask, None, stop)
    gc.collect()
    assert ignored == []


def test_a_task_and_its_result_are_small_against_its_run():
    sc = load_scenario()
    (task,) = plan_tasks([Variant("default", sc)], [0], sc.seed)
    assert len(pickle.dumps(task)) < 16_000  # the scenario as plain data, no arrays
    # the KPIs and each channel's FRT histogram (a few hundred bins), no time series or contacts
    assert len(pickle.dumps(run_task(task))) < 32_000


def test_a_worker_validates_a_scenario_once_and_only_for_equal_data():
    sc = mmc(horizon="1d", warmup="2h")
    first, second = plan_tasks([Variant("a", sc)], range(2), 1)
    assert task_scenario(first) is task_scenario(second)
    changed = dict(first.scenario, horizon="2d")
    other = Task("a", 0, 0, 1, changed, first.fingerprint)  # same fingerprint, other data: validated afresh
    assert task_scenario(other).horizon == 2 * 86400.0


@pytest.mark.parametrize("command, args, expected", [
    ("sweep", ["mmc", "--grid", "pools.agents.agents=9..11"], "cores"),
    ("sweep", ["mmc", "--grid", "x=1,2", "--workers", "1"], False),
    ("sweep", ["mmc", "--grid", "x=1,2", "--workers=2"], True),
    ("compare", ["a.yaml", "b.yaml", "--scheduler", "tcp://127.0.0.1:8786"], False),
    ("staff", ["mmc", "--help"], False),
    ("run", ["mmc"], False),
    ("run", ["mmc", "-n", "1"], False),
    ("run", ["mmc", "-n", "5", "--workers", "2"], True),
    ("run", ["mmc", "--precision", "sla.phone=5%", "--workers", "2"], True),
    ("shop", ["stella_24h"], False),
    ("shop", ["stella_24h", "--workers", "2"], True),
    ("erlang", ["--workers", "2"], False),
])
def test_which_commands_start_the_fork_server_early(command, args, expected, monkeypatch):
    monkeypatch.setattr("carebench.util.forkserver.default_workers", lambda: 2)
    assert wants_local_workers(command, args) is (True if expected == "cores" else expected)
    monkeypatch.setattr("carebench.util.forkserver.default_workers", lambda: 1)
    assert wants_local_workers(command, args) is (False if expected == "cores" else expected)


def test_no_fork_server_for_one_worker(monkeypatch):
    started = []
    monkeypatch.setattr("carebench.util.forkserver.prestart", lambda: started.append(1) or True)
    assert prestart_for("sweep", ["mmc", "--workers", "1"]) is False and started == []
    assert prestart_for("sweep", ["mmc", "--workers", "2"]) is True and started == [1]
