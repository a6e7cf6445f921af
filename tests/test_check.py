"""``carebench check`` and ``carebench baseline``: the project as its own first CI user.

The shipped baselines are only valid for the exact shipped scenarios; when a
change to the engine or the scenario model moves them, refresh them with
``carebench baseline mmc`` and ``carebench baseline default`` (from the
repository root) and commit the files.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import mmc_data

from carebench.cli import cli
from carebench.load.yamlio import dump_yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINES = ROOT / "results" / "baselines"

# The commands' default --out is results/: run each test from a temporary directory.
pytestmark = pytest.mark.usefixtures("in_tmp_dir")


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def one_error_line(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("name", ["mmc", "default"])
def test_shipped_scenarios_pass_their_thresholds_and_shipped_baselines(runner, name, tmp_path):
    refresh = f"(refresh with 'carebench baseline {name}' from the repository root)"
    junit = tmp_path / "junit.xml"
    result = invoke(runner, "check", name, "--baseline", BASELINES / f"{name}.json", "--workers", 1,
                    "--junit", junit)
    assert result.exit_code == 0, f"{refresh}\n{result.output}"
    assert "PASS" in result.output and "0 regressed" in result.output
    suite = ET.parse(junit).getroot().find("testsuite")
    names = [case.get("name") for case in suite.iter("testcase")]
    baseline = json.loads((BASELINES / f"{name}.json").read_text())
    assert int(suite.get("failures")) == 0
    assert "sla.phone >= 0.45" in names or "sla.twitter >= 55%" in names
    assert len(names) > len(baseline["kpis"]) // 2  # thresholds plus every directional KPI


def test_a_worse_variant_fails_its_thresholds_with_exit_1_and_junit_failures(runner, tmp_path):
    junit = tmp_path / "junit.xml"
    result = invoke(runner, "check", "mmc", "--set", "pools.agents.agents=9", "-n", 5, "--workers", 1,
                    "--junit", junit)
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output
    # Erlang C with 9 agents: 27 % within 20 s and a mean wait of 5m42s, both past the gates.
    failed = {c.get("name") for c in ET.parse(junit).getroot().iter("testcase") if c.find("failure") is not None}
    assert {"sla.phone >= 0.45", "frt.mean.phone < 3m"} <= failed
    assert "utilisation.agents < 0.9" in failed  # 9 agents at 100/h x 5m: 93 % busy


def test_the_mean_rule_and_command_line_thresholds(runner):
    result = invoke(runner, "check", "mmc", "-t", "sla.phone >= 0.5", "-t", "frt.p90.phone < 1h",
                    "--rule", "mean", "-n", 3, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert "rule 'mean'" in result.output and "frt.p90.phone < 1h" in result.output


def test_a_baseline_of_another_scenario_is_refused_in_one_line(runner):
    line = one_error_line(invoke(runner, "check", "mmc", "--set", "pools.agents.agents=11",
                                 "--baseline", BASELINES / "mmc.json", "--workers", 1))
    assert "does not match" in line and "carebench baseline mmc --set pools.agents.agents=11" in line


@pytest.mark.parametrize("args, expected", [
    (["-t", "sla.phone >> 0.5"], "did you mean '>'?"),
    (["-t", "frt.p90.phone < 24"], "is a time; give a duration"),
    (["-t", "sla.phone == 0.5"], "cannot gate a KPI"),
    (["-t", "sla.phon >= 0.5", "-n", "2"], "did you mean 'sla.phone'"),
    (["--tolerance", "-1"], "--tolerance"),
    (["--baseline", "nowhere.json"], "no such baseline"),
])
def test_bad_check_input_is_one_line_and_exit_2(runner, args, expected):
    line = one_error_line(invoke(runner, "check", "mmc", "--workers", 1, *args))
    assert expected in line


def test_a_bad_threshold_in_the_scenario_file_names_the_file_and_place(runner, tmp_path):
    path = tmp_path / "gates.yaml"
    path.write_text(dump_yaml({**mmc_data(), "thresholds": ["sla.phone >= 0.5", "sla.phone >= 150%"]}))
    result = invoke(runner, "check", path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}: thresholds.1: threshold 'sla.phone >= 150%'" in result.output


def test_nothing_to_check_is_a_user_error(runner, tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(dump_yaml(mmc_data()))
    assert "nothing to check" in one_error_line(invoke(runner, "check", path))


def test_baseline_then_check_passes_on_the_same_scenario(runner, tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(dump_yaml(mmc_data(horizon="1d", warmup="2h")))
    out = tmp_path / "baselines" / "small.json"
    made = invoke(runner, "baseline", scenario, "--out", out, "-n", 4, "--workers", 1)
    assert made.exit_code == 0, made.output
    data = json.loads(out.read_text())
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, readable by CI tools
    assert data["format"] == "carebench-baseline/1" and data["replications"] == 4 and len(data["seeds"]) == 4
    assert data["scenario"] == "mmc-test" and len(data["kpis"]["sla.phone"]["values"]) == 4
    checked = invoke(runner, "check", scenario, "--baseline", out, "--workers", 1)
    assert checked.exit_code == 0, checked.output
    assert "4 replications (the baseline's seeds)" in checked.output
    # A paired check runs the baseline's seeds, so another count is refused.
    assert "baseline's seeds" in one_error_line(invoke(runner, "check", scenario, "--baseline", out, "-n", 5))


def test_a_baseline_keeps_its_pooled_response_times_and_a_check_is_centred_on_them(tmp_path):
    # First-response times are centred on every replication's contacts pooled, in the baseline's
    # summary as in run -n and compare; a check judges the paired difference moved onto the
    # difference of the two pooled values, so the same code on the same seeds changes by exactly 0.
    from carebench.gate.baseline import read_baseline, write_baseline
    from carebench.gate.check import run_check
    from carebench.gate.regression import regression_paired
    from carebench.load.loader import scenario_from_data
    from carebench.runs.executors import SerialExecutor
    from carebench.runs.replicate import run_replications
    from carebench.runs.tasks import Variant
    from carebench.stats.sectioning import POOLED

    sc = scenario_from_data(mmc_data(horizon="1d", warmup="2h"), "mmc")
    (rep,) = run_replications([Variant("mmc", sc)], 4, SerialExecutor())
    base = read_baseline(write_baseline(tmp_path / "b.json", rep, "test"))
    summary = rep.summary()
    pooled = {k for k, e in summary.items() if e.method.startswith(POOLED)}
    assert "frt.p90.phone" in pooled and set(base.pooled) == pooled
    est = base.estimate("frt.p90.phone")
    assert est.mean == summary["frt.p90.phone"].mean != rep.values("frt.p90.phone").mean()
    assert est.method.startswith(POOLED) and est.low <= est.mean <= est.high
    assert not base.estimate("sla.phone").method.startswith(POOLED)
    report = run_check(rep, [], baseline=base)
    p90 = next(r for r in report.regressions if r.kpi == "frt.p90.phone")
    assert p90.baseline_mean == p90.current_mean == summary["frt.p90.phone"].mean and p90.difference.mean == 0.0
    # Moved, not re-estimated: the paired width is kept, centred on the pooled change.
    values = rep.values("frt.p90.phone")
    plain = regression_paired("frt.p90.phone", values, values * 1.1, 0.05)
    moved = regression_paired("frt.p90.phone", values, values * 1.1, 0.05, pooled=(100.0, 130.0))
    assert moved.difference.mean == 30.0 and moved.difference.half_width == plain.difference.half_width
    assert (moved.baseline_mean, moved.current_mean) == (100.0, 130.0)


def test_baseline_of_a_variant_needs_an_explicit_file(runner):
    line = one_error_line(invoke(runner, "baseline", "mmc", "--set", "pools.agents.agents=11"))
    assert "--out FILE" in line


POLICY = '''
from carebench.policies.fifo import Fifo


class Triage(Fifo):
    """FIFO{extra}."""
{body}
'''


def write_policy(folder: Path, triage_seconds: float | None) -> None:
    body = "" if triage_seconds is None else (
        f"\n    def triage_seconds(self, contact):\n        return {triage_seconds}\n")
    extra = "" if triage_seconds is None else f" with {triage_seconds:.0f} s of triage per contact"
    (folder / "careops_policy.py").write_text(POLICY.format(body=body, extra=extra))
    sys.modules.pop("careops_policy", None)
    importlib.invalidate_caches()


@pytest.fixture
def policy_folder(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("careops_policy", None)


def test_a_code_change_that_makes_service_worse_is_a_regression(runner, policy_folder):
    tmp_path = policy_folder
    # A care operation's own policy module changes under an unchanged scenario:
    # the baseline still matches, and the paired check flags what got worse.
    scenario = tmp_path / "ops.yaml"
    data = mmc_data(horizon="1d", warmup="2h")
    scenario.write_text(dump_yaml({**data, "policies": {"priority": "careops_policy:Triage"}}))
    base = tmp_path / "ops.json"
    write_policy(tmp_path, None)
    made = invoke(runner, "baseline", scenario, "--out", base, "-n", 5, "--workers", 1, "--allow-policy-import")
    assert made.exit_code == 0, made.output
    same = invoke(runner, "check", scenario, "--baseline", base, "--workers", 1, "--allow-policy-import")
    assert same.exit_code == 0 and "0 regressed" in same.output, same.output
    write_policy(tmp_path, 60.0)
    worse = invoke(runner, "check", scenario, "--baseline", base, "--workers", 1, "--allow-policy-import",
                   "--junit", tmp_path / "j.xml")
    assert worse.exit_code == 1, worse.output
    assert "REGRESSED" in worse.output and "KPIs regressed against the baseline" in worse.output
    failed = {c.get("name") for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")
              if c.find("failure") is not None}
    assert {"sla.phone", "frt.mean.phone", "frt.p90.phone"} <= failed
    assert "arrived.phone" not in {c.get("name") for c in ET.parse(tmp_path / "j.xml").getroot().iter("testcase")}
