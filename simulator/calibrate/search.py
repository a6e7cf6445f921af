"""Calibrating a scenario: search free parameters until simulated first replies look like the trace's.

The loss is the KS distance between the observed first-reply latencies and
the simulated first-response times of one channel, plus ``tie_break`` times
the mean log-ratio of their quantiles (so among equal KS distances the one
with closer quantiles wins, and the surface has a slope where KS is flat).
Every candidate runs the same replication seeds (common random numbers), so
differences between candidates are differences of parameters, not of luck.
The search is scipy's: a scrambled Sobol design over half the budget, then
Nelder-Mead (bounded) from its best point for the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from carebench.calibrate.free import FreeParameter
from carebench.calibrate.target import (
    LatencyStats,
    SimulatedLatency,
    censored_stats,
    ks_distance,
    observed_stats,
    quantile_loss,
)
from carebench.load.loader import apply_overrides, scenario_from_data
from carebench.runs.tasks import Variant, plan_tasks
from carebench.util.errors import UserError

__all__ = ["Calibration", "Evaluation", "calibrate", "simulate_latency", "Side"]


@dataclass(frozen=True)
class Side:
    """How one scenario's simulated latencies compare with an observed sample."""

    ks_d: float
    ks_p: float
    sim: LatencyStats
    obs: LatencyStats


@dataclass(frozen=True)
class Evaluation:
    """One candidate: its settings, loss and KS distance."""

    settings: tuple[tuple[str, object], ...]
    loss: float
    ks_d: float


@dataclass
class Calibration:
    """The outcome: the calibrated scenario data, before/after on training and held-out data."""

    scenario: dict
    settings: tuple[tuple[str, object], ...]
    before: dict[str, Side]
    after: dict[str, Side]
    evaluations: list[Evaluation] = field(default_factory=list)
    replications: int = 0
    sim_before: SimulatedLatency | None = None
    sim_after: SimulatedLatency | None = None


def simulate_latency(data: dict, channel: str, replications: int, seed: int, executor,
                     allow_import: bool = False) -> SimulatedLatency:
    """First-response times of ``channel`` merged over ``replications`` runs of scenario ``data``."""
    sc = scenario_from_data(data, "calibration candidate", allow_import=allow_import)
    tasks = plan_tasks([Variant(sc.name, sc)], range(replications), seed, allow_import=allow_import)
    sim = SimulatedLatency()
    for result in executor.run(tasks):
        sim.add(result.frt_histograms.get(channel, {}))
    return sim


def _side(observed: np.ndarray, sim: SimulatedLatency, limits: np.ndarray | None) -> Side:
    d, p = ks_distance(observed, sim, limits)
    return Side(d, p, censored_stats(sim, limits), observed_stats(observed))


