"""Arrival rates as a piecewise-constant Poisson process: rate × hour-of-day × weekday profiles.

The model is the scenario's own: the rate in an hour of weekday ``d`` and
hour of day ``h`` is ``per_hour × hourly[h] × weekly[d]`` (profiles of mean
1). Counts per whole hour of the trace are Poisson with that mean, so the
maximum-likelihood estimate of the two profiles is found by iterative
proportional fitting on the 7 × 24 table of counts against the table of hours
observed (exposure). Hours of day (or weekdays) with fewer than
``min_count`` contacts cannot support a factor of their own: a run of such
neighbours is pooled and shares one factor, and the report says so.
Intervals are exact (Garwood) Poisson intervals on each factor's count.
Hours of the trace far above the fitted rate (a one-sided Poisson test with
a Bonferroni correction) are reported as incidents and left out of the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from carebench.model.calendar import WEEKDAY_LABELS
from carebench.trace.records import weekday_hour
from carebench.util.units import HOUR

__all__ = ["ProfileFit", "Burst", "fit_profile", "predicted"]


@dataclass(frozen=True)
class Burst:
    """A run of hours whose counts the profile does not explain."""

    start: float
    hours: int
    observed: float
    expected: float

    @property
    def multiplier(self) -> float:
        """Observed over expected arrivals in the burst."""
        return self.observed / self.expected if self.expected > 0 else float("inf")


@dataclass(frozen=True)
class ProfileFit:
    """A fitted rate with its profiles, intervals, pooling and tests."""

    per_hour: float
    per_hour_interval: tuple[float, float]
    hourly: np.ndarray
    hourly_interval: np.ndarray
    weekly: np.ndarray
    weekly_interval: np.ndarray
    hour_groups: list[list[int]]
    weekday_groups: list[list[int]]
    observed: np.ndarray
    exposure: np.ndarray
    fitted: np.ndarray
    contacts: int
    hours_observed: int
    bursts: list[Burst] = field(default_factory=list)
    tests: dict = field(default_factory=dict)

    def rate(self, weekday: int, hour: int) -> float:
        """Fitted arrivals per hour in that weekday's hour."""
        return float(self.per_hour * self.hourly[hour] * self.weekly[weekday])

    def pooled(self) -> list[str]:
        """One line per pooled group of hours or weekdays."""
        out = []
        for kind, groups, names, count in (("hours", self.hour_groups, [f"{h:02d}" for h in range(24)],
                                            self.observed.sum(axis=0)),
                                           ("weekdays", self.weekday_groups,
                                            WEEKDAY_LABELS, self.observed.sum(axis=1))):
            for g in groups:
                if len(g) > 1:
                    out.append(f"{kind} {names[g[0]]}-{names[g[-1]]} pooled: {count[g].sum():.0f} contacts "
                               f"between them, too few for a factor each")
        return out


def _groups(counts: np.ndarray, exposure: np.ndarray, min_count: float, circular: bool) -> list[list[int]]:
    """Runs of consecutive thin cells (count < ``min_count``) pooled; other cells alone."""
    n = counts.size
    thin = (counts < min_count) | (exposure <= 0)
    if thin.all():
        return [list(range(n))]
    groups: list[list[int]] = []
    start = int(np.argmin(thin)) if circular else 0  # begin at a cell that is not thin, so runs do not wrap
    order = [(start + i) % n for i in range(n)] if circular else list(range(n))
    for i in order:
        if thin[i] and groups and thin[groups[-1][-1]]:
            groups[-1].append(i)
        else:
            groups.append([i])
    return sorted(groups, key=lambda g: g[0]) if not circular else sorted(groups, key=min)


def _ipf(obs, expo, hour_groups, day_groups, iterations=200):
    a, b = np.ones(24), np.ones(7)
    for _ in range(iterations):
        prev = a.copy()
        den_h = (b[:, None] * expo).sum(axis=0)
        for g in hour_groups:
            d = den_h[g].sum()
            a[g] = obs[:, g].sum() / d if d > 0 else 0.0
        den_d = (a[None, :] * expo).sum(axis=1)
        for g in day_groups:
            d = den_d[g].sum()
            b[g] = obs[g, :].sum() / d if d > 0 else 0.0
        if np.allclose(a, prev, rtol=1e-10, atol=1e-12):
            break
    return a, b


