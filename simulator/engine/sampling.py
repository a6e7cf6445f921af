"""Buffered scalar draws: one value at a time from a distribution, drawn in numpy blocks.

Drawing single values from a numpy Generator costs about a microsecond each;
behaviour hooks need one value at a time (a customer's reply delay, a
coin flip). A buffer draws 1,024 at once and hands them out in order, so
the sequence for a given stream is the same however it is consumed.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Buffered", "UniformSource"]

_BLOCK = 1024


class Buffered:
    """Values of ``dist`` (anything with ``sample(rng, n)``) one at a time."""

    __slots__ = ("dist", "rng", "values", "i")

    def __init__(self, dist, rng: np.random.Generator):
        self.dist, self.rng = dist, rng
        self.values: list[float] = []
        self.i = 0

    def next(self) -> float:
        """The next value."""
        if self.i >= len(self.values):
            self.values = self.dist.sample(self.rng, _BLOCK).tolist()
            self.i = 0
        self.i += 1
        return self.values[self.i - 1]


class UniformSource:
    """Uniform(0, 1) values one at a time, plus small Poisson counts by inversion."""

    __slots__ = ("rng", "values", "i")

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.values: list[float] = []
        self.i = 0

    def random(self) -> float:
        """The next uniform value in [0, 1)."""
        if self.i >= len(self.values):
            self.values = self.rng.random(_BLOCK).tolist()
            self.i = 0
        self.i += 1
        return self.values[self.i - 1]

    def poisson(self, mean: float) -> int:
        """A Poisson count (inversion; exact, and fast for the small means behaviour uses)."""
        if mean > 30:  # inversion gets slow; fall back to numpy for large means
            return int(self.rng.poisson(mean))
        u, k = self.random(), 0
        p = math.exp(-mean)
        cdf = p
        while u > cdf:
            k += 1
            p *= mean / k
            cdf += p
            if p == 0.0:
                break
        return k
