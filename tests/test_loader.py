"""Scenario validation: every error with its place, unknown keys refused, overrides, round trip."""

import pytest
from helpers import merge, mmc_data, two_channel_data

from carebench.load.loader import (
    apply_overrides,
    load_scenario,
    parse_override,
    scenario_from_data,
    shipped_scenario_path,
    shipped_scenarios,
)
from carebench.load.yamlio import dump_yaml, load_yaml_text
from carebench.study.resolve import shipped_studies
from carebench.util.errors import ScenarioError, UserError


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


@pytest.mark.parametrize("name", sorted(set(shipped_scenarios()) - set(shipped_studies())))
def test_every_shipped_scenario_validates(name):
    # Study files (stella_24h, uk_isps) are validated by the study tests.
    assert load_scenario(shipped_scenario_path(name)).name == name


def test_setting_a_pools_headcount_scales_its_explicit_shifts():
    data = {"pools": {"social": {"agents": 11, "channels": ["twitter"],
                                 "shifts": [{"hours": "daily 08:00-15:00", "agents": 6},
                                            {"hours": "daily 15:00-22:00", "agents": 5},
                                            {"hours": "sat 10:00-12:00"}]}}}
    def shifts(*overrides):
        out = apply_overrides(data, [parse_override(o) for o in overrides])
        return [s.get("agents") for s in out["pools"]["social"]["shifts"]]
    assert shifts("pools.social.agents=8") == [4, 4, None]  # 6*8/11 = 4.4, 5*8/11 = 3.6
    assert shifts("pools.social.agents=14") == [8, 6, None]
    assert shifts("pools.social.agents=11") == [6, 5, None]
    assert shifts("pools.social.agents=1") == [1, 1, None]  # a staffed shift keeps someone
    assert shifts("pools.social.agents=0") == [0, 0, None]
    # An explicit shift override wins whatever its order.
    assert shifts("pools.social.shifts.0.agents=7", "pools.social.agents=8") == [7, 4, None]
    assert shifts("pools.social.agents=8", "pools.social.shifts.1.agents=2") == [4, 2, None]
    assert data["pools"]["social"]["shifts"][0]["agents"] == 6  # the input is not changed
