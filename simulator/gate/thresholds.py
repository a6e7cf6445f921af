"""Thresholds that gate a build, judged on a confidence interval.

The grammar of a threshold (``sla.twitter >= 0.90``) and its unit checks live
in :mod:`carebench.kpis.grammar`; regression checks against a baseline live in
:mod:`carebench.gate.regression`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from carebench.kpis.grammar import Threshold, kpi_kind, parse_threshold, show_value
from carebench.stats.intervals import Estimate, unknown_kpi
from carebench.util.errors import UserError

__all__ = [
    "Threshold",
    "Rule",
    "Verdict",
    "parse_threshold",
    "evaluate",
    "evaluate_all",
    "show_value",
    "kpi_kind",
]


class Rule(StrEnum):
    """How a threshold is judged against a confidence interval.

    ``INTERVAL`` (the default, conservative): the whole confidence interval
    must lie on the required side, so a pass is statistically convincing; it
    needs at least two replications, and with one every threshold fails with a
    detail saying so. ``MEAN``: the mean alone must lie on the required side,
    which passes about half the time for a system sitting exactly on the
    threshold; use it for single runs or exploration.
    """

    INTERVAL = "interval"
    MEAN = "mean"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one threshold on one estimate.

    ``margin`` is in the KPI's unit: how far the judged point (the interval's
    worse end under ``Rule.INTERVAL``, the mean under ``Rule.MEAN``) lies on
    the required side of the value; negative when it lies on the wrong side.
    ``detail`` is one line for people.
    """

    threshold: Threshold
    estimate: Estimate
    rule: Rule
    passed: bool
    margin: float
    detail: str


def _as_rule(rule: Rule | str) -> Rule:
    try:
        return Rule(rule)
    except ValueError:
        raise UserError(f"rule {rule!r}: expected 'interval' or 'mean'") from None


def _relation(low: float, high: float, value: float) -> str:
    if low > value:
        return "above"
    if high < value:
        return "below"
    return "equal to" if low == high == value else "straddles"


def _judged_point(t: Threshold, e: Estimate, rule: Rule) -> tuple[float, str]:
    if rule is Rule.MEAN:
        return e.mean, f"mean {_relation(e.mean, e.mean, t.value)}"
    point = e.low if t.wants_higher else e.high
    return point, f"interval {_relation(e.low, e.high, t.value)}"


def evaluate(threshold: Threshold, estimate: Estimate, rule: Rule | str = Rule.INTERVAL) -> Verdict:
    """Judge ``threshold`` on ``estimate`` under ``rule`` (interval by default).

    A KPI undefined in every replication (``n == 0``) fails: a gate must not
    pass on no data. Under ``Rule.INTERVAL`` an estimate from one replication
    fails with margin ``-inf`` and a detail suggesting more replications or
    ``Rule.MEAN``.
    """
    rule = _as_rule(rule)
    t, e, kpi = threshold, estimate, threshold.kpi
    if e.n == 0:
        return Verdict(t, e, rule, False, math.nan, f"{kpi} is undefined in every replication")
    if rule is Rule.INTERVAL and e.n < 2:
        why = (
            "1 replication: the interval rule needs 2 or more; add replications or use rule 'mean'"
        )
        return Verdict(t, e, rule, False, -math.inf, why)
    point, where = _judged_point(t, e, rule)
    margin = point - t.value if t.wants_higher else t.value - point
    detail = (
        f"mean {show_value(kpi, e.mean)}, {e.confidence:.0%} CI [{show_value(kpi, e.low)}, "
        f"{show_value(kpi, e.high)}], n={e.n}: {where} {show_value(kpi, t.value)}"
    )
    return Verdict(t, e, rule, t.holds(point), margin, detail)


def evaluate_all(
    thresholds: Sequence[Threshold],
    estimates: Mapping[str, Estimate],
    rule: Rule | str = Rule.INTERVAL,
) -> list[Verdict]:
    """Judge every threshold on the estimate of its KPI, in order.

    Raises ``UserError`` for a threshold whose KPI is not among ``estimates``,
    naming it and suggesting close names.
    """
    verdicts = []
    for t in thresholds:
        if t.kpi not in estimates:
            raise unknown_kpi(t.kpi, estimates, place=f"threshold {t.text!r}")
        verdicts.append(evaluate(t, estimates[t.kpi], rule))
    return verdicts
