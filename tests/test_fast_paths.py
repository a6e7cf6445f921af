"""The engine's fast paths give exactly the general path's results.

A plain channel (:mod:`carebench.engine.plain`) skips the general machinery;
these runs are made twice, once with the fast path switched off, and every
reported number and the per-contact log must be the same.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from carebench.engine import core
from carebench.load.loader import load_scenario, scenario_from_data, shipped_scenario_path
from carebench.runs.simulate import simulate


def _busy_plain_channel() -> dict:
    """A private phone line with shifts, support hours, patience, mentions, urgency and an injection."""
    return {
        "name": "plain-busy", "horizon": "3d", "warmup": "6h", "seed": 4,
        "channels": {
            "phone": {"public": False, "sla": "30s", "first_response": "pickup",
                      "support_hours": "daily 07:00-21:00",
                      "handle_time": {"dist": "lognormal", "mean": "6m", "cv": 0.8},
                      "patience": {"dist": "exponential", "mean": "4m"},
                      "contacts": {"complaint": 0.5, "question": 0.4, "mention": 0.1},
                      "urgency": {"normal": 0.8, "high": 0.15, "crisis": 0.05},
                      "arrivals": {"per_hour": 90}},
            "email": {"public": False, "sla": "1d", "first_response": "reply",
                      "handle_time": {"dist": "exponential", "mean": "8m"}, "arrivals": {"per_hour": 6}},
        },
        "inject": [{"channel": "phone", "at": "30h", "followers": 5000, "kind": "complaint", "urgency": "high"}],
        "pools": {
            "phones": {"agents": 14, "channels": ["phone"],
                       "shifts": [{"hours": "daily 07:00-14:00", "agents": 9},
                                  {"hours": "daily 14:00-21:00", "agents": 7}]},
            "mail": {"agents": 2, "channels": ["email"]},
        },
        "report": {"bin": "1h"},
    }


CASES = {
    "mmc": lambda: load_scenario(shipped_scenario_path("mmc")),
    "viral_complaint": lambda: load_scenario(shipped_scenario_path("viral_complaint")),
    "plain-busy": lambda: scenario_from_data(_busy_plain_channel()),
}


def _run(scenario, seed: int) -> tuple[str, list[dict]]:
    rows: list[dict] = []
    result = simulate(scenario, seed, contact_sink=rows.append)
    return json.dumps(result.to_dict(), sort_keys=True, default=repr), rows


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("seed", [1, 9])
def test_plain_fast_path_matches_general_path(case, seed, monkeypatch):
    scenario = CASES[case]()
    fast, fast_rows = _run(scenario, seed)
    assert any(core.plain_channels(core.Engine(scenario, seed, *_policies(scenario)))), "no plain channel"
    monkeypatch.setattr(core, "plain_channels", lambda engine: [None] * len(engine.names))
    general, general_rows = _run(scenario, seed)
    assert fast == general
    assert len(fast_rows) == len(general_rows)
    for a, b in zip(fast_rows, general_rows):
        assert sorted(a) == sorted(b)
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=col)


def _policies(scenario):
    from carebench.policies.registry import build_priority, build_staffing

    return build_priority(scenario), build_staffing(scenario)
