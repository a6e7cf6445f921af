"""Natural bounds of KPI families, which no confidence interval may leave.

Read from the KPI catalogue (:func:`carebench.kpis.catalogue.find`): a share
lies in [0, 1]; a time, count or amount is never negative; names outside the
catalogue are unbounded.
"""

from __future__ import annotations

import math

from carebench.kpis.catalogue import Unit, find

__all__ = ["natural_bounds", "is_time"]


def natural_bounds(name: str) -> tuple[float, float]:
    """Return ``(low, high)``: the values KPI ``name`` can take (``(-inf, inf)`` when unknown)."""
    family = find(name)
    return family.bounds if family is not None and family.bounds is not None else (-math.inf, math.inf)


def is_time(name: str) -> bool:
    """Whether KPI ``name`` is a time in seconds (positive and right-skewed across replications)."""
    family = find(name)
    return family is not None and family.unit is Unit.SECONDS
