"""Small scenarios and views shared by the policy tests."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from helpers import merge

from carebench.load.loader import scenario_from_data
from carebench.runs.simulate import simulate

__all__ = ["FrozenContact", "MINIMAL_PARAMS", "multi_pool_data", "with_policy", "run_log", "public_data"]


@dataclasses.dataclass(frozen=True)
class FrozenContact:
    """A read-only :class:`carebench.engine.interface.ContactView` for calling policies directly."""

    id: int = 0
    channel: str = "twitter"
    public: bool = True
    arrival: float = 0.0
    queued_at: float = 0.0
    sla: float = 3600.0
    expected_handle: float = 360.0
    followers: float = 150.0
    kind: int = 0
    urgency: int = 0
    responded: bool = False
    replied_at: float | None = None
    bot: bool = False
    exchanges: int = 0
    deflections: int = 0
    complex: bool = False


MINIMAL_PARAMS: dict[str, dict[str, Any]] = {
    "channel_priority": {"order": ["twitter", "facebook"]},
    "surge": {"reserve": "reserve", "threshold": 5},
}
"""Parameters a policy cannot do without, for the multi-pool scenario (add a new policy's here)."""


def multi_pool_data(horizon: str = "1d") -> dict:
    """Twitter, Facebook, email and an unstaffed phone line; a social team, a mail team and a reserve.

    Email is served only by the mail team from 08:00 to 16:00 with a fixed
    10-minute handle time; nobody is skilled for phone. Conversations, bumps,
    virality, peer answers and an urgency mix are on.
    """
    social = {"public": True, "sla": "1h", "concurrency": 2,
              "handle_time": {"dist": "lognormal", "mean": "6m", "cv": 0.8},
              "contacts": {"complaint": 0.6, "question": 0.3, "mention": 0.1},
              "urgency": {"normal": 0.8, "high": 0.15, "crisis": 0.05}}
    return {
        "name": "multi-pool", "horizon": horizon, "seed": 5,
        "channels": {
            "twitter": merge(social, {"arrivals": {"per_hour": 30}}),
            "facebook": merge(social, {"sla": "2h", "arrivals": {"per_hour": 12}}),
            "email": {"public": False, "sla": "24h", "handle_time": {"dist": "deterministic", "value": "10m"},
                      "arrivals": {"per_hour": 6}},
            "phone": {"public": False, "sla": "20s", "first_response": "pickup",
                      "handle_time": {"dist": "exponential", "mean": "5m"},
                      "patience": {"dist": "exponential", "mean": "2m"}, "arrivals": {"per_hour": 5}},
        },
        "incidents": [{"channels": ["twitter"], "day": 1, "start": "10:00", "duration": "2h", "multiplier": 4}],
        "customers": {"value": 100},
        "pools": {
            "social": {"agents": 3, "channels": ["twitter", "facebook"], "prefer": ["twitter"]},
            "mail": {"agents": 2, "channels": ["email"], "shifts": [{"hours": "daily 08:00-16:00"}]},
            "reserve": {"agents": 2, "channels": ["twitter"], "shifts": []},
        },
        "behaviour": {"conversation": {}, "bumps": {}, "virality": {}, "peer_answers": {}, "deflection": {}},
        "report": {"bin": "1h"},
    }


def public_data(horizon: str = "2d", agents: int = 3, rate: float = 30.0) -> dict:
    """One public channel (1 h target) and one team, a two-hour incident on day 1: for behaviour tests."""
    return {
        "name": "public", "horizon": horizon, "seed": 11,
        "channels": {"twitter": {
            "public": True, "sla": "1h", "concurrency": 2,
            "handle_time": {"dist": "lognormal", "mean": "6m", "cv": 0.8},
            "contacts": {"complaint": 0.7, "question": 0.3, "mention": 0.0},
            "urgency": {"normal": 0.85, "high": 0.1, "crisis": 0.05},
            "arrivals": {"per_hour": rate}}},
        "incidents": [{"channels": ["twitter"], "day": 1, "start": "09:00", "duration": "3h", "multiplier": 4}],
        "pools": {"social": {"agents": agents, "channels": ["twitter"]}},
        "report": {"bin": "1h"},
    }


def with_policy(data: dict, priority: str | None = None, staffing: str | None = None,
                **params: dict[str, Any]):
    """The scenario ``data`` with the given policies and ``params`` per policy name, validated."""
    policies: dict[str, Any] = {"params": params}
    if priority:
        policies["priority"] = priority
    if staffing:
        policies["staffing"] = staffing
    return scenario_from_data(merge(data, {"policies": policies}))


def run_log(scenario, seed: int | None = None):
    """Run ``scenario`` and return the result with its per-contact log, rows in id (arrival) order."""
    batches: list[dict] = []
    result = simulate(scenario, seed, contact_sink=batches.append)
    cols = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]} if batches else {}
    if cols:
        order = np.argsort(cols["id"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
    return result, cols
