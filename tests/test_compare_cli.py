"""``carebench compare`` and ``carebench run --replications``, as a planner uses them."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from helpers import mmc_data

from carebench.cli import cli
from carebench.load.yamlio import dump_yaml


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def only_dir(path):
    (found,) = [p for p in path.iterdir() if p.is_dir()]
    return found


def read_csv(path):
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_three_staffing_variants_of_the_default_scenario_in_one_command(runner, tmp_path):
    result = invoke(runner, "compare", "default", "--set", "pools.social.agents=8",
                    "--set", "pools.social.agents=11", "--set", "pools.social.agents=14",
                    "--common", "warmup=1d", "--common", "horizon=3d", "-n", 4, "--workers", 1, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3 variants, 4 replications each on common random numbers" in out
    assert "A  pools.social.agents=8  (reference)" in out and "C  pools.social.agents=14" in out
    twitter = next(line for line in out.splitlines() if line.startswith("sla.twitter"))
    assert twitter.count("better") == 2  # B and C both beat A on the Twitter SLA
    assert "B (pools.social.agents=11) against A (pools.social.agents=8):" in out
    assert "worse on: agent_hours.total +" in out  # and they cost agent-hours
    folder = only_dir(tmp_path)
    assert {"comparison.csv", "replications.csv", "kpis.png", "frt_distribution.png", "plan.json",
            "tasks", "variants"} <= {p.name for p in folder.iterdir()}
    rows = read_csv(folder / "comparison.csv")
    hours = {r["variant"]: float(r["diff_mean"]) for r in rows if r["kpi"] == "agent_hours.total"}
    # The two 7-hour shifts scale with the headcount: 8 -> 4 + 4, 11 -> 6 + 5, 14 -> 8 + 6 agents,
    # so 3 and 6 more agents work 3 x 7 and 6 x 7 more hours a day, over the 2 measured days.
    assert hours["pools.social.agents=11"] == pytest.approx(3 * 7 * 2, abs=1.0)
    assert hours["pools.social.agents=14"] == pytest.approx(6 * 7 * 2, abs=1.0)
    reps = read_csv(folder / "replications.csv")
    assert len(reps) == 12 and len({r["seed"] for r in reps}) == 4  # the same 4 seeds for all
    assert (folder / "variants" / "3.yaml").read_text().startswith("# variant 3: pools.social.agents=14")


def test_comparing_a_scenario_with_itself_shows_no_difference(runner, tmp_path):
    result = invoke(runner, "compare", "mmc", "--set", "pools.agents.agents=10", "--set", "pools.agents.agents=10",
                    "--common", "horizon=2d", "-n", 3, "--workers", 1, "--out", tmp_path, "--no-plots")
    assert result.exit_code == 0, result.output
    assert "better on" not in result.output and "worse on" not in result.output
    rows = read_csv(only_dir(tmp_path) / "comparison.csv")
    assert all(float(r["diff_mean"]) == 0 and r["significant"] == "false" for r in rows)


def test_scenario_files_are_variants_named_by_their_stems(runner, tmp_path):
    for name, agents in (("ten", 10), ("twelve", 12)):
        (tmp_path / f"{name}.yaml").write_text(dump_yaml(mmc_data(horizon="1d", warmup="2h", agents=agents)))
    result = invoke(runner, "compare", tmp_path / "ten.yaml", tmp_path / "twelve.yaml", "-n", 3,
                    "--kpi", "sla.phone,frt.mean.phone", "--workers", 1, "--out", tmp_path / "out", "--no-plots")
    assert result.exit_code == 0, result.output
    assert "A  ten  (reference)" in result.output and "B  twelve" in result.output
    assert {r["kpi"] for r in read_csv(only_dir(tmp_path / "out") / "comparison.csv")} == {"sla.phone", "frt.mean.phone"}


@pytest.mark.parametrize("args, expected", [
    (["mmc"], "expected two or more variants"),
    (["mmc", "--set", "pools.agents.agents=9"], "expected two or more variants"),
    (["mmc", "mmc", "--set", "pools.agents.agents=9"], "use --common"),
    (["mmc", "--set", "pools.agents.agents=9", "--set", "pools.agents.agents=x"], "pools.agents.agents"),
    (["mmc", "mmc", "--kpi", "sla.phon"], "did you mean 'sla.phone'"),
])
def test_bad_comparisons_are_one_line_and_exit_2(runner, tmp_path, args, expected):
    result = invoke(runner, "compare", *args, "-n", 2, "--common", "horizon=2d", "--workers", 1,
                    "--out", tmp_path, "--no-plots")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert expected in result.output


def test_resuming_another_comparison_is_refused(runner, tmp_path):
    first = invoke(runner, "compare", "mmc", "mmc", "-n", 2, "--common", "horizon=2d", "--workers", 1,
                   "--out", tmp_path, "--no-plots", "-q")
    assert first.exit_code == 0, first.output
    folder = only_dir(tmp_path)
    again = invoke(runner, "compare", "mmc", "mmc", "-n", 2, "--common", "horizon=2d", "--workers", 1,
                   "--resume", folder, "--no-plots", "-q")
    assert again.exit_code == 0 and str(folder) in again.output
    other = invoke(runner, "compare", "mmc", "mmc", "-n", 2, "--common", "horizon=3d", "--workers", 1,
                   "--resume", folder, "--no-plots")
    assert other.exit_code == 2 and "holds another compare" in other.output


def test_run_with_replications_reports_intervals_and_writes_the_tables(runner, tmp_path):
    result = invoke(runner, "run", "mmc", "--horizon", "2d", "-n", 4, "--workers", 1, "--out", tmp_path, "--no-plots")
    assert result.exit_code == 0, result.output
    assert "4 replications" in result.output and "method: independent replications" in result.output
    assert "±" in result.output
    folder = only_dir(tmp_path)
    summary = json.loads((folder / "summary.json").read_text())
    rows = read_csv(folder / "replications.csv")
    assert summary["replications"] == 4 and [int(r["seed"]) for r in rows] == summary["seeds"]
    mean = sum(float(r["sla.phone"]) for r in rows) / 4
    assert summary["kpis"]["sla.phone"]["mean"] == pytest.approx(mean, rel=1e-12)
    # kpis.json and the plots are replication 1's: the same run as row 1.
    kpis = json.loads((folder / "kpis.json").read_text())
    assert kpis["seed"] == summary["seeds"][0] and kpis["kpis"]["sla.phone"] == float(rows[0]["sla.phone"])


def test_run_with_precision_stops_when_the_target_is_met(runner, tmp_path):
    result = invoke(runner, "run", "mmc", "--horizon", "2d", "--precision", "sla.phone=4%", "--workers", 1,
                    "--out", tmp_path, "--no-plots")
    assert result.exit_code == 0, result.output
    assert "precision sla.phone" in result.output and ": met" in result.output
    summary = json.loads((only_dir(tmp_path) / "summary.json").read_text())
    e = summary["kpis"]["sla.phone"]
    assert summary["precision_met"] and e["half_width"] <= 0.04 * e["mean"] and summary["replications"] >= 3


def test_run_with_an_unknown_precision_kpi_is_one_line(runner, tmp_path):
    result = invoke(runner, "run", "mmc", "--horizon", "2d", "--precision", "sla.phon=0.1", "--workers", 1,
                    "--out", tmp_path, "--no-plots")
    assert result.exit_code == 2 and "did you mean 'sla.phone'" in result.output
    assert not list(tmp_path.iterdir())  # nothing half-written
