"""Side-by-side comparison of scenario variants run on common random numbers.

For each chosen KPI every variant gets its mean and confidence interval, and
every variant after the first (the reference) gets its paired difference from
the reference (:func:`carebench.stats.differences.paired_difference`): replication ``i``
of both ran on the same seed, so the difference of the pair removes most of
the noise they share. A difference is *significant* when its interval
excludes zero; it is *better* or *worse* by the KPI's direction
(:func:`carebench.kpis.catalogue.direction`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carebench.kpis import catalogue
from carebench.model.scenario import Scenario
from carebench.runs.replicate import Replications
from carebench.stats.differences import Difference, paired_difference, recentred
from carebench.stats.intervals import Estimate, unknown_kpi
from carebench.stats.sectioning import both_pooled

__all__ = ["KpiComparison", "compare", "default_kpis", "check_kpis", "kpi_names"]


@dataclass(frozen=True)
class KpiComparison:
    """One KPI across variants: estimates, and differences from the first variant.

    ``differences[0]`` is None (the reference compared with itself);
    ``differences[i]`` is variant ``i`` minus the reference, paired by seed;
    for a KPI centred on pooled contacts (:mod:`carebench.stats.sectioning`)
    the paired interval is moved onto the difference of the pooled values.
    """

    kpi: str
    direction: int
    estimates: tuple[Estimate, ...]
    differences: tuple[Difference | None, ...]

    def verdict(self, i: int) -> str:
        """``'reference'``, ``'better'``, ``'worse'``, ``'different'`` (a neutral KPI) or ``'same'``.

        ``'same'`` means no significant difference at the interval's confidence.
        """
        diff = self.differences[i]
        if diff is None:
            return "reference"
        if not diff.significant or math.isnan(diff.mean):
            return "same"
        if self.direction == 0:
            return "different"
        return "better" if diff.mean * self.direction > 0 else "worse"


def default_kpis(channels: Iterable[str]) -> list[str]:
    """The KPIs a comparison shows unless told otherwise.

    SLA attainment and 90th-percentile first-response time per channel, then
    exposure, expected churners, agent-hours and staff cost.
    """
    names = list(channels)
    return ([f"sla.{c}" for c in names] + [f"frt.p90.{c}" for c in names]
            + ["exposure.total", "churn.expected", "agent_hours.total", "cost.total"])


def check_kpis(kpis: Sequence[str], available: Iterable[str], place: str = "--kpi") -> list[str]:
    """Return ``kpis`` if every name is among ``available``; else a ``UserError`` with close names."""
    known = list(available)
    for name in kpis:
        if name not in known:
            raise unknown_kpi(name, known, place=place)
    return list(dict.fromkeys(kpis))


def kpi_names(scenario: Scenario, *, allow_import: bool = False) -> list[str]:
    """The names of the KPIs every run of ``scenario`` reports, known before any run.

    Read from the KPI catalogue for the scenario's channels and pools, so a
    misspelt ``--kpi`` is refused before any directory is made or any task
    runs. ``allow_import`` is accepted for symmetry; no policy is run.
    """
    return catalogue.names(list(scenario.channels), list(scenario.pools))


def compare(variants: Sequence[Replications], kpis: Sequence[str],
            confidence: float = 0.95) -> list[KpiComparison]:
    """Compare ``variants`` (the first is the reference) on ``kpis``.

    Every variant must have run on the same seeds in the same order (as
    :func:`carebench.runs.replicate.run_replications` does); a KPI name that no
    replication reports raises ``UserError``.
    """
    reference = variants[0]
    for other in variants[1:]:
        if other.seeds != reference.seeds:
            raise ValueError(f"variant {other.name!r} ran on other seeds than {reference.name!r}")
    check_kpis(kpis, reference.kpis[0] if reference.kpis else ())
    summaries = [v.summary(confidence) for v in variants]
    out = []
    for kpi in kpis:
        base = reference.values(kpi)
        estimates = tuple(s[kpi] for s in summaries)
        diffs = (None, *(_difference(kpi, estimates[0], est, base, v.values(kpi), confidence)
                         for est, v in zip(estimates[1:], variants[1:])))
        out.append(KpiComparison(kpi, catalogue.direction(kpi), estimates, diffs))
    return out


def _difference(kpi: str, ref: Estimate, est: Estimate, base, values, confidence: float) -> Difference:
    """The paired difference, moved onto the difference of pooled values when both are pooled."""
    diff = paired_difference(base, values, confidence)
    if both_pooled(ref, est):
        return recentred(diff, est.mean - ref.mean)
    return diff
