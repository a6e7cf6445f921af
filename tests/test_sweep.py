"""``carebench sweep``: grids, tidy tables, local and Dask executors, resuming."""

from __future__ import annotations

import csv
import itertools

import pytest
from click.testing import CliRunner
from helpers import mmc_data

import carebench.runs.executors as executors
from carebench.cli import cli
from carebench.load.yamlio import dump_yaml
from carebench.runs.sweep import Axis, grid_variants, parse_grid
from carebench.util.errors import UserError

GRID = ["--grid", "pools.agents.agents=9..11", "--grid", "channels.phone.handle_time.mean=4m,5m"]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(dump_yaml(mmc_data(horizon="1d", warmup="2h")))
    return path


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def only_dir(path):
    (found,) = [p for p in path.iterdir() if p.is_dir()]
    return found


@pytest.mark.parametrize("text, path, values", [
    ("pools.social.agents=4..12", "pools.social.agents", tuple(range(4, 13))),
    ("pools.social.agents=4..12:4", "pools.social.agents", (4, 8, 12)),
    ("pools.social.agents = -1..1", "pools.social.agents", (-1, 0, 1)),
    ("policies.priority=fifo,channel_priority", "policies.priority", ("fifo", "channel_priority")),
    ("channels.twitter.sla_goal=0.8, 0.9", "channels.twitter.sla_goal", (0.8, 0.9)),
    ("policies.params.channel_priority.order=[twitter,facebook],[facebook]",
     "policies.params.channel_priority.order", (["twitter", "facebook"], ["facebook"])),
])
def test_grid_syntax(text, path, values):
    assert parse_grid(text) == Axis(path, values)


@pytest.mark.parametrize("text, expected", [
    ("pools.social.agents", "expected PATH=A,B,C or PATH=FROM..TO"),
    ("=1,2", "expected PATH=A,B,C"),
    ("pools..agents=1,2", "expected PATH=A,B,C"),
    ("pools.social.agents=12..4", "expected FROM <= TO"),
    ("pools.social.agents=4..12:0", "a step of 1 or more"),
    ("pools.social.agents=1.5..3", "expected an integer range"),
    ("pools.social.agents=1,,2", "no empty value"),
    ("pools.social.agents=1,1", "a value is repeated"),
    ("seed=1,2", "replications already vary the seed"),
])
def test_bad_grids_are_one_clear_line(text, expected):
    with pytest.raises(UserError, match=expected.replace("(", r"\(")):
        parse_grid(text)


def test_grid_variants_are_the_cartesian_product_first_axis_slowest():
    axes = [parse_grid("pools.agents.agents=9..10"), parse_grid("channels.phone.sla=10s,20s")]
    variants = grid_variants(mmc_data(), axes)
    assert [v.name for v in variants] == [
        "pools.agents.agents=9 channels.phone.sla=10s", "pools.agents.agents=9 channels.phone.sla=20s",
        "pools.agents.agents=10 channels.phone.sla=10s", "pools.agents.agents=10 channels.phone.sla=20s"]
    assert [(v.scenario.pools["agents"].agents, v.scenario.channels["phone"].sla) for v in variants] == list(
        itertools.product((9, 10), (10.0, 20.0)))


def test_a_grid_point_that_does_not_validate_names_itself(scenario):
    with pytest.raises(UserError, match=r"\[pools.agents.agents=-1\]"):
        grid_variants(mmc_data(), [parse_grid("pools.agents.agents=-1..1")])


