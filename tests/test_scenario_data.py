"""A Scenario is plain data: it pickles, it survives a trip through YAML unchanged, and its words
for contact kinds and urgencies are the enums' (:mod:`carebench.model.kinds`).

Distributions are module-level classes (not built by a factory at run time),
so pickle can name them and a scenario can go to a worker process as it is.
"""

from __future__ import annotations

import pickle

import pytest

from carebench.load.loader import load_scenario, scenario_from_data, shipped_scenario_path, shipped_scenarios
from carebench.load.yamlio import dump_yaml, load_yaml_text
from carebench.model.kinds import Kind, Urgency
from carebench.study.resolve import shipped_studies
from carebench.util.errors import ScenarioError

SCENARIOS = sorted(set(shipped_scenarios()) - set(shipped_studies()))


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_shipped_scenario_pickles_and_round_trips(name):
    scenario = load_scenario(shipped_scenario_path(name))
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario and copy.fingerprint() == scenario.fingerprint()
    assert type(copy.channels[next(iter(copy.channels))].handle_time) is type(
        scenario.channels[next(iter(scenario.channels))].handle_time)


@pytest.mark.parametrize("name", SCENARIOS)
def test_load_of_dump_is_the_same_scenario(name):
    scenario = load_scenario(shipped_scenario_path(name))
    text = dump_yaml(scenario.as_data())
    again = scenario_from_data(load_yaml_text(text))
    assert again == scenario
    assert dump_yaml(again.as_data()) == text


def test_the_two_distribution_families_stay_apart():
    from carebench.model.distributions import CountLognormal, Lognormal

    data = load_scenario(shipped_scenario_path("default")).as_data()
    data["customers"]["followers"] = {"dist": "lognormal", "mean": 500, "cv": 2}
    scenario = scenario_from_data(data)
    assert isinstance(scenario.customers.followers, CountLognormal)
    assert all(type(c.handle_time).__name__ in ("Exponential", "Lognormal", "Gamma", "Deterministic", "Uniform",
                                                 "Empirical") for c in scenario.channels.values())
    assert CountLognormal is not Lognormal and CountLognormal.__module__ == Lognormal.__module__
    data["customers"]["followers"] = {"dist": "lognormal", "mean": "5m", "cv": 2}
    with pytest.raises(ScenarioError, match="customers.followers.mean"):
        scenario_from_data(data)


def test_the_mixes_of_a_channel_are_written_in_the_enums_words():
    from carebench.model.behaviour import ContactMix, UrgencyMix
    from carebench.model.kinds import KIND_NAMES, URGENCY_NAMES

    assert tuple(ContactMix.model_fields) == KIND_NAMES
    assert tuple(UrgencyMix.model_fields) == URGENCY_NAMES


def test_injected_kind_and_urgency_are_enum_members_written_as_words():
    data = load_scenario(shipped_scenario_path("mmc")).as_data()
    channel = next(iter(data["channels"]))
    data["inject"] = [{"channel": channel, "at": "1h", "kind": "question", "urgency": "crisis"}]
    (inj,) = scenario_from_data(data).inject
    assert inj.kind is Kind.QUESTION and inj.urgency is Urgency.CRISIS
    assert scenario_from_data(data).as_data()["inject"][0] == {
        "channel": channel, "at": "3600s", "followers": 0.0, "kind": "question", "urgency": "crisis"}
    data["inject"][0]["kind"] = "mention"  # a mention needs no reply: not something to inject
    with pytest.raises(ScenarioError, match=r"inject.0.kind: expected one of 'complaint', 'question', got 'mention'"):
        scenario_from_data(data, "<scenario>")
