"""``carebench shop``: studies from the command line, the shipped studies at reduced size, plan."""

from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner
from test_shop import brand, study_data

from carebench.cli import cli
from carebench.load.loader import shipped_scenario_path
from carebench.load.yamlio import dump_yaml, load_yaml_file
from carebench.study.power import probes_for_precision
from carebench.study.resolve import load_study, shipped_studies

# The commands' default --out is results/: run each test from a temporary directory.
pytestmark = pytest.mark.usefixtures("in_tmp_dir")

"""Until `deflect_complex` is registered, uk_isps runs with every brand first in, first out."""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(dump_yaml(study_data({"quick": brand(agents=3), "nobody": brand(agents=0)})))
    return path


def result_dir(root):
    (out,) = [p for p in root.iterdir() if not p.name.startswith(".")]
    return out


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(lines) == 1, result.output
    return lines[0]


def test_shop_study_writes_tables_files_and_plots(runner, tmp_path, study_file):
    result = runner.invoke(cli, ["shop", str(study_file), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    for text in ("<=24h (95% CI)", "design effect", "by follower stratum", "headline beside", "league table"):
        assert text in result.output
    out = result_dir(tmp_path / "r")
    assert {p.name for p in out.iterdir()} == {"probes.csv", "brands.csv", "summary.json", "summary.txt",
                                               "km.png", "strata.png", "report.html", "meta.json"}
    rows = list(csv.DictReader((out / "probes.csv").open()))
    assert len(rows) == 24 and {r["brand"] for r in rows} == {"quick", "nobody"}
    assert all(r["censored"] == "1" and r["time_to_reply_s"] == "259200" for r in rows if r["brand"] == "nobody")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pooled"]["answered"]["share"] == pytest.approx(0.5)
    assert summary["brands_answering_none"] == 1
    assert (out / "summary.txt").read_text().splitlines()[0] == result.output.splitlines()[0]


def test_shop_study_is_short_for_shop_run(runner, tmp_path, study_file):
    for sub, args in (("a", ["shop", str(study_file)]), ("b", ["shop", "run", str(study_file)])):
        assert runner.invoke(cli, [*args, "--out", str(tmp_path / sub), "--no-plots", "-q"]).exit_code == 0
    a, b = (result_dir(tmp_path / s) / "probes.csv" for s in "ab")
    assert a.read_text() == b.read_text()


def test_a_study_file_called_plan_runs_with_shop_run(runner, tmp_path, study_file):
    (tmp_path / "plan").write_text(study_file.read_text())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert "expected --share and --icc" in one_error_line(runner.invoke(cli, ["shop", "plan"]))
        result = runner.invoke(cli, ["shop", "run", "plan", "--out", "r", "--no-plots", "-q"])
        assert result.exit_code == 0, result.output
        assert runner.invoke(cli, ["shop", "./plan", "--out", "r2", "--no-plots", "-q"]).exit_code == 0
    finally:
        os.chdir(cwd)


def test_seed_repeats_set_and_brand_set(runner, tmp_path, study_file):
    args = ["shop", str(study_file), "--out", str(tmp_path / "r"), "--no-plots", "-q", "--seed", "9",
            "--repeats", "2", "--set", "probes.per_brand=5", "--brand-set", "nobody:pools={care: {agents: 2, "
            "channels: [twitter]}}"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((result_dir(tmp_path / "r") / "summary.json").read_text())
    assert (summary["seed"], summary["repeats"], summary["probes_per_brand"]) == (9, 2, 5)
    assert summary["brands_answering_none"] == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "window=soon"], "small.yaml: window: expected a duration such as '1h', got 'soon'"),
        (["--brand-set", "zz:pools.care.agents=1"], "--brand-set 'zz:pools.care.agents=1': expected a brand"),
        (["--brand-set", "quick:pools.care.agents=-1"], "small.yaml: brands.quick: pools.care.agents:"),
        (["--workers", "0"], "shop run: invalid value for '--workers'"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(runner, tmp_path, study_file, args, expected):
    line = one_error_line(runner.invoke(cli, ["shop", str(study_file), "--out", str(tmp_path / "r"), *args]))
    assert expected in line
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_missing_study_is_one_line(runner, tmp_path):
    assert "no such file" in one_error_line(runner.invoke(cli, ["shop", str(tmp_path / "none.yaml")]))
    assert "no such file or shipped study" in one_error_line(runner.invoke(cli, ["shop", "nothing"]))


# --- the shipped studies -----------------------------------------------------------------


def test_the_shipped_studies_are_listed_and_load_in_full():
    assert shipped_studies() == ["stella_24h", "uk_isps"]
    stella = load_study(shipped_scenario_path("stella_24h"))
    assert len(stella.brands) == 25 and stella.study.probes.per_brand == 45
    uk = load_study(shipped_scenario_path("uk_isps"))
    assert set(uk.brands) == {"bt", "virgin_media", "sky", "talktalk", "plusnet"}


def test_stella_at_reduced_size(runner, tmp_path):
    data = load_yaml_file(shipped_scenario_path("stella_24h"))
    keep = ("always_on", "check_ins_a", "office_a", "backlog_c", "silent_a")
    data["brands"] = {k: v for k, v in data["brands"].items() if k in keep}
    path = tmp_path / "stella_small.yaml"
    path.write_text(dump_yaml(data))
    args = ["shop", str(path), "--set", "probes.per_brand=10", "--set", "window=3d", "--out", str(tmp_path / "r"),
            "--no-plots", "-q"]
    assert runner.invoke(cli, args).exit_code == 0
    brands = {r["brand"]: r for r in csv.DictReader((result_dir(tmp_path / "r") / "brands.csv").open())}
    assert float(brands["always_on"]["within_24h"]) == 1.0
    assert float(brands["silent_a"]["answered"]) == 0.0
    assert float(brands["backlog_c"]["within_24h"]) < float(brands["office_a"]["within_24h"])


def test_uk_isps_at_reduced_size(runner, tmp_path):
    args = ["shop", "uk_isps", "--set", "probes.per_brand=12", "--set", "probes.schedule.period=7d",
            "--out", str(tmp_path / "r"), "--no-plots"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "BDRC mystery shopping: BT" in result.output and "WaveMetrix: Sky" in result.output
    summary = json.loads((result_dir(tmp_path / "r") / "summary.json").read_text())
    assert [s["followers"] for s in summary["strata"]] == [0, 75, 7500, 100000]
    assert len(summary["strata_tests"]) == 3
    # Plusnet (to DMs) and Virgin Media (to links) deflect complex complaints; the others do not.
    brands = {r["brand"]: r for r in csv.DictReader((result_dir(tmp_path / "r") / "brands.csv").open())}
    assert float(brands["plusnet"]["traffic.deflections"]) > 0 and float(brands["virgin_media"]["traffic.deflections"]) > 0
    assert float(brands["sky"]["traffic.deflections"]) == 0 and float(brands["bt"]["traffic.deflections"]) == 0


@pytest.mark.slow
def test_stella_full_size_lands_in_the_published_range(runner, tmp_path):
    result = runner.invoke(cli, ["shop", "stella_24h", "--out", str(tmp_path / "r"), "--no-plots", "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads((result_dir(tmp_path / "r") / "summary.json").read_text())
    assert 0.40 <= summary["pooled"]["within_24h"]["share"] <= 0.44
    assert summary["brands_answering_none"] == 6


# --- plan ----------------------------------------------------------------------------------


def test_plan_precision_matches_the_library(runner):
    result = runner.invoke(cli, ["shop", "plan", "--share", "0.42", "--half-width", "0.05", "--icc", "0.1",
                                 "--probes-per-brand", "45"])
    assert result.exit_code == 0, result.output
    size = probes_for_precision(0.42, 0.05, icc=0.1, probes_per_brand=45)
    assert f"{size.brands} brands ({size.probes:,} probes)" in result.output
    assert "design effect 5.40" in result.output


def test_plan_difference_design_and_simulation(runner):
    result = runner.invoke(cli, ["shop", "plan", "--share", "0.4", "--difference", "0.15", "--icc", "0.1",
                                 "--brands", "25", "--simulate", "300"])
    assert result.exit_code == 0, result.output
    for text in ("with 25 brands the power is", "simulated: 300 studies of 25 brands x 45 probes",
                 "significant in", "design 25 brands x 45 probes"):
        assert text in result.output


def test_plan_from_a_study_file(runner, tmp_path, study_file):
    args = ["shop", "plan", "--study", str(study_file), "--repeats", "3", "--simulate", "200", "--half-width", "0.1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "run on 3 seeds" in result.output and "brands drawn again with replacement" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--share", "42", "--icc", "0.1", "--brands", "5"], "--share: expected a share strictly between 0 and 1"),
        (["--share", "0.4", "--icc", "0.1"], "expected --half-width, --difference, --brands or --simulate"),
        (["--share", "0.9", "--icc", "0.1", "--difference", "0.2"], "--difference (second stratum's share)"),
        (["--share", "0.4", "--icc", "2", "--brands", "5"], "invalid value for '--icc'"),
    ],
)
def test_plan_mistakes_are_one_line(runner, args, expected):
    assert expected in one_error_line(runner.invoke(cli, ["shop", "plan", *args]))


def test_the_documented_study_example_names_its_three_brands(runner, tmp_path):
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "studies.md").read_text()
    block = page.split("cat > three.yaml <<'EOF'\n")[1].split("EOF\n")[0]
    path = tmp_path / "three.yaml"
    path.write_text(block)
    args = ["shop", str(path), "--set", "probes.per_brand=4", "--out", str(tmp_path / "r"), "--no-plots", "-q"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    brands = {r["brand"] for r in csv.DictReader((result_dir(tmp_path / "r") / "brands.csv").open())}
    assert brands == {"acme", "globex", "initech"}
