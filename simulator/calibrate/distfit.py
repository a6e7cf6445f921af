"""Which distribution fits a sample best: candidates by likelihood (AIC), checked by Kolmogorov-Smirnov.

Candidates are the scenario model's own families (exponential, lognormal,
gamma), each fitted by maximum likelihood. The one with the lowest AIC is
chosen unless the KS test rejects it (p below ``reject_p``), in which case
the sample itself is used (``empirical``, thinned to at most ``max_values``
quantiles so a scenario file stays readable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Candidate", "DistFit", "fit_distribution"]


@dataclass(frozen=True)
class Candidate:
    """One family fitted to the sample."""

    name: str
    params: dict
    loglik: float
    aic: float
    ks_d: float
    ks_p: float


@dataclass(frozen=True)
class DistFit:
    """The chosen distribution (as scenario data, values in the sample's unit) and every candidate."""

    chosen: str
    spec: dict
    candidates: tuple[Candidate, ...]
    n: int
    reason: str


def _candidates(x: np.ndarray) -> list[tuple[str, dict, object, int]]:
    mean = float(x.mean())
    out = [("exponential", {"mean": mean}, stats.expon(scale=mean), 1)]
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std())
    if sigma > 0:
        cv = float(np.sqrt(np.expm1(sigma * sigma)))
        out.append(("lognormal", {"mean": float(np.exp(mu + sigma * sigma / 2)), "cv": cv},
                    stats.lognorm(s=sigma, scale=np.exp(mu)), 2))
    try:
        shape, _, scale = stats.gamma.fit(x, floc=0)
        out.append(("gamma", {"mean": float(shape * scale), "cv": float(1 / np.sqrt(shape))},
                    stats.gamma(shape, scale=scale), 2))
    except (ValueError, RuntimeError, FloatingPointError):
        pass
    return out


def fit_distribution(values, *, reject_p: float = 0.01, max_values: int = 200) -> DistFit:
    """Fit the candidates to the positive finite ``values`` and choose one."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size < 2:
        raise ValueError("expected at least two positive values to fit a distribution")
    found = []
    for name, params, frozen, k in _candidates(x):
        ll = float(frozen.logpdf(x).sum())
        ks = stats.kstest(x, frozen.cdf)
        found.append(Candidate(name, params, ll, 2 * k - 2 * ll, float(ks.statistic), float(ks.pvalue)))
    found.sort(key=lambda c: c.aic)
    best = found[0]
    if best.ks_p >= reject_p:
        return DistFit(best.name, {"dist": best.name, **best.params}, tuple(found), int(x.size),
                       f"lowest AIC, KS p = {best.ks_p:.2g}")
    qs = np.quantile(x, (np.arange(min(max_values, x.size)) + 0.5) / min(max_values, x.size))
    return DistFit("empirical", {"dist": "empirical", "values": [float(v) for v in qs]}, tuple(found),
                   int(x.size), f"every family rejected by KS (best {best.name}: p = {best.ks_p:.2g}): the data's quantiles")
