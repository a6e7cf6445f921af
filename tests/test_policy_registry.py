"""Naming policies in scenario files: the registry, composition, user policies, the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import merge
from policy_helpers import multi_pool_data, public_data

from carebench.cli import cli
from carebench.load.loader import scenario_from_data
from carebench.load.yamlio import dump_yaml
from carebench.policies.compose import Layered
from carebench.policies.registry import PRIORITY_POLICIES, STAFFING_POLICIES, build_priority, describe_policies
from carebench.util.errors import ScenarioError

USER_POLICY = '''
"""A user's own priority policy: last in, first out."""
from carebench.engine.interface import PriorityPolicy


class Lifo(PriorityPolicy):
    """Newest first."""

    name = "lifo"

    def key(self, contact):
        return -contact.queued_at
'''


def problems(data) -> list[str]:
    try:
        scenario_from_data(data, "x.yaml")
    except ScenarioError as exc:
        return exc.problems
    return []


def one_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_cli_lists_every_policy_with_its_parameters():
    result = CliRunner().invoke(cli, ["policies"])
    assert result.exit_code == 0
    for row in describe_policies():
        assert row["name"] in result.output and row["summary"] in result.output
        for param in row["params"]:
            shown = f"{param['name']} (required)" if param["required"] else f"{param['name']}={param['default']!r}"
            assert shown in result.output
    assert {r["name"] for r in describe_policies()} == set(PRIORITY_POLICIES) | set(STAFFING_POLICIES)
    verbose = CliRunner().invoke(cli, ["policies", "-v"])
    assert "When to use" in verbose.output and "Cost" in verbose.output


def test_a_user_policy_loads_by_import_path_only_with_the_opt_in(tmp_path, monkeypatch):
    (tmp_path / "my_carebench_policies.py").write_text(USER_POLICY)
    monkeypatch.syspath_prepend(str(tmp_path))
    data = merge(public_data(horizon="1d", agents=1, rate=12),
                 {"policies": {"priority": "my_carebench_policies:Lifo"}})
    data["channels"]["twitter"]["concurrency"] = 1
    path = tmp_path / "lifo.yaml"
    path.write_text(dump_yaml(data))
    runner = CliRunner()
    refused = one_error(runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "r"), "--no-plots", "-q"]))
    assert "--allow-policy-import" in refused and not (tmp_path / "r").exists()
    result = runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "r"), "--no-plots", "-q",
                                 "--allow-policy-import", "--contacts", "csv"])
    assert result.exit_code == 0, result.output
    (out,) = (tmp_path / "r").iterdir()
    rows = (out / "contacts.csv").read_text().splitlines()[1:]
    assert json.loads((out / "kpis.json").read_text())["kpis"]["answered.twitter"] > 100
    # Last in, first out: while a queue stands, replies go to the newest contact, so some
    # contact is answered before an earlier one that was still waiting.
    pairs = sorted((float(r.split(",")[2]), float(r.split(",")[3] or "inf")) for r in rows)
    assert any(b[1] < a[1] for a, b in zip(pairs, pairs[1:]))


def test_an_action_policy_takes_an_ordering_policy_with_its_own_parameters():
    data = merge(multi_pool_data(), {"policies": {"priority": "deflect_complex", "params": {
        "deflect_complex": {"to": "email", "order": "urgency_triage"},
        "urgency_triage": {"triage_time": "45s"}}}})
    policy = build_priority(scenario_from_data(data))
    assert isinstance(policy, Layered) and policy.name == "deflect_complex"
    assert policy.order.triage_time == 45.0 and policy.uses("triage_seconds") and policy.uses("first_reply")
    assert not policy.uses("auto_acknowledge")


@pytest.mark.parametrize("params, expected", [
    ({"deflect_complex": {"order": "auto_ack_bot"}}, "expected an ordering policy"),
    ({"deflect_complex": {"order": "fastest"}}, "unknown policy 'fastest'"),
    ({"deflect_complex": {"order": "urgency_triage"}, "urgency_triage": {"triage_time": "soon"}},
     "policies.params.urgency_triage.triage_time"),
    ({"deflect_complex": {"to": "fax"}}, "unknown channel 'fax'"),
    ({"deflect_complex": {"reply_time": "0s"}}, "policies.params.deflect_complex.reply_time"),
])
def test_composition_mistakes_are_one_line_each(params, expected):
    data = merge(multi_pool_data(), {"policies": {"priority": "deflect_complex", "params": params}})
    found = problems(data)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize("params, expected", [
    ({"reserve": "marketing", "threshold": 5}, "unknown pool 'marketing'"),
    ({"reserve": "reserve", "trigger": "oldest_wait", "threshold": 30}, "expected a duration such as '45m'"),
    ({"reserve": "reserve", "trigger": "queue", "threshold": "30m"}, "expected a number >= 0 of contacts"),
    ({"reserve": "reserve"}, "policies.params.surge.threshold: required parameter missing"),
])
def test_surge_mistakes_are_one_line_each(params, expected):
    data = merge(multi_pool_data(), {"policies": {"staffing": "surge", "params": {"surge": params}}})
    found = problems(data)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize("breaks, expected", [
    ([{"start": "15:00", "duration": "30m", "agents": 1}], "got a window that is closed at 15:00"),
    ([{"start": "11:45", "duration": "30m", "agents": 1}], "got a window that ends before the break does"),
    ([{"start": "10:00", "duration": "1h", "agents": 2}, {"start": "10:30", "duration": "1h", "agents": 2}],
     "expected at most the shift's 3 agents on break at 10:30, got 4"),
])
def test_break_mistakes_name_the_place(tmp_path, breaks, expected):
    data = multi_pool_data()
    data["pools"]["social"]["shifts"] = [{"hours": "mon-fri 08:00-12:00", "breaks": breaks}]
    path = tmp_path / "breaks.yaml"
    path.write_text(dump_yaml(data))
    line = one_error(CliRunner().invoke(cli, ["validate", str(path)]))
    assert line.startswith(f"error: {path}: pools.social") and expected in line


def _shipped(name: str) -> dict:
    from carebench.load.loader import load_scenario

    return load_scenario(f"scenarios/{name}.yaml").model_dump(mode="json")


def test_the_shared_team_variant_differs_from_the_showdown_only_in_its_pools():
    dedicated, shared = _shipped("policy_showdown"), _shipped("policy_showdown_shared")
    for key in ("channels", "incidents", "customers", "behaviour", "policies", "horizon", "drain", "seed"):
        assert dedicated[key] == shared[key], key
    hours = lambda pools: sorted((s["hours"], s["agents"] or p["agents"], str(s["breaks"]))  # noqa: E731
                                 for p in pools.values() for s in p["shifts"])
    assert hours(dedicated["pools"]) == hours(shared["pools"])
    assert set(shared["pools"]["care"]["channels"]) == set(dedicated["channels"])


def test_the_policy_table_uses_the_same_seeds_for_every_policy():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "policy_table.py"
    spec = importlib.util.spec_from_file_location("policy_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fifo = module.replicate(module.SHOWDOWN, ["horizon=1d", "drain=0s"], 2)
    bot = module.replicate(module.SHOWDOWN, ["horizon=1d", "drain=0s", "policies.priority=auto_ack_bot"], 2)
    assert [r["arrived.all"] for r in fifo] == [r["arrived.all"] for r in bot]
    assert fifo[0]["arrived.all"] != fifo[1]["arrived.all"]
    rows = module.table([fifo, bot], ["fifo", "auto_ack_bot"])
    assert rows[0][5] == "-" and rows[1][5] == "+0.00 ± 0.00"  # the bot leaves exposure exactly as it was
    assert rows[1][1] == "100.0%"
