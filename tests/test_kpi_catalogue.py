"""The KPI catalogue matches what runs emit, and the docs' KPI page is what it generates.

Every shipped scenario runs for one simulated day, plus variants that switch on
what no shipped scenario does by default (deflection to a channel and to a
link, an acknowledgement bot). Each run must emit exactly the names the
catalogue expands to for its channels and pools, each value within its
family's bounds, and every family must take a defined, non-zero value in at
least one run, so an entry that no feature produces any more is caught too.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from carebench.cli import cli
from carebench.gate.check import collect_thresholds
from carebench.kpis import catalogue
from carebench.kpis.catalogue import CATALOGUE, Better, Unit, find
from carebench.load.loader import load_scenario, scenario_from_data, shipped_scenario_path, shipped_scenarios
from carebench.load.yamlio import load_yaml_file
from carebench.output.compare_report import fmt_value
from carebench.runs.simulate import simulate
from carebench.stats.intervals import kpi_direction
from carebench.util.errors import ScenarioError, UserError

REPO = Path(__file__).resolve().parent.parent
SMALL = ["horizon=1d", "warmup=0s"]
STUDIES = {"stella_24h", "uk_isps"}  # mystery-shopper studies, not scenarios
VARIANTS = [
    ("policy_showdown", ["policies.priority=deflect_complex"]),
    ("policy_showdown", ["policies.priority=deflect_complex", "policies.params.deflect_complex.to=link"]),
    ("default", ["policies.priority=auto_ack_bot"]),
    # Public posts dropped, expired and left open after their authors gave up (docs/public-channels.md).
    ("default", ["drain=0s", "policies.params.triage_window.drop_after=8h", "channels.facebook.expire_after=2h",
                 "channels.twitter.support_hours=daily 08:00-12:00",
                 "channels.facebook.patience={dist: exponential, mean: 10m}"]),
]
RUNS = [(name, []) for name in shipped_scenarios() if name not in STUDIES] + VARIANTS


@pytest.fixture(scope="module")
def runs():
    out = []
    for name, extra in RUNS:
        sc = load_scenario(shipped_scenario_path(name), [*SMALL, *extra])
        out.append((f"{name} {' '.join(extra)}".strip(), sc, simulate(sc)))
    return out


def test_the_runs_cover_every_shipped_scenario() -> None:
    names = {name for name, _ in RUNS}
    assert names == set(shipped_scenarios()) - STUDIES
    for study in STUDIES:
        assert "brands" in load_yaml_file(shipped_scenario_path(study))  # a study, rightly left out


def test_every_emitted_kpi_is_in_the_catalogue_and_nothing_else(runs) -> None:
    for label, sc, result in runs:
        unmatched = [k for k in result.kpis if find(k) is None]
        assert not unmatched, f"{label}: not in the KPI catalogue: {unmatched}"
        expected = catalogue.names(list(sc.channels), list(sc.pools))
        assert sorted(result.kpis) == sorted(expected), label


def test_every_value_lies_within_its_familys_bounds(runs) -> None:
    for label, _, result in runs:
        for kpi, value in result.kpis.items():
            low, high = find(kpi).bounds
            assert math.isnan(value) or low <= value <= high, f"{label}: {kpi} = {value}"


def test_every_catalogue_entry_is_emitted_with_a_real_value(runs) -> None:
    live = {f.pattern: False for f in CATALOGUE}
    for _, _, result in runs:
        for kpi, value in result.kpis.items():
            if not math.isnan(value) and value != 0:
                live[find(kpi).pattern] = True
    assert [p for p, seen in live.items() if not seen] == []


def test_a_name_belongs_to_the_family_that_generates_it() -> None:
    channels, pools = ["twitter", "email"], ["social"]
    for family in CATALOGUE:
        for name in family.names(channels, pools):
            assert find(name) is family, name
    assert len({f.pattern for f in CATALOGUE}) == len(CATALOGUE)
    assert all(f.meaning and f.bounds[0] <= f.bounds[1] for f in CATALOGUE)


def test_fixed_names_win_over_patterns() -> None:
    assert find("exposure.total").unit is Unit.FOLLOWER_HOURS and find("exposure.total").exact
    assert find("exposure.top1_share").unit is Unit.SHARE
    assert find("agent_hours.total").pattern == "agent_hours.total"
    assert find("frt.p95.email") is None and find("sla") is None and find("sla.twitter.x") is None


def test_the_families_the_old_tables_missed_have_units_and_directions() -> None:
    assert catalogue.kind("frt_band.p90.lt100") == "time"  # was read as a plain number
    assert kpi_direction("frt_band.p90.lt100") == -1 and kpi_direction("gave_up.twitter") == -1
    assert catalogue.kind("opened_per_day.email") == "amount" and kpi_direction("resolved.email") == 0
    assert fmt_value("frt_band.p90.lt100", 5400.0) == "1h30m"
    assert find("utilisation.social").better is Better.NEITHER


def test_unknown_names_get_close_suggestions_in_one_line() -> None:
    message = str(catalogue.unknown("frtt.p90.email", "--metric"))
    assert message.startswith("--metric: 'frtt.p90.email' is not a KPI carebench reports; did you mean")
    assert "'frt.p90.email'" in message and "\n" not in message
    among = catalogue.names(["twitter"], [])
    assert "did you mean 'sla.twitter'?" in str(catalogue.unknown("sla.twiter", "x", among=among))


def test_docs_kpi_page_is_what_the_catalogue_generates() -> None:
    page = REPO / "docs" / "kpis.md"
    assert page.read_text(encoding="utf-8") == catalogue.markdown(), (
        "docs/kpis.md is stale: run `python -m carebench.kpis > docs/kpis.md`")
    assert "python -m carebench.kpis > docs/kpis.md" in "\n".join(page.read_text().splitlines()[:8])
    for family in CATALOGUE:
        assert f"| `{family.pattern}` |" in page.read_text(encoding="utf-8")


def test_the_module_prints_the_page() -> None:
    out = subprocess.run([sys.executable, "-W", "error", "-m", "carebench.kpis"], capture_output=True, text=True,
                         check=True)
    assert out.stdout == catalogue.markdown()


def _data(**changes):
    data = load_yaml_file(shipped_scenario_path("mmc"))
    data.update(changes)
    return data


def test_scenario_thresholds_must_name_a_kpi_of_the_scenario() -> None:
    channel = next(iter(load_scenario(shipped_scenario_path("mmc")).channels))
    assert scenario_from_data(_data(thresholds=[f"sla.{channel} >= 50%"]))
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(_data(thresholds=[f"sla.{channel}x >= 50%", "frt_band.p90.lt100 < 24"]), "x.yaml")
    lines = str(info.value).splitlines()
    assert lines[0] == (f"x.yaml: thresholds.0: threshold 'sla.{channel}x >= 50%': 'sla.{channel}x' is not "
                        f"a KPI of this scenario; did you mean 'sla.{channel}'?")
    assert lines[1].startswith("x.yaml: thresholds.1: threshold 'frt_band.p90.lt100 < 24': 'frt_band.p90.lt100' "
                               "is a time")


def test_check_refuses_a_threshold_on_a_kpi_the_scenario_lacks_before_running() -> None:
    with pytest.raises(UserError, match="'sla.twiter' is not a KPI of this scenario; did you mean 'sla.twitter'"):
        collect_thresholds([], ["sla.twiter >= 0.9"], catalogue.names(["twitter"], []))
    result = CliRunner().invoke(cli, ["check", "mmc", "--threshold", "frtt.p90.all < 1h", "--replications", "2"])
    assert result.exit_code == 2
    assert "'frtt.p90.all' is not a KPI carebench reports; did you mean 'frt.p90.all'" in result.output


def test_loadtest_metric_is_checked_against_the_catalogue() -> None:
    result = CliRunner().invoke(cli, ["loadtest", "mmc", "--metric", "slaa.all", "--target", "0.8"])
    assert result.exit_code == 2
    assert "--metric: 'slaa.all' is not a KPI carebench reports; did you mean 'sla.all'" in result.output


def test_the_kpis_command_lists_the_catalogue_and_a_scenarios_names() -> None:
    listed = CliRunner().invoke(cli, ["kpis"])
    assert listed.exit_code == 0
    for family in CATALOGUE:
        assert family.pattern in listed.output and family.meaning in listed.output
    sc = load_scenario(shipped_scenario_path("mmc"))
    named = CliRunner().invoke(cli, ["kpis", "mmc"])
    assert named.exit_code == 0
    rows = [line.split()[0] for line in named.output.splitlines()[2:]]
    assert rows == catalogue.names(list(sc.channels), list(sc.pools))
    assert CliRunner().invoke(cli, ["kpis", "no_such_scenario"]).exit_code == 2
