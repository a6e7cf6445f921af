"""The command line, in-process: results, summaries and one-line errors with exit code 2."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from helpers import mmc_data

from carebench.analytic.erlang import agents_needed
from carebench.cli import cli
from carebench.load.yamlio import dump_yaml


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(dump_yaml(mmc_data(horizon="1d", warmup="1h")))
    return path


def one_error_line(result):
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return lines


def test_run_default_scenario_writes_a_complete_result(runner, tmp_path):
    result = runner.invoke(cli, ["run", "--horizon", "1d", "--out", str(tmp_path), "--contacts", "csv"])
    assert result.exit_code == 0, result.output
    assert "twitter" in result.output and "SLA" in result.output and "exposure" in result.output
    (out,) = list(tmp_path.iterdir())
    names = {p.name for p in out.iterdir()}
    assert {"kpis.json", "timeseries.csv", "contacts.csv", "frt_distribution.png", "queue_length.png",
            "sla_by_hour.png", "scenario.yaml"} <= names
    data = json.loads((out / "kpis.json").read_text())
    assert data["scenario"] == "default" and data["kpis"]["arrived.all"] > 0


def test_run_is_reproducible(runner, tmp_path, scenario_file):
    outs = []
    for sub in ("a", "b"):
        result = runner.invoke(cli, ["run", str(scenario_file), "--out", str(tmp_path / sub), "--no-plots", "-q"])
        assert result.exit_code == 0, result.output
        (out,) = list((tmp_path / sub).iterdir())
        outs.append(json.loads((out / "kpis.json").read_text())["kpis"])
    assert outs[0] == outs[1]


def test_seed_and_set_change_the_run(runner, tmp_path, scenario_file):
    result = runner.invoke(cli, ["run", str(scenario_file), "--out", str(tmp_path / "r"), "--no-plots", "-q",
                                 "--seed", "5", "--set", "pools.agents.agents=30"])
    assert result.exit_code == 0, result.output
    (out,) = list((tmp_path / "r").iterdir())
    data = json.loads((out / "kpis.json").read_text())
    assert data["seed"] == 5 and data["kpis"]["frt.mean.phone"] < 1.0


def test_bad_scenario_field_is_one_line_and_exit_2(runner, tmp_path):
    bad = tmp_path / "x.yaml"
    data = mmc_data()
    data["channels"]["phone"]["sla"] = "soon"
    bad.write_text(dump_yaml(data))
    result = runner.invoke(cli, ["run", str(bad), "--out", str(tmp_path / "r")])
    lines = one_error_line(result)
    assert lines == [f"error: {bad}: channels.phone.sla: expected a duration such as '1h', got 'soon'"]
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_missing_file_and_bad_flag_are_exit_2(runner, tmp_path):
    assert "no such file" in one_error_line(runner.invoke(cli, ["run", str(tmp_path / "none.yaml")]))[0]
    lines = one_error_line(runner.invoke(cli, ["run", "--bogus"]))
    assert len(lines) == 1 and "--bogus" in lines[0]
    lines = one_error_line(runner.invoke(cli, ["run", "--horizon", "soon"]))
    assert lines == ["error: --horizon: expected a duration such as '1h', got 'soon'"]


def test_precision_with_a_cap_below_its_first_stage_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["run", "mmc", "--precision", "sla.phone=5%", "--max-replications", "12",
                                 "--out", str(tmp_path)])
    (line,) = one_error_line(result)
    assert "--max-replications 12" in line and "at least 20" in line
    assert not any(tmp_path.iterdir())  # refused before any run or directory


def test_interrupted_run_leaves_earlier_results_and_no_partial_directory(runner, tmp_path, scenario_file, monkeypatch):
    out = tmp_path / "r"
    ok = runner.invoke(cli, ["run", str(scenario_file), "--out", str(out), "--no-plots", "-q"])
    assert ok.exit_code == 0
    before = sorted(os.listdir(out))

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("carebench.cli.run.write_timeseries", boom)
    result = runner.invoke(cli, ["run", str(scenario_file), "--out", str(out), "--no-plots", "-q"])
    assert result.exit_code == 130
    assert sorted(os.listdir(out)) == before  # no partial directory, the old one intact


def test_validate(runner, scenario_file):
    result = runner.invoke(cli, ["validate", str(scenario_file)])
    assert result.exit_code == 0 and result.output.startswith("ok: mmc-test")
    assert "expected contacts" in result.output


def test_validate_shipped_by_name(runner):
    result = runner.invoke(cli, ["validate", "default"])
    assert result.exit_code == 0, result.output


def test_erlang_command_matches_the_library(runner):
    result = runner.invoke(cli, ["erlang", "--rate", "100/h", "--handle", "5m", "--target", "20s"])
    assert result.exit_code == 0, result.output
    needed = agents_needed(100 / 3600, 300, 20, 0.8)
    assert needed == 12  # 11 agents give 74.9 % (see the table), 12 give 86.2 %
    assert f"agents needed for 80.0% within 20s: {needed}" in result.output
    result = runner.invoke(cli, ["erlang", "--rate", "100/h", "--handle", "5m", "--agents", "10", "--patience", "3m"])
    assert result.exit_code == 0 and "Erlang A" in result.output


def test_erlang_bad_rate(runner):
    lines = one_error_line(runner.invoke(cli, ["erlang", "--rate", "lots", "--handle", "5m"]))
    assert lines == ["error: --rate: expected a rate such as '100/h' or '2400/d', got 'lots'"]


def test_policies_and_scenarios_lists(runner):
    result = runner.invoke(cli, ["policies"])
    assert result.exit_code == 0 and "fifo" in result.output and "fixed_roster" in result.output
    result = runner.invoke(cli, ["scenarios"])
    assert result.exit_code == 0 and "default" in result.output
