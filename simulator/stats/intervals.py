"""Replication statistics: confidence intervals and stopping rules.

One simulation run gives a flat dict of KPIs. Replications of a run use
independent seeds, so each KPI is a sample of independent values. Each KPI
family gets the interval that holds its level (:func:`kpi_interval`, measured
by ``benchmarks/coverage_harness.py``): times, which are positive and right-skewed,
a log-normal MOVER interval on the log scale (:mod:`carebench.stats.skewed`);
shares, counts and amounts a Student-t interval; every interval is cut to the
KPI's natural bounds (:mod:`carebench.stats.bounds`). Differences between
variants are in :mod:`carebench.stats.differences`.

Everything here is a pure function of its arguments. A value of NaN means "this
KPI is undefined in this replication" (``frt.p90.email`` when no email
arrived) and is dropped, so ``n`` counts the replications that define it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit  # the Student t quantile, without scipy.stats' import cost

from carebench.kpis.catalogue import direction
from carebench.stats.bounds import is_time, natural_bounds
from carebench.stats.skewed import lognormal_mean_limits
from carebench.util.errors import UserError

__all__ = [
    "Estimate",
    "T_METHOD",
    "BOUNDED_T_METHOD",
    "LOGNORMAL_METHOD",
    "kpi_interval",
    "check_confidence",
    "t_quantile",
    "mean_ci",
    "summarise",
    "precision_met",
    "needs_more",
    "replications_needed",
    "batch_means",
    "kpi_direction",
    "unknown_kpi",
]


@dataclass(frozen=True)
class Estimate:
    """A KPI's mean over replications with its two-sided Student-t confidence interval.

    ``half_width`` is in the KPI's own unit; for a symmetric interval
    ``low``/``high`` are ``mean -/+ half_width``; an asymmetric one (log scale,
    or cut at a natural bound) has ``half_width == (high - low) / 2``.
    ``method`` names how the interval was made (:data:`T_METHOD`,
    :data:`BOUNDED_T_METHOD`, :data:`LOGNORMAL_METHOD`, or batch means); ``n`` counts the values used (NaN dropped);
    ``std`` is the sample standard deviation (``ddof=1``) of those values.
    With ``n == 1`` the spread is unknown: ``std`` is NaN, ``half_width`` is
    ``inf`` and the interval is ``(-inf, inf)``. With ``n == 0`` every float
    field is NaN.
    """

    mean: float
    half_width: float
    low: float
    high: float
    n: int
    std: float
    confidence: float = 0.95
    method: str = "student-t"

    @property
    def symmetric(self) -> bool:
        """Whether ``low`` and ``high`` lie ``half_width`` either side of the mean."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return True
        scale = max(abs(self.mean), self.half_width, 1e-300)
        return abs((self.mean - self.low) - (self.high - self.mean)) <= 1e-9 * scale


T_METHOD = "student-t"
"""A Student-t interval over the values (counts, amounts, unbounded KPIs)."""
BOUNDED_T_METHOD = "student-t, cut to natural bounds"
"""A Student-t interval cut to the KPI's natural bounds (shares; times with a zero value)."""
LOGNORMAL_METHOD = "log-normal MOVER (log scale)"
"""The MOVER interval for the mean of positive right-skewed values (times): :mod:`carebench.stats.skewed`."""


def check_confidence(confidence: float) -> float:
    """``confidence`` as a float, or a ``UserError`` unless it lies strictly between 0 and 1."""
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise UserError(f"confidence {confidence!r}: expected a number between 0 and 1, e.g. 0.95")
    return float(confidence)


def t_quantile(confidence: float, df: float) -> float:
    """The two-sided Student t quantile at ``confidence`` on ``df`` degrees of freedom."""
    return float(stdtrit(df, 0.5 + confidence / 2.0))