def calibrate(data: dict, observed: np.ndarray, free: Sequence[FreeParameter], executor, *, channel: str,
              holdout: np.ndarray | None = None, replications: int | None = None, seed: int = 1,
              budget: int = 40, tie_break: float = 0.05, min_simulated: int = 3000,
              progress: Callable[[int, int, float], None] | None = None, allow_import: bool = False,
              limits: np.ndarray | None = None, holdout_limits: np.ndarray | None = None) -> Calibration:
    """Search ``free`` to fit scenario ``data``'s ``channel`` to ``observed`` latencies (seconds).

    ``replications`` defaults to enough runs for ``min_simulated`` simulated
    answered contacts (at least 2, at most 50), fixed for the whole search;
    ``budget`` caps the candidates simulated; ``progress`` is called with
    (candidates done, budget, best loss). ``limits`` and ``holdout_limits``
    (seconds from each observed contact to the end of a reply-sampled
    trace) make the comparison see the simulation as the trace would
    (:func:`~carebench.calibrate.target.censored_cdf`).
    """
    observed = np.asarray(observed, float)
    ok = np.isfinite(observed)
    observed = observed[ok]
    limits = None if limits is None else np.asarray(limits, float)[ok]
    if observed.size < 20:
        raise UserError(f"--to: only {observed.size} observed first replies to calibrate to; expected at least 20")
    if channel not in data.get("channels", {}):
        raise UserError(f"--channel {channel!r}: not a channel of the scenario; expected one of {list(data['channels'])}")
    for p in free:  # a misspelt path fails here, once, naming the flag
        for end in (0.0, 1.0):
            try:
                scenario_from_data(apply_overrides(data, [(p.path, p.value(end))]), f"--free {p.path}",
                                   allow_import=allow_import)
            except UserError as exc:
                raise UserError(f"--free {p.path}={p.low:g}..{p.high:g}: {str(exc).splitlines()[0]}") from None
    first = simulate_latency(data, channel, 1, seed, executor, allow_import)
    if replications is None:
        replications = int(min(max(math.ceil(min_simulated / max(first.n, 1)), 2), 50))
    sim_before = simulate_latency(data, channel, replications, seed, executor, allow_import)
    cache: dict[tuple, tuple[float, float, SimulatedLatency]] = {}
    evaluations: list[Evaluation] = []
    best = [math.inf]

    def settings_of(u) -> tuple[tuple[str, object], ...]:
        return tuple((p.path, p.value(float(x))) for p, x in zip(free, u))

    def loss(u) -> float:
        settings = settings_of(u)
        if settings not in cache:
            if len(cache) >= budget:
                return min(v[0] for v in cache.values()) + 1.0  # out of budget: steer the optimiser home
            cand = apply_overrides(data, list(settings))
            try:
                sim = simulate_latency(cand, channel, replications, seed, executor, allow_import)
            except UserError:
                cache[settings] = (10.0, 1.0, SimulatedLatency())
            else:
                d, _ = ks_distance(observed, sim, limits)
                cache[settings] = (d + tie_break * quantile_loss(observed, sim, limits), d, sim)
            value, d, _ = cache[settings]
            evaluations.append(Evaluation(settings, value, d))
            best[0] = min(best[0], value)
            if progress is not None:
                progress(len(cache), budget, best[0])
        return cache[settings][0]

    k = len(free)
    if k:
        # Half the budget on a space-filling design (the loss is rough: KS steps, whole numbers),
        # the rest on Nelder-Mead from the best design point with a simplex a tenth of the box wide.
        n0 = 2 ** max(int(math.log2(max(min(budget // 2, 64), 1))), 0)
        design = qmc.Sobol(k, scramble=True, seed=seed).random_base2(int(math.log2(n0)))
        scores = [loss(u) for u in design]
        start = design[int(np.argmin(scores))]
        simplex = np.vstack([start] + [np.clip(start + 0.1 * np.eye(k)[i] * (1 if start[i] < 0.9 else -1), 0, 1)
                                       for i in range(k)])
        optimize.minimize(loss, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * k,
                          options={"maxfev": max(budget - n0, 1) * 3, "initial_simplex": simplex,
                                   "xatol": 1e-3, "fatol": 1e-4})
    start_loss = ks_distance(observed, sim_before, limits)[0] + tie_break * quantile_loss(observed, sim_before, limits)
    settings, sim_after = (), sim_before
    if cache:  # the scenario as given is a candidate too: a search that finds nothing better keeps it
        found = min(cache, key=lambda s: cache[s][0])
        if cache[found][0] < start_loss:
            settings, sim_after = found, cache[found][2]
    final = apply_overrides(data, list(settings))
    before = {"train": _side(observed, sim_before, limits)}
    after = {"train": _side(observed, sim_after, limits)}
    if holdout is not None and np.isfinite(holdout).sum():
        keep = np.isfinite(holdout)
        hl = None if holdout_limits is None else np.asarray(holdout_limits, float)[keep]
        before["holdout"] = _side(holdout[keep], sim_before, hl)
        after["holdout"] = _side(holdout[keep], sim_after, hl)
    return Calibration(final, settings, before, after, evaluations, replications, sim_before, sim_after)
