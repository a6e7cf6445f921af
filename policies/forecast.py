"""Agents needed per channel and interval from the forecast (used by interval staffing).

A planner's forecast-to-roster step: for each interval, the expected rate of
contacts needing a reply, the workload each brings (handle time, plus the
follow-up exchanges of a conversation), and the Erlang C (or Erlang A)
number of agents that answers the channel's ``sla_goal`` share within its
target. Everything here is a pure function of the scenario and the rate
forecast; nothing looks at a running simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from carebench.analytic.erlang import agents_needed

__all__ = ["ChannelLoad", "channel_load", "mean_rate", "expected_exchanges", "agents_for"]

_MIN_TARGET = 1.0  # seconds; a reply channel whose target is shorter than a reply is still staffed


@dataclass(frozen=True)
class ChannelLoad:
    """What one contact of a channel asks of the team, on average.

    ``reply_share`` is the share of arrivals that need a reply (mentions do
    not); ``work`` the agent-seconds per such contact over its whole
    conversation; ``target`` the wait that still meets the SLA (the target,
    less the first reply's handle time on a reply channel, where the clock
    stops when the reply is sent); ``goal`` the share to meet; ``patience``
    the mean patience for Erlang A (None: nobody abandons); ``concurrency``
    contacts an agent works at once.
    """

    reply_share: float
    work: float
    target: float
    goal: float
    patience: float | None
    concurrency: int


def expected_exchanges(conversation, channel: str) -> float:
    """Mean number of agent replies a contact needs under the conversation model (1 when off)."""
    if conversation is None or (conversation.channels is not None and channel not in conversation.channels):
        return 1.0
    p, top = conversation.resolve_per_reply, conversation.max_exchanges
    if top <= 1:
        return 1.0
    # 1 + Geometric(p) replies (at least 2), capped at max_exchanges
    more = sum(k * p * (1 - p) ** (k - 2) for k in range(2, top)) + top * (1 - p) ** (top - 2)
    first = conversation.resolve_on_first_reply
    return first + (1 - first) * more


def channel_load(scenario, name: str, model: str) -> ChannelLoad:
    """The per-contact workload and service goal of channel ``name``."""
    ch = scenario.channels[name]
    conv = scenario.behaviour.conversation
    handle = ch.handle_time.mean_value
    extra = expected_exchanges(conv, name) - 1.0
    factor = conv.followup_handle_factor if conv is not None else 0.0
    target = ch.sla if ch.first_response == "pickup" else max(ch.sla - handle, _MIN_TARGET)
    patience = ch.patience.mean_value if model == "erlang_a" and ch.patience is not None else None
    return ChannelLoad(
        reply_share=1.0 - ch.contacts.mention,
        work=handle * (1.0 + extra * factor),
        target=target,
        goal=min(max(ch.sla_goal, 0.01), 0.999),
        patience=patience,
        concurrency=ch.concurrency,
    )


def mean_rate(rate: Callable[[str, float], float], name: str, start: float, length: float) -> float:
    """Mean arrival rate per second of ``name`` over ``[start, start + length)``, sampled each minute."""
    steps = max(1, round(length / 60.0))
    width = length / steps
    return sum(rate(name, start + (i + 0.5) * width) for i in range(steps)) / steps


def agents_for(load: ChannelLoad, rate: float) -> int:
    """Agents (not servers) the channel needs at ``rate`` arrivals per second."""
    if rate <= 0.0:
        return 0
    servers = _servers(rate * load.reply_share, load.work, load.target, load.goal, load.patience)
    return math.ceil(servers / load.concurrency)


@lru_cache(maxsize=4096)
def _servers(rate: float, work: float, target: float, goal: float, patience: float | None) -> int:
    # Profiles repeat every day and week, so the same question comes back often.
    return agents_needed(rate, work, target, goal, patience=patience)
