"""The notebook API (carebench.load_scenario, simulate, replicate, compare, run_study, erlang_c/a).

Each function must give the numbers the matching command gives for the same
seed; results convert to tidy rows (and DataFrames where pandas is there);
plots come back as matplotlib Figures; and ``import carebench`` stays light.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import mmc_data
from matplotlib.figure import Figure
from test_shop import brand, study_data

import carebench as cb
from carebench.analytic.erlang import agents_needed, erlang_a_figures, erlang_c_figures
from carebench.cli import cli
from carebench.kpis.tidy import COLUMNS
from carebench.load.yamlio import dump_yaml
from carebench.output.plots import plot_run, run_figures
from carebench.runs.executors import ProcessExecutor
from carebench.runs.simulate import simulate as core_simulate
from carebench.util.errors import ScenarioError, UserError

HEAVY = ("numpy", "scipy", "simpy", "matplotlib", "pydantic")


@pytest.fixture
def mmc_file(tmp_path):
    path = tmp_path / "mmc.yaml"
    path.write_text(dump_yaml(mmc_data(horizon="1d", warmup="2h")))
    return path


def same(a, b) -> bool:
    """Equal KPIs, NaN (undefined) equal to NaN."""
    return json.dumps(a) == json.dumps(b)


def _loaded(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_carebench_loads_no_heavy_library_until_a_name_is_used():
    assert _loaded("import carebench; carebench.__version__; carebench.UserError") == []
    assert "pydantic" in _loaded("import carebench; carebench.Scenario")


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_the_command_line_starts_without_the_machinery(args):
    code = ("import sys\nfrom carebench.cli import main\nsys.argv = ['carebench', *%r]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0\n" % (args,))
    assert _loaded(code) == []


def test_the_lazy_command_map_lists_every_command_with_its_own_help():
    runner = CliRunner()
    listed = runner.invoke(cli, ["--help"]).output
    for name, (module, short) in cli.lazy.items():
        command = cli.get_command(None, name)
        assert command.callback.__module__ == module
        assert " ".join(command.help.split("\n\n")[0].split()) == short, f"update the help of {name} in COMMANDS"
        assert f"  {name} " in listed


def test_public_names_are_all_listed_and_reachable():
    assert set(cb.__all__) == set(cb._LAZY) and set(cb.__all__) <= set(dir(cb))
    for name in ("load_scenario", "simulate", "replicate", "compare", "run_study", "erlang_c", "erlang_a"):
        assert name in cb.__all__ and callable(getattr(cb, name))
    with pytest.raises(AttributeError):
        cb.no_such_name  # noqa: B018


def test_load_scenario_takes_names_paths_and_override_mappings(mmc_file):
    by_name = cb.load_scenario("default", {"horizon": "8d", "pools.social.agents": 7})
    assert by_name.horizon == 8 * 86400 and by_name.pools["social"].agents == 7
    assert cb.load_scenario("default", ["horizon=8d", "pools.social.agents=7"]) == by_name
    assert cb.load_scenario(mmc_file).name == "mmc-test"
    with pytest.raises(ScenarioError, match="horizon"):
        cb.load_scenario(mmc_file, {"horizon": "soon"})
    with pytest.raises(UserError, match="no such file or shipped scenario"):
        cb.load_scenario("no_such_scenario")


def test_simulate_gives_the_core_result_and_tidy_rows(mmc_file):
    sc = cb.load_scenario(mmc_file)
    result = cb.simulate(mmc_file, seed=4)
    assert same(result.kpis, core_simulate(sc, 4).kpis)
    rows = {r["kpi"]: r for r in result.rows()}
    assert set(rows) == set(result.kpis)
    assert rows["sla.phone"] == {"kpi": "sla.phone", "channel": "phone", "replication": None,
                                 "value": result.kpis["sla.phone"], "unit": "share (0 to 1)"}
    assert rows["frt.p90.all"]["channel"] == "all" and rows["frt.p90.all"]["unit"] == "seconds"
    assert rows["agent_hours.agents"]["channel"] is None and rows["agent_hours.agents"]["unit"] == "agent-hours"
    assert all(r["unit"] for r in rows.values())  # every KPI a run reports is in the catalogue


def test_replicate_matches_carebench_run_replications(mmc_file, tmp_path):
    reps = cb.replicate(mmc_file, 3, seed=11)
    out = CliRunner().invoke(cli, ["run", str(mmc_file), "-n", "3", "--seed", "11", "--workers", "1",
                                   "--no-plots", "-q", "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    (folder,) = (tmp_path / "out").iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    assert list(reps.seeds) == summary["seeds"]
    for kpi, estimate in reps.summary().items():
        want = summary["kpis"][kpi]["mean"]
        assert (want is None and math.isnan(estimate.mean)) or estimate.mean == pytest.approx(want, rel=1e-12)
    rows = reps.rows()
    assert len(rows) == 3 * len(reps.kpis[0]) and {r["replication"] for r in rows} == {1, 2, 3}
    sla = [r["value"] for r in rows if r["kpi"] == "sla.phone"]
    assert sla == reps.values("sla.phone").tolist()
    (row,) = [r for r in reps.summary_rows() if r["kpi"] == "sla.phone"]
    assert row["mean"] == reps.summary()["sla.phone"].mean and row["n"] == 3 and row["unit"] == "share (0 to 1)"


def test_replicate_gives_the_same_numbers_on_worker_processes_and_resumes_from_a_store(mmc_file, tmp_path):
    serial = cb.replicate(mmc_file, 2, seed=2)
    with ProcessExecutor(2) as executor:
        assert same(cb.replicate(mmc_file, 2, seed=2, executor=executor).kpis, serial.kpis)
    first = cb.replicate(mmc_file, 2, seed=2, store=tmp_path / "kept")
    assert same(first.kpis, serial.kpis)
    kept = sorted((tmp_path / "kept" / "tasks").iterdir())
    assert len(kept) == 2
    data = json.loads(kept[1].read_text())
    data["kpis"]["sla.phone"] = 0.125  # a kept result is reused, not rerun
    kept[1].write_text(json.dumps(data))
    again = cb.replicate(mmc_file, 2, seed=2, store=tmp_path / "kept")
    assert again.kpis[1]["sla.phone"] == 0.125 and same(again.kpis[0], first.kpis[0])


def test_compare_returns_paired_differences_on_common_random_numbers(mmc_file):
    base = cb.load_scenario(mmc_file)
    more = cb.load_scenario(mmc_file, {"pools.agents.agents": 12})
    result = cb.compare({"ten": base, "twelve": more}, 4, kpis=["sla.phone", "frt.mean.phone"], seed=5)
    ten, twelve = result.variants
    assert ten.seeds == twelve.seeds == cb.replicate(base, 4, seed=5).seeds
    diffs = {d["kpi"]: d for d in result.differences()}
    paired = twelve.values("sla.phone") - ten.values("sla.phone")
    assert diffs["sla.phone"]["difference"] == pytest.approx(float(np.mean(paired)))
    assert diffs["sla.phone"]["low"] < diffs["sla.phone"]["difference"] < diffs["sla.phone"]["high"]
    # two more agents on an M/M/10 queue at 83% load: a better service level and shorter waits
    assert diffs["sla.phone"]["verdict"] == "better" and diffs["frt.mean.phone"]["verdict"] == "better"
    assert {d["variant"] for d in diffs.values()} == {"twelve"}
    assert {r["variant"] for r in result.rows()} == {"ten", "twelve"}
    assert "twelve" in result.table() and isinstance(result.figure(), Figure)
    with pytest.raises(UserError, match="two or more"):
        cb.compare([base], 2)
    with pytest.raises(UserError, match="called"):
        cb.compare([base, base], 2)


def test_results_convert_to_data_frames(mmc_file):
    pytest.importorskip("pandas")
    reps = cb.replicate(mmc_file, 2, seed=1)
    frame = reps.to_frame()
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(reps.rows())
    assert frame.set_index(["kpi", "replication"]).loc[("sla.phone", 2), "value"] == reps.kpis[1]["sla.phone"]
    assert list(cb.simulate(mmc_file, seed=1).to_frame().columns) == list(COLUMNS)


def test_to_frame_without_pandas_says_how_to_get_it(mmc_file, monkeypatch):
    result = cb.simulate(mmc_file, seed=1)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_frame()
    assert result.rows()  # plain rows need nothing


def test_run_study_gives_the_numbers_of_carebench_shop(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(study_data({"a": brand(agents=1, hours="business"), "b": brand(agents=2)})))
    study = cb.run_study(path, seed=9)
    out = CliRunner().invoke(cli, ["shop", str(path), "--seed", "9", "--no-plots", "-q", "--out", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    (folder,) = (tmp_path / "o").iterdir()
    assert (folder / "summary.txt").read_text() == study.summary() + "\n"
    assert len(study.probes()) == 2 * 12 and {p["brand"] for p in study.probes()} == {"a", "b"}
    rows = study.rows()
    assert {(r["brand"], r["replication"], r["channel"]) for r in rows} == {("a", 1, "twitter"), ("b", 1, "twitter")}
    assert set(study.figures()) == {"km.png", "strata.png"}
    assert all(isinstance(f, Figure) for f in study.figures().values())


def test_a_study_resumes_from_its_store_of_brand_runs(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(study_data({"a": brand(agents=1, hours="business"), "b": brand(agents=2)})))
    fresh = cb.run_study(path, seed=9)
    first = cb.run_study(path, seed=9, store=tmp_path / "kept")
    assert same([asdict(r) for r in first.run.runs], [asdict(r) for r in fresh.run.runs])
    kept = sorted((tmp_path / "kept" / "tasks").iterdir())
    assert len(kept) == 2
    data = json.loads(kept[0].read_text())
    data["kpis"]["arrived"] = -1.0  # a kept brand run is reused, not rerun
    kept[0].write_text(json.dumps(data))
    again = cb.run_study(path, seed=9, store=tmp_path / "kept")
    assert again.run.runs[0].kpis["arrived"] == -1.0
    assert same(asdict(again.run.runs[1]), asdict(fresh.run.runs[1]))
    assert same(asdict(again.run.runs[0])["probes"], asdict(fresh.run.runs[0])["probes"])
    other = cb.run_study(path, seed=10, store=tmp_path / "kept")  # other seeds: nothing reused
    assert other.run.runs[0].kpis["arrived"] >= 0


def test_a_study_on_a_dask_cluster_gives_the_same_probes(tmp_path):
    distributed = pytest.importorskip("distributed")
    from carebench.runs.executors import DaskExecutor

    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(study_data({"a": brand(agents=1, hours="business"), "b": brand(agents=2)})))
    local = cb.run_study(path, seed=9)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster, DaskExecutor(cluster.scheduler_address) as ex:
        remote = cb.run_study(path, seed=9, executor=ex)
    assert remote.run.records() == local.run.records()


def test_carebench_shop_runs_its_brands_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(study_data({"a": brand(agents=1, hours="business"), "b": brand(agents=2)})))
    runner = CliRunner()
    local = runner.invoke(cli, ["shop", str(path), "--no-plots", "-q", "--out", str(tmp_path / "local")])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        remote = runner.invoke(cli, ["shop", str(path), "--no-plots", "-q", "--out", str(tmp_path / "dask"),
                                     "--scheduler", cluster.scheduler_address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    (a,), (b,) = (tmp_path / "local").iterdir(), (tmp_path / "dask").iterdir()
    for name in ("probes.csv", "brands.csv", "summary.txt"):
        assert (a / name).read_text() == (b / name).read_text()


def test_erlang_wrappers_read_rates_and_durations_as_people_write_them():
    assert cb.erlang_c("120/h", "5m", 12, target="20s") == erlang_c_figures(120 / 3600, 300, 12, 20)
    assert cb.erlang_c(120 / 3600, 300, 12, target=20) == erlang_c_figures(120 / 3600, 300, 12, 20)
    needed = cb.erlang_c("120/h", "5m", goal=0.9)
    assert needed.agents == agents_needed(120 / 3600, 300, 20, 0.9) and needed.service_level >= 0.9
    assert cb.erlang_a("120/h", "5m", "2m", 10) == erlang_a_figures(120 / 3600, 300, 10, 20, 120)
    with pytest.raises(UserError, match="handle"):
        cb.erlang_c("120/h", "five minutes", 10)


def test_one_atomic_writer_serves_every_file():
    package = Path(cb.__file__).parent
    renames = re.compile(r"os\.(replace|rename)\(|mkstemp|mkdtemp|NamedTemporaryFile")
    users = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if renames.search(p.read_text()))
    assert users == ["util/atomic.py"]


def test_run_plots_come_back_as_figures_and_the_writer_saves_them(mmc_file, tmp_path):
    result = cb.simulate(mmc_file, seed=1)
    sla = {"phone": 20.0}
    figures = run_figures(result, sla)
    assert all(isinstance(f, Figure) for f in figures.values())
    written = plot_run(tmp_path, result, sla)
    assert sorted(p.name for p in written) == sorted(figures)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
