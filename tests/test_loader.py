"""Scenario validation: every error with its place, unknown keys refused, overrides, round trip."""

import pytest

from simulator.errors import ScenarioError, UserError
from simulator.loader import apply_overrides, load_scenario, parse_override, scenario_from_data, shipped_scenarios
from simulator.yamlio import dump_yaml, load_yaml_text
from tests.helpers import merge, mmc_data, two_channel_data


def problems(data):
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(data, "x.yaml")
    return info.value.problems


def test_bad_duration_names_file_place_and_expectation():
    data = merge(mmc_data(), {"channels": {"phone": {"sla": "soon"}}})
    assert problems(data) == ["x.yaml: channels.phone.sla: expected a duration such as '1h', got 'soon'"]


def test_unknown_key_is_an_error_not_a_default():
    data = merge(mmc_data(), {"channels": {"phone": {"slaa": "1h"}}})
    assert any("channels.phone.slaa: unknown key" in p for p in problems(data))


def test_every_error_is_reported_at_once():
    data = merge(mmc_data(), {"horizon": "forever", "pools": {"agents": {"agents": -1}}})
    found = problems(data)
    assert any(p.startswith("x.yaml: horizon:") for p in found)
    assert any(p.startswith("x.yaml: pools.agents.agents:") for p in found)


def test_distribution_errors_drop_the_union_tag_from_the_place():
    data = merge(mmc_data(), {"channels": {"phone": {"handle_time": {"dist": "lognormal", "mean": "5m"}}}})
    assert problems(data) == ["x.yaml: channels.phone.handle_time.cv: required but missing"]
    data = merge(mmc_data(), {"channels": {"phone": {"handle_time": {"dist": "weibull", "mean": "5m"}}}})
    assert "unknown distribution 'weibull'" in problems(data)[0]


def test_cross_references_are_checked():
    data = merge(mmc_data(), {"pools": {"agents": {"channels": ["phone", "fax"]}}})
    assert any("unknown channel 'fax'" in p for p in problems(data))


def test_profile_lengths_are_checked():
    data = merge(mmc_data(), {"channels": {"phone": {"arrivals": {"hourly_profile": [1] * 23}}}})
    assert any("channels.phone.arrivals.hourly_profile" in p for p in problems(data))


def test_unknown_policy_and_parameter():
    data = merge(mmc_data(), {"policies": {"priority": "fastest"}})
    assert any("unknown policy 'fastest'" in p for p in problems(data))
    data = merge(mmc_data(), {"policies": {"priority": "channel_priority", "params": {"channel_priority": {"ordr": 1}}}})
    assert any("policies.params.channel_priority" in p for p in problems(data))


def test_import_path_policy_needs_opt_in():
    data = merge(mmc_data(), {"policies": {"priority": "os:system"}})
    assert any("--allow-policy-import" in p for p in problems(data))


def test_overrides_set_nested_values_and_parse_yaml_scalars():
    data = apply_overrides(mmc_data(), [parse_override("pools.agents.agents=12"), parse_override("horizon=3d")])
    sc = scenario_from_data(data)
    assert sc.pools["agents"].agents == 12 and sc.horizon == 3 * 86400


@pytest.mark.parametrize("bad", ["noequals", "=3", "a..b=1"])
def test_bad_override_is_a_user_error(bad):
    with pytest.raises(UserError, match="expected PATH=VALUE"):
        parse_override(bad)


def test_dump_then_load_gives_the_same_scenario():
    sc = scenario_from_data(two_channel_data())
    again = scenario_from_data(load_yaml_text(dump_yaml(sc.model_dump(mode="json"))))
    assert again == sc
    assert again.fingerprint() == sc.fingerprint()


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_validates(name):
    from simulator.loader import shipped_scenario_path

    path = shipped_scenario_path(name)
    data = load_yaml_text(path.read_text())
    if "brands" in data:  # a study file, validated by its own tests
        pytest.skip("study file")
    assert load_scenario(path).name