def _garwood(n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - level
    low = np.where(n > 0, stats.chi2.ppf(alpha / 2, 2 * n) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return low, high


def fit_profile(hour_starts: np.ndarray, counts: np.ndarray, *, min_count: float = 5.0, level: float = 0.95,
                burst_alpha: float = 0.01) -> ProfileFit:
    """Fit per_hour and the two profiles to counts per whole hour (wall-clock hour starts)."""
    day, hour = weekday_hour(hour_starts + 1.0)
    keep = np.ones(counts.size, bool)
    bursts: list[Burst] = []
    for _ in range(2):  # fit, find bursts, refit without them
        fit = _fit(day[keep], hour[keep], counts[keep], min_count, level)
        mu = fit[0] * fit[2][hour] * fit[4][day]
        found = _bursts(hour_starts, counts, mu, burst_alpha)
        if not found:
            break
        bursts = found
        keep = np.ones(counts.size, bool)
        for b in bursts:
            keep &= ~((hour_starts >= b.start) & (hour_starts < b.start + b.hours * HOUR))
    per_hour, per_int, a, a_int, b, b_int, hg, dg, obs, expo = fit
    fitted = per_hour * a[None, :] * b[:, None] * expo
    tests = _tests(obs, fitted, expo, counts[keep], (per_hour * a[hour] * b[day])[keep], len(hg) + len(dg) - 1)
    return ProfileFit(per_hour, per_int, a, a_int, b, b_int, hg, dg, obs, expo, fitted, int(counts.sum()),
                      int(counts.size), bursts, tests)


def _fit(day, hour, counts, min_count, level):
    obs = np.zeros((7, 24))
    expo = np.zeros((7, 24))
    np.add.at(obs, (day, hour), counts)
    np.add.at(expo, (day, hour), 1.0)
    hg = _groups(obs.sum(axis=0), expo.sum(axis=0), min_count, circular=True)
    dg = _groups(obs.sum(axis=1), expo.sum(axis=1), min_count, circular=True)
    a, b = _ipf(obs, expo, hg, dg)
    # Profiles of mean 1 (over the cells observed), per_hour the level.
    wa = np.where(expo.sum(axis=0) > 0, 1.0, 0.0)
    wb = np.where(expo.sum(axis=1) > 0, 1.0, 0.0)
    sa = (a * wa).sum() / max(wa.sum(), 1)
    sb = (b * wb).sum() / max(wb.sum(), 1)
    a_n = a / sa if sa > 0 else np.zeros(24)
    b_n = b / sb if sb > 0 else np.zeros(7)
    per_hour = sa * sb
    # Factor intervals: Garwood on the group's count, scaled like the factor itself.
    a_int = np.zeros((24, 2))
    for g in hg:
        n = obs[:, g].sum()
        lo, hi = _garwood(np.array([n]), level)
        scale = a_n[g[0]] / n if n > 0 else (0.0 if a_n[g[0]] == 0 else np.nan)
        den = (b[:, None] * expo).sum(axis=0)[g].sum()
        if n == 0 and den > 0:
            scale = 1.0 / (den * sa)
        a_int[g] = [lo[0] * scale, hi[0] * scale]
    b_int = np.zeros((7, 2))
    for g in dg:
        n = obs[g, :].sum()
        lo, hi = _garwood(np.array([n]), level)
        den = (a[None, :] * expo).sum(axis=1)[g].sum()
        scale = b_n[g[0]] / n if n > 0 else (1.0 / (den * sb) if den > 0 else np.nan)
        b_int[g] = [lo[0] * scale, hi[0] * scale]
    total = obs.sum()
    lo, hi = _garwood(np.array([total]), level)
    per_int = (float(per_hour * lo[0] / total), float(per_hour * hi[0] / total)) if total else (0.0, float("nan"))
    return per_hour, per_int, a_n, a_int, b_n, b_int, hg, dg, obs, expo


def _bursts(starts, counts, mu, alpha) -> list[Burst]:
    p = stats.poisson.sf(counts - 1, mu)
    flag = (p < alpha / max(counts.size, 1)) & (counts >= 2 * mu) & (counts >= 5)
    out: list[Burst] = []
    for i in np.nonzero(flag)[0].tolist():
        if out and abs(out[-1].start + out[-1].hours * HOUR - starts[i]) < 1:
            last = out[-1]
            out[-1] = Burst(last.start, last.hours + 1, last.observed + counts[i], last.expected + mu[i])
        else:
            out.append(Burst(float(starts[i]), 1, float(counts[i]), float(mu[i])))
    return out


def _tests(obs, fitted, expo, counts, mu, params) -> dict:
    """Goodness of fit: the 7 × 24 table against the profile model, and Poisson dispersion of hours."""
    cell = fitted > 0
    chi = float((((obs - fitted) ** 2)[cell] / fitted[cell]).sum())
    dof = max(int(cell.sum()) - params, 1)
    pos = mu > 0
    disp = float((((counts - mu) ** 2)[pos] / mu[pos]).sum())
    ddof = max(int(pos.sum()) - params, 1)
    return {"cells_chi2": chi, "cells_dof": dof, "cells_p": float(stats.chi2.sf(chi, dof)),
            "dispersion": disp / ddof, "dispersion_dof": ddof, "dispersion_p": float(stats.chi2.sf(disp, ddof))}


def predicted(fit: ProfileFit, hour_starts: np.ndarray) -> np.ndarray:
    """Fitted mean arrivals in each hour starting at ``hour_starts`` (wall-clock)."""
    day, hour = weekday_hour(hour_starts + 1.0)
    return fit.per_hour * fit.hourly[hour] * fit.weekly[day]
