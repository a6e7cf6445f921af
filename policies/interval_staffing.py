"""Interval staffing: per interval, the Erlang agents each channel's target needs, plus shrinkage."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import StaffingContext, StaffingPolicy
from carebench.engine.roster import shift_roster
from carebench.model.distributions import Duration
from carebench.policies.forecast import agents_for, channel_load, mean_rate
from carebench.policies.params import PARAMS

__all__ = ["IntervalStaffing"]


@dataclass(config=PARAMS)
class IntervalStaffing(StaffingPolicy):
    """A roster built from the forecast, one interval at a time (the workforce-management way).

    For every ``interval`` (30 minutes by default) and every channel, the
    mean forecast rate of contacts needing a reply (profiles and scheduled
    incidents included; 0 while the channel is closed) and the workload per
    contact (mean handle time, plus the follow-up exchanges the conversation
    model expects at ``followup_handle_factor``) give the offered load; Erlang C
    (``model: erlang_c``) or Erlang A with the channel's mean patience
    (``model: erlang_a``; Erlang C where a channel has none) gives the fewest
    servers that answer ``sla_goal`` of contacts within the target. On a reply
    channel the target is shortened by one handle time, because the SLA clock
    stops when the reply is sent. Concurrency: an agent is ``concurrency``
    servers, so agents = ceil(servers / concurrency). Multi-channel pools:
    each channel's agents are computed as for a dedicated team and added up
    (conservative: the pooling gain of a blended team is left as slack). A
    channel's agents go to the most specialised pool that serves it (fewest
    channels, as the engine routes), the rest to the next one, within each
    pool's headcount. Finally each pool's count is divided by
    ``1 - shrinkage`` and rounded up. Pools not in ``pools`` (default: all)
    keep their declared shifts.
    The simulation treats every rostered agent as available, so shrinkage is
    a safety margin here (absence, meetings and coaching are not simulated;
    set ``shrinkage: 0`` for the bare Erlang roster, or model breaks on
    shifts). The backlog a closed channel builds overnight is not in the
    forecast, so the first intervals after opening can miss their target.
    When to use: the standard way to match staff to a forecast profile.
    Cost: needs a good forecast — an unforecast incident is met with the
    forecast's staff — and headcount to cover the peaks.
    """

    name = "interval_staffing"
    summary = "per interval, Erlang C/A agents for each channel's target from the forecast, plus shrinkage"
    interval: Duration = Field(default="30m", gt=0)  # type: ignore[assignment]
    shrinkage: float = Field(default=0.3, ge=0, lt=1)
    model: Literal["erlang_c", "erlang_a"] = "erlang_c"
    pools: tuple[str, ...] = ()

    def roster(self, context: StaffingContext) -> dict[str, list[tuple[float, int]]]:
        """Declared shifts for pools not planned; the forecast roster for the others."""
        scenario = context.scenario
        roster = shift_roster(scenario, context.end)
        planned = [p for p in scenario.pools if not self.pools or p in self.pools]
        if not planned:
            return roster
        routes = self._routes(scenario, planned)
        loads = {ch: channel_load(scenario, ch, self.model) for ch in routes}
        steps: dict[str, list[tuple[float, int]]] = {p: [] for p in planned}
        t = 0.0
        while t < context.end:
            length = min(self.interval, context.end - t)
            need = self._interval_need(context, scenario, planned, routes, loads, t, length)
            for pool in planned:
                n = min(scenario.pools[pool].agents, math.ceil(need[pool] / (1.0 - self.shrinkage)))
                if not steps[pool] or steps[pool][-1][1] != n:
                    steps[pool].append((t, n))
            t += self.interval
        roster.update(steps)
        return roster

    @staticmethod
    def _routes(scenario, planned: list[str]) -> dict[str, list[str]]:
        """Planned pools serving each channel, most specialised first (the engine's routing order)."""
        order = list(scenario.pools)
        routes = {}
        for ch in scenario.channels:
            pools = [p for p in planned if ch in scenario.pools[p].channels]
            if pools:
                routes[ch] = sorted(pools, key=lambda p: (len(scenario.pools[p].channels), order.index(p)))
        return routes

    @staticmethod
    def _interval_need(context, scenario, planned, routes, loads, start: float, length: float) -> dict[str, int]:
        """Productive agents per pool for ``[start, start + length)``."""
        room = {p: scenario.pools[p].agents for p in planned}
        need = dict.fromkeys(planned, 0)
        for ch, pools in routes.items():
            hours = scenario.channels[ch].support_hours
            if not hours.always and not hours.expand(start, start + length):
                continue
            agents = agents_for(loads[ch], mean_rate(context.rate, ch, start, length))
            for pool in pools:
                give = min(agents, room[pool])
                need[pool] += give
                room[pool] -= give
                agents -= give
        return need

    def pools_used(self) -> tuple[str, ...]:
        """The pools planned from the forecast."""
        return self.pools
