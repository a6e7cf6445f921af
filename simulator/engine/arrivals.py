"""Non-homogeneous Poisson arrivals that honour profiles, incidents and load shapes exactly.

The rate of a channel is piecewise: it changes at every hour boundary
(hour-of-day and day-of-week profiles), at every incident's start and end, and
wherever a load shape says. Time is cut at all those breakpoints; within a
piece where the rate is constant the number of arrivals is drawn as
``Poisson(rate × length)`` and their times uniformly (exact, so a ten-minute
peak is never skipped); within a piece where a load shape varies (a ramp),
arrivals are drawn at the piece's maximum rate and thinned. Arrivals come in
blocks, one piece at a time, so memory does not grow with the run length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from carebench.util.units import HOUR

__all__ = ["LoadShape", "ChannelRate", "arrival_blocks", "expected_arrivals"]


class LoadShape(Protocol):
    """A multiplier of arrival rates over simulated time (a pure function of ``t``)."""

    def breakpoints(self, start: float, end: float) -> Sequence[float]:
        """Times in ``(start, end)`` where the multiplier's formula changes."""

    def factor(self, t: float) -> float:
        """The multiplier at time ``t``."""

    def max_factor(self, start: float, end: float) -> float:
        """An upper bound of the multiplier over ``[start, end)``."""

    def is_constant(self, start: float, end: float) -> bool:
        """Whether the multiplier is constant over ``[start, end)``."""


@dataclass(frozen=True)
class ChannelRate:
    """Everything that sets one channel's arrival rate.

    ``base(t)`` is the profile rate (per second) before multipliers;
    ``incidents`` are ``(start, end, multiplier)``; ``shape`` an optional load shape.
    """

    base_per_hour: float
    hourly: tuple[float, ...]
    weekly: tuple[float, ...]
    incidents: tuple[tuple[float, float, float], ...] = ()
    shape: LoadShape | None = None

    def constant_rate(self, a: float, b: float) -> float:
        """Rate per second on ``[a, b)`` excluding the load shape (constant between breakpoints)."""
        day, rest = divmod(a, 86400.0)
        rate = self.base_per_hour / HOUR * self.hourly[int(rest // HOUR)] * self.weekly[int(day) % 7]
        for start, end, mult in self.incidents:
            if start <= a < end:
                rate *= mult
        return rate

    def rate(self, t: float) -> float:
        """The full rate per second at time ``t``."""
        r = self.constant_rate(t, t)
        return r * self.shape.factor(t) if self.shape is not None else r

    def breakpoints(self, start: float, end: float) -> list[float]:
        """Sorted times cutting ``[start, end)`` into pieces of constant formula."""
        cuts = set(np.arange(np.ceil(start / HOUR) * HOUR, end, HOUR).tolist())
        for a, b, _ in self.incidents:
            cuts.update(t for t in (a, b) if start < t < end)
        if self.shape is not None:
            cuts.update(t for t in self.shape.breakpoints(start, end) if start < t < end)
        cuts.update((start, end))
        return sorted(cuts)


def _piece(rate: ChannelRate, a: float, b: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times on ``[a, b)``."""
    base = rate.constant_rate(a, b)
    shape = rate.shape
    if shape is None or shape.is_constant(a, b):
        mult = 1.0 if shape is None else shape.factor(a)
        n = rng.poisson(base * mult * (b - a))
        return np.sort(rng.uniform(a, b, n))
    top = shape.max_factor(a, b)
    n = rng.poisson(base * top * (b - a))
    times = np.sort(rng.uniform(a, b, n))
    if top <= 0:
        return times[:0]
    keep = rng.uniform(0.0, top, n) < np.array([shape.factor(t) for t in times])
    return times[keep]


def arrival_blocks(
    rate: ChannelRate, start: float, end: float, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Yield sorted arrival-time arrays piece by piece over ``[start, end)``."""
    cuts = rate.breakpoints(start, end)
    for a, b in zip(cuts[:-1], cuts[1:]):
        times = _piece(rate, a, b, rng)
        if times.size:
            yield times


def expected_arrivals(rate: ChannelRate, start: float, end: float, steps_per_piece: int = 64) -> float:
    """The expected number of arrivals on ``[start, end)`` (exact for constant pieces)."""
    cuts = rate.breakpoints(start, end)
    total = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        if rate.shape is None or rate.shape.is_constant(a, b):
            total += rate.rate(a) * (b - a)
        else:  # midpoint rule on a varying piece
            h = (b - a) / steps_per_piece
            total += sum(rate.rate(a + (i + 0.5) * h) for i in range(steps_per_piece)) * h
    return total