def _defined(values: Iterable[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float)
    defined: np.ndarray = x.ravel()[~np.isnan(x.ravel())]
    return defined


def mean_ci(values: Iterable[float] | np.ndarray, confidence: float = 0.95) -> Estimate:
    """Return the mean of ``values`` with a two-sided Student-t confidence interval.

    ``half_width = t(1 - (1 - confidence)/2, n - 1) * s / sqrt(n)`` with ``s``
    the sample standard deviation. NaN values are dropped first. A single value
    gives ``half_width = inf`` (one replication says nothing about spread);
    identical values give ``half_width = 0`` and their exact common value as
    the mean.
    """
    confidence = check_confidence(confidence)
    x = _defined(values)
    n = int(x.size)
    if n == 0:
        nan = math.nan
        return Estimate(nan, nan, nan, nan, 0, nan, confidence)
    if np.all(x == x[0]):
        mean, std = float(x[0]), (0.0 if n > 1 else math.nan)
    else:
        mean, std = float(x.mean()), float(x.std(ddof=1))
    if n == 1:
        return Estimate(mean, math.inf, -math.inf, math.inf, 1, math.nan, confidence)
    half = t_quantile(confidence, n - 1) * std / math.sqrt(n) if std > 0 else 0.0
    return Estimate(mean, half, mean - half, mean + half, n, std, confidence)


def kpi_interval(name: str, values: Iterable[float] | np.ndarray, confidence: float = 0.95) -> Estimate:
    """Return KPI ``name``'s mean over ``values`` with the interval its family needs.

    Times (``frt.*``, ``ttr.*``) with every value above zero get the log-normal
    MOVER interval (:func:`carebench.stats.skewed.lognormal_mean_limits`), which holds its
    level for right-skewed values where Student-t falls short; any other KPI
    gets the Student-t interval of :func:`mean_ci`. Either is then cut to the
    KPI's natural bounds (:func:`carebench.stats.bounds.natural_bounds`): an
    interval never reaches below 0 s or above 100 %. The mean always lies
    inside the interval.
    """
    est = mean_ci(values, confidence)
    lo_bound, hi_bound = natural_bounds(name)
    if est.n < 2 or not (est.std > 0):
        return est
    x = _defined(values)
    if lo_bound == 0.0 and math.isinf(hi_bound) and is_time(name) and bool((x > 0).all()):
        low, high = lognormal_mean_limits(x, est.confidence)
        low, high = min(low, est.mean), max(high, est.mean)
        return _bounded(est, low, high, lo_bound, hi_bound, LOGNORMAL_METHOD)
    if est.low < lo_bound or est.high > hi_bound:
        return _bounded(est, est.low, est.high, lo_bound, hi_bound, BOUNDED_T_METHOD)
    return Estimate(est.mean, est.half_width, est.low, est.high, est.n, est.std, est.confidence,
                    BOUNDED_T_METHOD if math.isfinite(lo_bound) else T_METHOD)


def _bounded(est: Estimate, low: float, high: float, lo_bound: float, hi_bound: float,
             method: str) -> Estimate:
    low, high = max(low, lo_bound), min(high, hi_bound)
    return Estimate(est.mean, (high - low) / 2.0, low, high, est.n, est.std, est.confidence, method)


def summarise(
    replications: Sequence[Mapping[str, float]], confidence: float = 0.95
) -> dict[str, Estimate]:
    """Return an ``Estimate`` for every KPI named in any replication, in first-seen order.

    Each interval is the one its family needs (:func:`kpi_interval`). A KPI
    absent from a replication counts as undefined there (like NaN).
    """
    names = list(dict.fromkeys(name for rep in replications for name in rep))
    return {
        name: kpi_interval(name, [rep.get(name, math.nan) for rep in replications], confidence)
        for name in names
    }


def _check_target(name: str, target: float) -> float:
    if not (isinstance(target, (int, float)) and math.isfinite(target) and target > 0):
        raise UserError(
            f"precision for {name!r}: expected a relative half-width above 0 "
            f"such as 0.05 (5 % of the mean), got {target!r}"
        )
    return float(target)


def precision_met(estimate: Estimate, target: float) -> bool:
    """Return whether ``estimate`` is precise enough: ``half_width <= target * |mean|``.

    Precision targets are *relative* half-widths: ``0.05`` asks for a
    confidence interval within 5 % of the mean on either side. One number then
    means the same for seconds, shares and counts. A mean of exactly 0 meets
    any target only with a zero half-width; fewer than two values never meet it.
    """
    if estimate.n < 2:
        return False
    return bool(estimate.half_width <= target * abs(estimate.mean))


def _checked(
    estimates: Mapping[str, Estimate], precision: Mapping[str, float]
) -> list[tuple[Estimate, float]]:
    pairs = []
    for name, target in precision.items():
        if name not in estimates:
            raise unknown_kpi(name, estimates, place=f"precision for {name!r}")
        pairs.append((estimates[name], _check_target(name, target)))
    return pairs


def needs_more(estimates: Mapping[str, Estimate], precision: Mapping[str, float]) -> bool:
    """Return whether any KPI in ``precision`` has not yet met its relative target.

    ``precision`` maps KPI names to relative half-widths (see ``precision_met``).
    The caller stops at its own cap of replications. Raises ``UserError`` for
    a KPI name that is not among the estimates (usually a typo).
    """
    return not all(precision_met(est, target) for est, target in _checked(estimates, precision))


def _relative_half_width(est: Estimate) -> float:
    return est.half_width / abs(est.mean) if est.mean else math.inf


def replications_needed(
    estimates: Mapping[str, Estimate], precision: Mapping[str, float], *, done: int, cap: int
) -> int:
    """Return the total number of replications a two-stage procedure asks for, at most ``cap``.

    ``estimates`` come from a first stage of ``done`` replications. A relative
    half-width ``h`` shrinks like ``1/sqrt(n)``, so each KPI not yet precise
    enough needs ``ceil(done * (h / target)**2)`` replications in total; for a
    Student-t interval this is Stein's two-stage size ``ceil((t(done - 1) * s /
    (target * |mean|))**2)`` (Stein, *A two-sample test for a linear hypothesis
    whose power is independent of the variance*, Ann. Math. Stat. 16, 1945),
    which keeps the first stage's t quantile and so its coverage. Unlike
    stopping the first time an interval looks narrow, the size is fixed once,
    from data that cannot be re-drawn until the spread looks small. A KPI with
    a zero mean or an infinite half-width asks for ``cap``. The answer is
    ``done`` when every target is met, otherwise between ``done + 1`` and ``cap``.
    """
    pending = [(e, t) for e, t in _checked(estimates, precision) if not precision_met(e, t)]
    if not pending or done >= cap:
        return done
    need = done
    for est, target in pending:
        ratio = _relative_half_width(est) / target
        need = max(need, cap if not math.isfinite(ratio) else math.ceil(done * ratio * ratio))
    return min(cap, max(need, done + 1))


def batch_means(
    series: Sequence[float] | np.ndarray, batches: int = 20, confidence: float = 0.95
) -> Estimate:
    """Return a confidence interval for the mean of one long run by the method of batch means.

    The series (NaN dropped, in time order) is cut into ``batches`` contiguous
    batches of equal size and a t-interval is taken over the batch means, so
    ``n == batches``. The remainder that does not fill a batch is dropped from
    the *start*, where the run is least settled. The interval is valid when
    batches are long compared with the series' correlation time; drop the
    warm-up before calling.
    """
    if not (isinstance(batches, int) and batches >= 2):
        raise UserError(f"batch means: expected at least 2 batches, got {batches!r}")
    x = _defined(series)
    size = x.size // batches
    if size < 1:
        raise UserError(
            f"batch means: {x.size} observations cannot fill {batches} batches; "
            "run longer or use fewer batches"
        )
    means = x[x.size - size * batches :].reshape(batches, size).mean(axis=1)
    return mean_ci(means, confidence)


def kpi_direction(name: str) -> int:
    """Return +1 if a higher value of KPI ``name`` is better, -1 if lower is better, else 0.

    Read from the KPI catalogue (:func:`carebench.kpis.catalogue.direction`):
    e.g. ``sla``, ``within_*`` and ``answered`` are better higher; times,
    ``abandon``, ``waiting``, ``exposure``, ``churn``, ``cost`` and
    ``agent_hours`` better lower; volumes and descriptive KPIs (``arrived``,
    ``utilisation``, ``bumps``, ...) and unknown names are neutral (0).
    """
    return direction(name)


def unknown_kpi(name: str, available: Iterable[str], place: str) -> UserError:
    """Return (not raise) the ``UserError`` for a KPI name that is not among ``available``.

    The one-line message names ``place`` and the KPI and lists up to three
    close spellings found with ``difflib``.
    """
    names = list(available)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        hint = f"no similar name among the {len(names)} KPIs in the results"
    return UserError(f"{place}: no KPI {name!r} in the results; {hint}")
