"""Load shapes: multipliers of arrival rates over simulated time, as load-testing tools name them.

A scenario's ``load:`` list (or ``--shape`` on the command line) holds shapes;
each multiplies the arrival rate of its channels (all by default), and they
compose with each other, with the daily profile and with incidents by
multiplication. Every shape is a pure function of simulated time ``t``:

* ``ramp``: from ``from`` to ``to`` linearly over ``[start, start + duration)``;
  ``from`` before, ``to`` after;
* ``steps``: ``from`` at ``start``, plus ``by`` every ``every`` (``count`` steps at most);
* ``spike``: ``factor`` over ``[start, start + duration)``, 1 elsewhere;
* ``soak``: a constant ``factor`` over ``[start, start + duration)`` (the whole run by default);
* ``stages``: a list of ``{duration, target}`` linear ramps, each from the
  previous target (``from`` before the first), then holding the last target.
"""

from __future__ import annotations

from abc import abstractmethod
from bisect import bisect_right
from collections.abc import Sequence
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carebench.model.distributions import Duration, NonNegative

__all__ = ["LoadShapeSpec", "Knots", "ChannelLoad", "channel_load"]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, populate_by_name=True)

    channels: tuple[str, ...] = ()

    @abstractmethod
    def knots(self) -> Knots:
        """The shape as a piecewise function."""


class Ramp(_Shape):
    """A linear ramp of the load multiplier."""

    shape: Literal["ramp"]
    start: Duration = 0.0
    duration: Duration = Field(gt=0)
    from_: NonNegative = Field(default=1.0, alias="from")
    to: NonNegative

    def knots(self) -> Knots:
        return Knots([(self.start, self.from_), (self.start + self.duration, self.to)], linear=True)


class Steps(_Shape):
    """A staircase: the multiplier grows by ``by`` every ``every``."""

    shape: Literal["steps"]
    start: Duration = 0.0
    every: Duration = Field(gt=0)
    by: float
    from_: NonNegative = Field(default=1.0, alias="from")
    count: int = Field(default=10, ge=1, le=10_000)

    @model_validator(mode="after")
    def _never_negative(self):
        if self.from_ + self.by * self.count < 0:
            raise ValueError(f"expected steps that keep the multiplier >= 0, got from {self.from_} by {self.by} "
                             f"for {self.count} steps")
        return self

    def knots(self) -> Knots:
        return Knots([(self.start + i * self.every, self.from_ + i * self.by) for i in range(self.count + 1)],
                     linear=False, before=self.from_)


class Spike(_Shape):
    """A sudden multiplier over a window (a viral post, a TV advert)."""

    shape: Literal["spike"]
    start: Duration
    duration: Duration = Field(gt=0)
    factor: NonNegative

    def knots(self) -> Knots:
        return Knots([(self.start, self.factor), (self.start + self.duration, 1.0)], linear=False, before=1.0)


class Soak(_Shape):
    """A constant multiplier held for days (endurance)."""

    shape: Literal["soak"]
    factor: NonNegative
    start: Duration = 0.0
    duration: Duration | None = None

    def knots(self) -> Knots:
        if self.duration is None:
            return Knots([(self.start, self.factor)], linear=False, before=1.0 if self.start > 0 else self.factor)
        return Knots([(self.start, self.factor), (self.start + self.duration, 1.0)], linear=False, before=1.0)


class Stage(BaseModel):
    """One stage: ramp linearly to ``target`` over ``duration``."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
    duration: Duration = Field(gt=0)
    target: NonNegative


class Stages(_Shape):
    """A list of stages, as data (the load-testing tools' "stages")."""

    shape: Literal["stages"]
    start: Duration = 0.0
    from_: NonNegative = Field(default=1.0, alias="from")
    stages: tuple[Stage, ...] = Field(min_length=1)

    def knots(self) -> Knots:
        points, t = [(self.start, self.from_)], self.start
        for stage in self.stages:
            t += stage.duration
            points.append((t, stage.target))
        return Knots(points, linear=True)


LoadShapeSpec = Annotated[Union[Ramp, Steps, Spike, Soak, Stages], Field(discriminator="shape")]
"""One entry of a scenario's ``load:`` list."""


class Knots:
    """A piecewise function of time: linear between knots, or a step at each knot.

    Before the first knot the value is ``before`` (the first knot's value by
    default); after the last it holds the last knot's value.
    """

    def __init__(self, points: Sequence[tuple[float, float]], linear: bool, before: float | None = None):
        self.times = [t for t, _ in points]
        self.values = [v for _, v in points]
        self.linear = linear
        self.before = self.values[0] if before is None else before

    def value(self, t: float) -> float:
        """The multiplier at ``t``."""
        i = bisect_right(self.times, t)
        if i == 0:
            return self.before
        if i == len(self.times) or not self.linear:
            return self.values[i - 1]
        t0, t1, v0, v1 = self.times[i - 1], self.times[i], self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (t - t0) / (t1 - t0)

    def max_on(self, a: float, b: float) -> float:
        """The largest value on ``[a, b)`` (values at knots inside and at both ends)."""
        inside = [self.values[i] for i, t in enumerate(self.times) if a < t < b]
        return max([self.value(a), self.value(b if self.linear else max(a, b - 1e-9)), *inside])

    def constant_on(self, a: float, b: float) -> bool:
        """Whether the value does not change on ``[a, b)``."""
        if any(a < t < b for t in self.times):
            return False
        return not self.linear or self.value(a) == self.value(b)


class ChannelLoad:
    """The product of the shapes that apply to one channel (a :class:`carebench.engine.arrivals.LoadShape`)."""

    def __init__(self, parts: Sequence[Knots]):
        self.parts = list(parts)

    def breakpoints(self, start: float, end: float) -> list[float]:
        """Knot times inside ``(start, end)``."""
        return sorted({t for k in self.parts for t in k.times if start < t < end})

    def factor(self, t: float) -> float:
        """The product of every shape's value at ``t``."""
        out = 1.0
        for k in self.parts:
            out *= k.value(t)
        return out

    def max_factor(self, start: float, end: float) -> float:
        """An upper bound of the factor on ``[start, end)``."""
        out = 1.0
        for k in self.parts:
            out *= k.max_on(start, end)
        return out

    def is_constant(self, start: float, end: float) -> bool:
        """Whether every shape is constant on ``[start, end)``."""
        return all(k.constant_on(start, end) for k in self.parts)


def channel_load(shapes: Sequence[_Shape], channel: str) -> ChannelLoad | None:
    """The load on ``channel`` from the shapes naming it or naming no channel (None if there are none)."""
    parts = [s.knots() for s in shapes if not s.channels or channel in s.channels]
    return ChannelLoad(parts) if parts else None
