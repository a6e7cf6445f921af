"""KPIs as tidy long rows: one row per KPI value, with its channel and unit.

A notebook user filters and pivots rows, not nested dicts: every result of
the Python API (one run, replications, a comparison) turns its KPIs into rows
with the columns ``kpi``, ``channel``, ``replication``, ``value`` and
``unit`` (and, for several variants, ``variant`` first). ``kpi`` is the
KPI's full name as thresholds and ``--kpi`` spell it (``frt.p90.email``);
``channel`` is the channel it describes (``all`` for the sum over channels),
None for a KPI of the whole run or of a pool; ``unit`` is the unit label
of the KPI's family in :mod:`carebench.kpis.catalogue` (``seconds``,
``share (0 to 1)``, ``contacts``, ``agent-hours``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from carebench.kpis.catalogue import find

__all__ = ["COLUMNS", "kpi_unit", "kpi_channel", "kpi_rows"]

COLUMNS = ("kpi", "channel", "replication", "value", "unit")
"""The columns of a tidy KPI row, in order."""


def kpi_unit(kpi: str) -> str:
    """The unit of KPI ``kpi`` as the KPI catalogue labels it (``'seconds'``), or ``''`` if not catalogued."""
    family = find(kpi)
    return family.unit.label if family else ""


def kpi_channel(kpi: str, channels: Iterable[str]) -> str | None:
    """The channel KPI ``kpi`` describes: its last dotted part when that names a channel or ``all``."""
    last = kpi.rsplit(".", 1)[-1]
    return last if last == "all" or last in set(channels) else None


def kpi_rows(kpis: Mapping[str, float], channels: Iterable[str], replication: int | None = None,
             **columns: Any) -> list[dict[str, Any]]:
    """One tidy row per KPI of ``kpis`` (NaN values kept as NaN); ``columns`` come first in each row."""
    names = tuple(channels)
    return [
        {**columns, "kpi": kpi, "channel": kpi_channel(kpi, names), "replication": replication,
         "value": float(value) if value is not None else math.nan, "unit": kpi_unit(kpi)}
        for kpi, value in kpis.items()
    ]
