"""Small scenario builders shared by the tests (plain data in, validated Scenario out)."""

from __future__ import annotations

import copy
from typing import Any

from carebench.load.loader import scenario_from_data

__all__ = ["mmc", "two_channel", "build", "merge"]


def merge(base: dict, extra: dict) -> dict:
    """Deep-merge ``extra`` into a copy of ``base``."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def build(data: dict[str, Any], **extra: Any):
    """Validate scenario data (with top-level keys replaced by ``extra``)."""
    return scenario_from_data(merge(data, extra))


def mmc_data(rate_per_hour: float = 100.0, handle: str = "5m", agents: int = 10, horizon: str = "2d",
             warmup: str = "4h", patience: str | None = None) -> dict:
    """The M/M/c (or M/M/c+M with ``patience``) queue as scenario data."""
    channel = {
        "public": False, "sla": "20s", "first_response": "pickup",
        "handle_time": {"dist": "exponential", "mean": handle},
        "arrivals": {"per_hour": rate_per_hour},
    }
    if patience:
        channel["patience"] = {"dist": "exponential", "mean": patience}
    return {
        "name": "mmc-test", "horizon": horizon, "warmup": warmup, "seed": 7,
        "channels": {"phone": channel},
        "pools": {"agents": {"agents": agents, "channels": ["phone"]}},
        "report": {"bin": "1h"},
    }


def mmc(**kwargs: Any):
    """A validated M/M/c scenario."""
    return scenario_from_data(mmc_data(**kwargs))


def two_channel_data() -> dict:
    """A small public + private scenario with support hours, an incident and two pools."""
    return {
        "name": "two-channel", "horizon": "2d", "seed": 3,
        "channels": {
            "twitter": {
                "public": True, "sla": "1h", "handle_time": {"dist": "lognormal", "mean": "6m", "cv": 0.8},
                "concurrency": 2, "support_hours": "daily 08:00-22:00",
                "contacts": {"complaint": 0.7, "question": 0.2, "mention": 0.1},
                "arrivals": {"per_hour": 20},
            },
            "phone": {
                "public": False, "sla": "20s", "first_response": "pickup",
                "handle_time": {"dist": "exponential", "mean": "5m"},
                "patience": {"dist": "exponential", "mean": "2m"},
                "arrivals": {"per_hour": 30},
            },
        },
        "incidents": [{"channels": ["twitter"], "day": 1, "start": "10:00", "duration": "2h", "multiplier": 4}],
        "pools": {
            "social": {"agents": 2, "channels": ["twitter"]},
            "blended": {"agents": 3, "channels": ["phone", "twitter"], "prefer": ["phone"]},
        },
        "report": {"bin": "1h"},
    }


def two_channel(**extra: Any):
    """A validated two-channel scenario."""
    return build(two_channel_data(), **extra)
