"""Replaying a trace: its arrival times replace a scenario's arrival process.

Simulated time 0 is a wall-clock instant of the trace's time zone (by default
midnight of the Monday on or before the first contact, since a simulated week
starts on a Monday and support hours are wall-clock times). Each channel the
trace covers gets ``arrivals.times``; its team, policies, behaviour and every
other channel are unchanged, and the contacts' attributes (handle times,
patience, ...) are drawn from the scenario's own streams, so two teams
replaying one trace differ only in the team (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from carebench.model.scenario import Scenario
from carebench.trace.records import CountTrace, Trace, monday_before
from carebench.trace.timeparse import wall_text
from carebench.util.errors import UserError
from carebench.util.units import DAY, HOUR

__all__ = ["replay_scenario", "arrival_times", "Replay", "channel_map"]


@dataclass(frozen=True)
class Replay:
    """What a replay did: the start instant, horizon and contacts per scenario channel."""

    start: float
    horizon: float
    contacts: dict[str, int]
    dropped: int

    def lines(self) -> list[str]:
        """A one-line-per-fact description for the terminal."""
        per = ", ".join(f"{k} {v:,}" for k, v in self.contacts.items())
        out = [f"replayed from {wall_text(self.start)} for {self.horizon / DAY:g} days: {per}"]
        if self.dropped:
            out.append(f"{self.dropped:,} contacts outside the horizon not replayed")
        return out


def arrival_times(trace: Trace | CountTrace, start: float, horizon: float, channel: str | None = None,
                  seed: int = 0) -> np.ndarray:
    """Sorted arrival times (seconds from ``start``) of ``channel``'s contacts inside ``[0, horizon)``.

    Counts per interval are spread uniformly inside their intervals (``seed``).
    """
    if isinstance(trace, CountTrace):
        wall = trace.to_times(seed)
    else:
        wall = trace.arrival if channel is None else trace.arrival[trace.channel == channel]
    t = wall - start
    return np.sort(t[(t >= 0) & (t < horizon)])


def channel_map(trace: Trace | CountTrace, scenario: Scenario, channel: str | None) -> dict[str | None, str]:
    """Trace channel (None: all contacts) → scenario channel."""
    names = list(scenario.channels)
    if channel is not None:
        if channel not in names:
            raise UserError(f"--channel {channel!r}: not a channel of scenario {scenario.name!r}; "
                            f"expected one of {names}")
        return {None: channel}
    found = [c for c in trace.channels() if c]
    if found and all(c in names for c in found):
        return {c: c for c in found}
    if len(names) == 1:
        return {None: names[0]}
    raise UserError(f"the trace's channels {found or ['(none)']} are not all channels of scenario "
                    f"{scenario.name!r} ({names}): name the one to replay into with --channel")


def replay_scenario(scenario: Scenario, trace: Trace | CountTrace, *, channel: str | None = None,
                    start: float | None = None, horizon: float | None = None, seed: int = 0) -> tuple[Scenario, Replay]:
    """``scenario`` with the trace's arrivals in place of its arrival process.

    ``start`` (wall-clock seconds) defaults to the Monday before the first
    contact; ``horizon`` (seconds) to the trace's span in whole days from there.
    """
    first = float(trace.start.min() if isinstance(trace, CountTrace) else trace.arrival.min()) if len(trace) else 0.0
    last = float(trace.start.max() + trace.interval if isinstance(trace, CountTrace)
                 else trace.arrival.max()) if len(trace) else 0.0
    start = monday_before(first) if start is None else start
    if horizon is None:
        horizon = max(math.ceil((last - start + 1) / DAY), 1) * DAY
    if scenario.warmup >= horizon:
        raise UserError(f"the replay's horizon ({horizon / DAY:g} days) is not longer than the scenario's warm-up")
    data = scenario.as_data()
    data["horizon"] = f"{horizon}s"
    counts, replayed = {}, 0
    for source, target in channel_map(trace, scenario, channel).items():
        times = arrival_times(trace, start, horizon, source, seed)
        arr = data["channels"][target]["arrivals"]
        arr["times"] = times.tolist()
        arr["per_hour"] = times.size / (horizon / HOUR)
        counts[target] = int(times.size)
        replayed += times.size
    return Scenario.model_validate(data), Replay(start, horizon, counts, len(trace) - replayed)
