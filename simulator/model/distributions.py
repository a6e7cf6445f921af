"""Named probability distributions as they appear in scenario files, and drawing from them.

Every distribution is written as a mapping with a ``dist`` tag and that
distribution's own parameters, e.g. ``{dist: lognormal, mean: 6m, cv: 0.8}``.
Two families share the shapes: :data:`TimeDist` (:class:`Exponential`, ...),
whose parameters are durations (``'6m'``), and :data:`CountDist`
(:class:`CountExponential`, ...), whose parameters are plain numbers (follower
counts, customer values). Drawing is vectorised: ``dist.sample(rng, size)``.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from decimal import Decimal
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.functional_serializers import PlainSerializer
from pydantic.functional_validators import BeforeValidator

from carebench.util.units import parse_duration

__all__ = [
    "TimeDist", "CountDist", "Duration", "NonNegative", "Positive", "PositiveDuration", "lognormal_params",
    "Exponential", "Lognormal", "Gamma", "Deterministic", "Uniform", "Empirical",
    "CountExponential", "CountLognormal", "CountGamma", "CountDeterministic", "CountUniform", "CountEmpirical",
]


def _duration(value: object) -> float:
    seconds = parse_duration(value)
    if seconds < 0:
        raise ValueError(f"expected a non-negative duration, got {value!r}")
    return seconds


def _duration_text(seconds: float) -> str:
    # Exact and re-readable: "5400s", "0.25s"; never scientific notation.
    return f"{format(Decimal(repr(float(seconds))).normalize(), 'f')}s"


Duration = Annotated[float, BeforeValidator(_duration), PlainSerializer(_duration_text, when_used="json")]
"""A duration written with units (``'90m'``), held as seconds."""

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """Return ``(mu, sigma)`` of the normal underlying a lognormal with this mean and cv."""
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` independent values as a float array."""

    @property
    @abstractmethod
    def mean_value(self) -> float:
        """The distribution's mean (used by analytic formulas and staffing)."""


class _Exponential(_Dist):
    """Exponential with the given mean (memoryless: M/M/c service or patience)."""

    def sample(self, rng, size):
        return rng.exponential(self.mean, size)

    @property
    def mean_value(self):
        return self.mean


class _Lognormal(_Dist):
    """Lognormal given by its mean and coefficient of variation (a common fit to handle times)."""

    def sample(self, rng, size):
        mu, sigma = lognormal_params(self.mean, self.cv)
        return rng.lognormal(mu, sigma, size)

    @property
    def mean_value(self):
        return self.mean


class _Gamma(_Dist):
    """Gamma given by its mean and coefficient of variation."""

    def sample(self, rng, size):
        shape = 1.0 / (self.cv * self.cv)
        return rng.gamma(shape, self.mean / shape, size)

    @property
    def mean_value(self):
        return self.mean


class _Deterministic(_Dist):
    """Always the same value."""

    def sample(self, rng, size):
        return np.full(size, float(self.value))

    @property
    def mean_value(self):
        return self.value


class _Uniform(_Dist):
    """Uniform between ``low`` and ``high``."""

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError("expected low <= high")
        return self

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)

    @property
    def mean_value(self):
        return (self.low + self.high) / 2


class _Empirical(_Dist):
    """Resampling of observed values, optionally weighted (e.g. measured handle times)."""

    @model_validator(mode="after")
    def _weights_match(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"expected as many weights as values ({len(self.values)}), "
                    f"got {len(self.weights)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("expected weights with a positive sum")
        return self

    def _probabilities(self):
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def sample(self, rng, size):
        return rng.choice(np.asarray(self.values, dtype=float), size, p=self._probabilities())

    @property
    def mean_value(self):
        p = self._probabilities()
        v = np.asarray(self.values, dtype=float)
        return float(v.mean() if p is None else v @ p)


# Two families share these shapes and differ only in the type of their parameters. Each member
# is a module-level class (not built by a factory at run time) so that pickle can name it and a
# Scenario can go to a worker process as it is.
PositiveDuration = Annotated[Duration, Field(gt=0)]


class Exponential(_Exponential):
    """Exponential durations with the given mean (``mean: 5m``)."""

    dist: Literal["exponential"]
    mean: PositiveDuration


class Lognormal(_Lognormal):
    """Lognormal durations by mean and coefficient of variation."""

    dist: Literal["lognormal"]
    mean: PositiveDuration
    cv: Positive


class Gamma(_Gamma):
    """Gamma durations by mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean: PositiveDuration
    cv: Positive


class Deterministic(_Deterministic):
    """Always the same duration."""

    dist: Literal["deterministic"]
    value: Duration


class Uniform(_Uniform):
    """Durations uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration
    high: Duration


class Empirical(_Empirical):
    """Resampling of observed durations, optionally weighted."""

    dist: Literal["empirical"]
    values: tuple[Duration, ...] = Field(min_length=1)
    weights: tuple[NonNegative, ...] | None = None


class CountExponential(_Exponential):
    """Exponential counts with the given mean."""

    dist: Literal["exponential"]
    mean: Positive


class CountLognormal(_Lognormal):
    """Lognormal counts by mean and coefficient of variation (follower counts)."""

    dist: Literal["lognormal"]
    mean: Positive
    cv: Positive


class CountGamma(_Gamma):
    """Gamma counts by mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean: Positive
    cv: Positive


class CountDeterministic(_Deterministic):
    """Always the same count."""

    dist: Literal["deterministic"]
    value: NonNegative


class CountUniform(_Uniform):
    """Counts uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: NonNegative
    high: NonNegative


class CountEmpirical(_Empirical):
    """Resampling of observed counts, optionally weighted."""

    dist: Literal["empirical"]
    values: tuple[NonNegative, ...] = Field(min_length=1)
    weights: tuple[NonNegative, ...] | None = None


TimeDist = Annotated[
    Union[Exponential, Lognormal, Gamma, Deterministic, Uniform, Empirical], Field(discriminator="dist")
]
"""A distribution of durations; parameters are written with units (``mean: 6m``)."""

CountDist = Annotated[
    Union[CountExponential, CountLognormal, CountGamma, CountDeterministic, CountUniform, CountEmpirical],
    Field(discriminator="dist"),
]
"""A distribution of plain non-negative numbers (followers, customer value)."""

