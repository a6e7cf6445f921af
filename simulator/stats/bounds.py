"""Natural bounds of KPI families, which no confidence interval may leave.

Read from the KPI catalogue (:func:`carebench.kpis.catalogue.find`): a share
lies in [0, 1]; a time, count or amount is never negative; names outside the
catalogue are unbounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from carebench.kpis.catalogue import Unit, find

__all__ = ["natural_bounds", "is_time", "within_run", "CUT_AT_RUN"]

CUT_AT_RUN = ", upper limit cut at the run's longest possible time"
"""Suffix of the method of a time's interval that :func:`within_run` cut."""


def natural_bounds(name: str) -> tuple[float, float]:
    """Return ``(low, high)``: the values KPI ``name`` can take (``(-inf, inf)`` when unknown)."""
    family = find(name)
    return family.bounds if family is not None and family.bounds is not None else (-math.inf, math.inf)


def is_time(name: str) -> bool:
    """Whether KPI ``name`` is a time in seconds (positive and right-skewed across replications)."""
    family = find(name)
    return family is not None and family.unit is Unit.SECONDS


def within_run(estimates: Mapping[str, Any], longest: float) -> dict[str, Any]:
    """``estimates`` with every time KPI's upper limit cut at ``longest`` seconds.

    A time measured in a run cannot exceed the run's span from the warm-up's
    end to its last second (:attr:`carebench.model.scenario.Scenario.longest_time`),
    so neither can its true mean or quantile: the cut keeps every interval
    that held the truth holding it. It matters with few replications of a
    widely spread time, where the log-normal interval's upper limit can run
    to 10²⁹ s (three replications of a p90 between 0.9 s and 30 s). An
    interval it cuts says so in its method (:data:`CUT_AT_RUN`). A single
    value has no interval to cut and is left as it is.
    """
    if not math.isfinite(longest):
        return dict(estimates)
    out = {}
    for name, est in estimates.items():
        if is_time(name) and est.n >= 2 and est.high > longest >= est.mean:
            est = replace(est, high=longest, half_width=(longest - est.low) / 2.0, method=est.method + CUT_AT_RUN)
        out[name] = est
    return out