def test_sweep_writes_a_tidy_table_a_summary_and_a_plot_per_kpi(runner, scenario, tmp_path):
    result = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--workers", 1, "--out", tmp_path / "out",
                    "--kpi", "sla.phone,frt.mean.phone")
    assert result.exit_code == 0, result.output
    assert "6 grid points × 2 replications = 12 tasks" in result.output
    folder = only_dir(tmp_path / "out")
    with (folder / "tidy.csv").open() as fh:
        tidy = list(csv.DictReader(fh))
    assert len(tidy) == 12
    assert list(tidy[0])[:5] == ["variant", "pools.agents.agents", "channels.phone.handle_time.mean",
                                 "replication", "seed"]
    assert {(r["pools.agents.agents"], r["channels.phone.handle_time.mean"]) for r in tidy} == {
        (a, h) for a in ("9", "10", "11") for h in ("4m", "5m")}
    assert len({r["seed"] for r in tidy}) == 2  # every grid point on the same two seeds
    with (folder / "summary.csv").open() as fh:
        summary = [r for r in csv.DictReader(fh) if r["kpi"] == "sla.phone"]
    assert len(summary) == 6
    # More agents and shorter calls: a better service level at every step of the grid.
    sla = {(int(r["pools.agents.agents"]), r["channels.phone.handle_time.mean"]): float(r["mean"]) for r in summary}
    assert sla[(9, "5m")] < sla[(10, "5m")] < sla[(11, "5m")] and sla[(9, "4m")] > sla[(9, "5m")]
    assert {p.name for p in (folder / "plots").iterdir()} == {"sla.phone.png", "frt.mean.phone.png"}
    assert (folder / "tidy.parquet").exists() and (folder / "summary.parquet").exists()


def test_a_sweep_on_a_dask_cluster_gives_the_same_tables_as_local_processes(runner, scenario, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--workers", 2, "--out", tmp_path / "local",
                   "--no-plots")
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        remote = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--scheduler", cluster.scheduler_address,
                        "--out", tmp_path / "dask", "--no-plots")
    assert remote.exit_code == 0, remote.output
    assert f"on Dask scheduler {cluster.scheduler_address}" in remote.output
    for table in ("tidy.csv", "summary.csv"):
        assert (only_dir(tmp_path / "local") / table).read_text() == (only_dir(tmp_path / "dask") / table).read_text()


class Spy:
    """Stands in for run_task: counts calls and can stop the sweep like Ctrl-C after some tasks."""

    def __init__(self, stop_after=None):
        self.calls = 0
        self.stop_after = stop_after

    def __call__(self, task):
        if self.stop_after is not None and self.calls == self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        return RUN_TASK(task)


RUN_TASK = executors.run_task


def test_an_interrupted_sweep_resumes_without_recomputing_finished_tasks(runner, scenario, tmp_path, monkeypatch):
    stopped = Spy(stop_after=5)
    monkeypatch.setattr(executors, "run_task", stopped)
    first = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--workers", 1, "--out", tmp_path / "out", "--no-plots")
    assert first.exit_code == 130
    folder = only_dir(tmp_path / "out")
    assert f"--resume {folder}" in first.output
    assert len(list((folder / "tasks").glob("*.json"))) == 5 and not (folder / "tidy.csv").exists()
    resumed = Spy()
    monkeypatch.setattr(executors, "run_task", resumed)
    second = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--workers", 1, "--resume", folder, "--no-plots")
    assert second.exit_code == 0, second.output
    assert resumed.calls == 12 - 5 and "resumed: 5 of 12 tasks were already finished" in second.output
    fresh = invoke(runner, "sweep", scenario, *GRID, "-n", 2, "--workers", 1, "--out", tmp_path / "fresh",
                   "--no-plots", "-q")
    assert (folder / "tidy.csv").read_text() == (only_dir(tmp_path / "fresh") / "tidy.csv").read_text()
    assert fresh.exit_code == 0


CRASH = """
import os

from carebench.policies.fifo import Fifo


class Crash(Fifo):
    \"\"\"Kills the worker process running it, as the out-of-memory killer would.\"\"\"

    def key(self, contact):
        os._exit(1)
"""


def test_a_lost_local_worker_is_exit_3_with_a_resume_hint(runner, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "crashing_policy.py").write_text(CRASH)
    path = tmp_path / "crash.yaml"
    path.write_text(dump_yaml({**mmc_data(horizon="1d", warmup="2h"), "policies": {"priority": "crashing_policy:Crash"}}))
    result = invoke(runner, "sweep", path, "--grid", "pools.agents.agents=9,10", "-n", 1, "--workers", 2,
                    "--out", tmp_path / "out", "--no-plots", "--allow-policy-import")
    assert result.exit_code == 3, result.output
    assert "worker process died" in result.output and "--resume" in result.output
