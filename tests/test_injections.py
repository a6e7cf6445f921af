"""Injected contacts: a given contact at a given time, on top of unchanged background traffic."""

import numpy as np
import pytest
from helpers import two_channel_data

from carebench.load.loader import load_scenario, scenario_from_data, shipped_scenario_path
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError


def log(scenario):
    batches = []
    simulate(scenario, contact_sink=batches.append)
    return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}


def test_an_injected_contact_arrives_once_and_leaves_the_background_unchanged():
    data = two_channel_data()
    base = log(scenario_from_data(data))
    data["inject"] = [{"channel": "twitter", "at": "9h", "followers": 100000, "kind": "complaint"}]
    with_one = log(scenario_from_data(data))
    assert with_one["id"].size == base["id"].size + 1
    hit = with_one["followers"] == 100000
    assert hit.sum() == 1 and with_one["arrival"][hit][0] == pytest.approx(9 * 3600)
    background = sorted(zip(base["channel"].tolist(), base["arrival"].tolist(), base["followers"].tolist()))
    rest = sorted(zip(with_one["channel"][~hit].tolist(), with_one["arrival"][~hit].tolist(),
                      with_one["followers"][~hit].tolist()))
    assert rest == background


def test_injections_are_validated():
    data = two_channel_data()
    data["inject"] = [{"channel": "fax", "at": "1h"}, {"channel": "twitter", "at": "9d"}]
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(data, "x.yaml")
    assert info.value.problems == [
        "x.yaml: inject.0.channel: unknown channel 'fax', expected one of ['phone', 'twitter']",
        "x.yaml: inject.1.at: expected a time before the horizon (172800s)",
    ]


def test_the_shipped_viral_complaint_grows_while_it_waits_overnight():
    path = shipped_scenario_path("viral_complaint")
    k = simulate(load_scenario(path)).kpis
    night_off = simulate(load_scenario(path, ["inject=[]"])).kpis
    assert k["viral.total"] > night_off["viral.total"] + 5
    assert k["exposure.total"] > 1.5 * night_off["exposure.total"]
    assert k["exposure.top1_share"] > 0.5  # one author dominates
