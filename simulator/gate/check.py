"""The CI check: thresholds judged on confidence intervals, and regressions against a baseline.

A check passes when every threshold passes under its rule (by default the
whole interval must lie on the required side, see
:class:`carebench.gate.thresholds.Rule`) and no KPI regressed against the
baseline (:func:`carebench.gate.regression.regression_paired`: significantly worse
on the same seeds by more than the tolerance).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from carebench.gate.baseline import Baseline
from carebench.gate.junit import Case
from carebench.gate.regression import Regression, regression_paired
from carebench.gate.thresholds import Rule, Threshold, Verdict, evaluate_all, parse_threshold
from carebench.kpis import catalogue
from carebench.runs.replicate import Replications
from carebench.stats.intervals import Estimate
from carebench.stats.sectioning import both_pooled

__all__ = ["CheckReport", "DEFAULT_TOLERANCE", "collect_thresholds", "run_check", "junit_cases"]

DEFAULT_TOLERANCE = 0.05
"""Relative worsening allowed against a baseline before a significant change is a regression."""


@dataclass(frozen=True)
class CheckReport:
    """The outcome of one check.

    ``regressions`` holds one entry per KPI compared with the baseline
    (directional KPIs reported by both); use ``regressed`` for the failures.
    """

    scenario: str
    replications: int
    rule: Rule
    verdicts: tuple[Verdict, ...]
    regressions: tuple[Regression, ...]
    baseline: Baseline | None
    tolerance: float

    @property
    def failed(self) -> list[Verdict]:
        """Thresholds that did not pass."""
        return [v for v in self.verdicts if not v.passed]

    @property
    def regressed(self) -> list[Regression]:
        """KPIs that regressed against the baseline."""
        return [r for r in self.regressions if r.regressed]

    @property
    def passed(self) -> bool:
        """Whether every threshold passed and nothing regressed."""
        return not self.failed and not self.regressed


def collect_thresholds(from_scenario: Sequence[str], from_command_line: Sequence[str],
                       kpis: Collection[str] | None = None) -> list[Threshold]:
    """Parse the scenario's ``thresholds:`` then the ``--threshold`` options, dropping repeats.

    With ``kpis`` (the names the scenario reports, :func:`carebench.kpis.catalogue.names`),
    a threshold on any other KPI (``sla.twiter``) is refused before anything runs.
    """
    parsed = [parse_threshold(t) for t in (*from_scenario, *from_command_line)]
    for t in parsed:
        if kpis is not None and t.kpi not in kpis:
            raise catalogue.unknown(t.kpi, f"threshold {t.text!r}", among=kpis)
    return list(dict.fromkeys(parsed))


def _regressions(rep: Replications, baseline: Baseline, tolerance: float,
                 summary: Mapping[str, Estimate]) -> list[Regression]:
    """Each KPI against the baseline, paired by seed; pooled values stand for both sides' means where both have them."""
    if tuple(rep.seeds) != baseline.seeds:
        raise ValueError("a check against a baseline must run on the baseline's seeds")
    current = rep.kpis[0].keys() if rep.kpis else ()
    kpis = [k for k in baseline.values if k in current and catalogue.direction(k) != 0]
    out = []
    for k in kpis:
        ref, est = baseline.estimate(k), summary[k]
        pooled = (ref.mean, est.mean) if both_pooled(ref, est) else None
        out.append(regression_paired(k, baseline.values[k], rep.values(k), tolerance, baseline.confidence, pooled))
    return out


def run_check(rep: Replications, thresholds: Sequence[Threshold], rule: Rule | str = Rule.INTERVAL,
              baseline: Baseline | None = None, tolerance: float = DEFAULT_TOLERANCE,
              confidence: float = 0.95) -> CheckReport:
    """Judge ``thresholds`` on ``rep``'s intervals and, with a baseline, look for regressions.

    ``rep`` must have run on the baseline's seeds. Raises ``UserError`` for a
    threshold naming a KPI that the results do not have.
    """
    summary = rep.summary(confidence)
    verdicts = evaluate_all(thresholds, summary, rule) if thresholds else []
    regressions = _regressions(rep, baseline, tolerance, summary) if baseline is not None else []
    return CheckReport(rep.variant.scenario.name, rep.n, Rule(rule), tuple(verdicts),
                       tuple(regressions), baseline, tolerance)


def junit_cases(report: CheckReport) -> list[Case]:
    """One JUnit test case per threshold and per KPI compared with the baseline."""
    cases = [Case(v.threshold.text, "carebench.thresholds", v.passed, v.detail) for v in report.verdicts]
    cases += [Case(r.kpi, "carebench.regression", not r.regressed, r.detail) for r in report.regressions]
    return cases
