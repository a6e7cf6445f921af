"""Agents required per pool and interval, from Erlang C/A per channel: where a schedule starts.

For every channel and interval the forecast rate of contacts needing a reply
and the workload each brings give the Erlang C (or A, when customers abandon)
agents that answer the channel's goal within its SLA
(:mod:`carebench.policies.forecast`, the same step interval staffing plans
with). Each channel's need is given to one pool — the most dedicated one
that serves it — so a multi-skilled agent is never counted twice; how much a
multi-skill pool really helps is left to the simulation, whose shortfalls
raise requirements through cuts (:mod:`carebench.loadtest.schedule`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from carebench.engine.arrivals import expected_arrivals
from carebench.engine.sources import channel_rate
from carebench.policies.forecast import agents_for, channel_load

__all__ = ["owners", "channel_requirements", "pool_requirements", "interval_count"]


def interval_count(scenario, width: float) -> int:
    """Intervals of ``width`` seconds covering the run up to its end (horizon plus drain)."""
    return max(1, int(np.ceil(scenario.end_time / width)))


def owners(scenario, pools: list[str]) -> dict[str, str]:
    """Channel -> the pool among ``pools`` with the fewest channels that serves it (ties by name)."""
    out = {}
    for ch in scenario.channels:
        serving = [p for p in pools if ch in scenario.pools[p].channels]
        if serving:
            out[ch] = min(serving, key=lambda p: (len(scenario.pools[p].channels), p))
    return out


def channel_requirements(scenario, width: float, goals: dict[str, float], slack: float = 0.0) -> dict[str, np.ndarray]:
    """Erlang agents per interval for each channel, at its goal less ``slack``.

    ``goals`` gives a channel's service-level goal (default: its ``sla_goal``).
    Intervals after the horizon, or outside the channel's support hours, need
    none; the warm-up is staffed like any other time.
    """
    n = interval_count(scenario, width)
    out = {}
    for name, chan in scenario.channels.items():
        model = "erlang_a" if chan.patience is not None else "erlang_c"
        load = channel_load(scenario, name, model)
        goal = min(max(goals.get(name, chan.sla_goal) - slack, 0.01), 0.999)
        load = dataclasses.replace(load, goal=goal)
        rate = channel_rate(scenario, name)
        need = np.zeros(n)
        for k in range(n):
            a, b = k * width, min((k + 1) * width, scenario.horizon)
            if a >= scenario.horizon:
                break
            if not chan.support_hours.always and not chan.support_hours.expand(a, b):
                continue
            need[k] = agents_for(load, expected_arrivals(rate, a, b) / (b - a))
        out[name] = need
    return out


def pool_requirements(scenario, pools: list[str], per_channel: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each pool's required agents per interval: the sum over the channels it owns (see :func:`owners`)."""
    own = owners(scenario, pools)
    size = len(next(iter(per_channel.values())))
    out = {p: np.zeros(size) for p in pools}
    for ch, need in per_channel.items():
        if ch in own:
            out[own[ch]] += need
    return out
