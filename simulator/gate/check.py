"""The CI check: thresholds judged on confidence intervals, and regressions against a baseline.

A check passes when every threshold passes under its rule (by default the
whole interval must lie on the required side, see
:class:`carebench.gate.thresholds.Rule`) and no KPI regressed against the
baseline (:func:`carebench.gate.regression.regression_paired`: significantly worse
on the same seeds by more than the tolerance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carebench.gate.baseline import Baseline
from carebench.output.compare_report import fmt_difference, fmt_value
from carebench.gate.junit import Case
from carebench.gate.regression import Regression, regression_paired
from carebench.runs.replicate import Replications
from carebench.output.report import table
from carebench.stats.intervals import kpi_direction
from carebench.gate.thresholds import Rule, Threshold, Verdict, evaluate_all, kpi_kind, parse_threshold

__all__ = ["CheckReport", "DEFAULT_TOLERANCE", "collect_thresholds", "run_check", "junit_cases",
           "check_lines"]

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


def collect_thresholds(from_scenario: Sequence[str], from_command_line: Sequence[str]) -> list[Threshold]:
    """Parse the scenario's ``thresholds:`` then the ``--threshold`` options, dropping repeats."""
    parsed = [parse_threshold(t) for t in (*from_scenario, *from_command_line)]
    return list(dict.fromkeys(parsed))


def _regressions(rep: Replications, baseline: Baseline, tolerance: float) -> list[Regression]:
    if tuple(rep.seeds) != baseline.seeds:
        raise ValueError("a check against a baseline must run on the baseline's seeds")
    current = rep.kpis[0].keys() if rep.kpis else ()
    kpis = [k for k in baseline.values if k in current and kpi_direction(k) != 0]
    return [regression_paired(k, baseline.values[k], rep.values(k), tolerance, baseline.confidence)
            for k in kpis]


def run_check(rep: Replications, thresholds: Sequence[Threshold], rule: Rule | str = Rule.INTERVAL,
              baseline: Baseline | None = None, tolerance: float = DEFAULT_TOLERANCE,
              confidence: float = 0.95) -> CheckReport:
    """Judge ``thresholds`` on ``rep``'s intervals and, with a baseline, look for regressions.

    ``rep`` must have run on the baseline's seeds. Raises ``UserError`` for a
    threshold naming a KPI that the results do not have.
    """
    verdicts = evaluate_all(thresholds, rep.summary(confidence), rule) if thresholds else []
    regressions = _regressions(rep, baseline, tolerance) if baseline is not None else []
    return CheckReport(rep.variant.scenario.name, rep.n, Rule(rule), tuple(verdicts),
                       tuple(regressions), baseline, tolerance)


def junit_cases(report: CheckReport) -> list[Case]:
    """One JUnit test case per threshold and per KPI compared with the baseline."""
    cases = [Case(v.threshold.text, "carebench.thresholds", v.passed, v.detail) for v in report.verdicts]
    cases += [Case(r.kpi, "carebench.regression", not r.regressed, r.detail) for r in report.regressions]
    return cases


def _threshold_rows(report: CheckReport) -> list[list[str]]:
    rows = []
    for v in report.verdicts:
        kpi, e = v.threshold.kpi, v.estimate
        interval = f"[{fmt_value(kpi, e.low)}, {fmt_value(kpi, e.high)}]" if e.n >= 2 else "-"
        margin = fmt_value(kpi, v.margin, signed=True) + (" pts" if kpi_kind(kpi) == "share" else "")
        rows.append([v.threshold.text, fmt_value(kpi, e.mean), interval, "pass" if v.passed else "FAIL",
                     margin if v.passed or e.n >= 2 else v.detail])
    return rows


def _outcome(r: Regression) -> str:
    if r.regressed:
        return "REGRESSED"
    d = r.difference
    significant = d.high < 0 if r.direction > 0 else d.low > 0
    return "worse, within tolerance" if significant else "worse, not significantly"


def _regression_rows(regressions: Sequence[Regression]) -> list[list[str]]:
    rows = []
    for r in sorted(regressions, key=lambda r: not r.regressed):
        d = r.difference
        rows.append([r.kpi, fmt_value(r.kpi, r.baseline_mean), fmt_value(r.kpi, r.current_mean),
                     fmt_difference(r.kpi, d), f"{d.p_value:.3g}", _outcome(r)])
    return rows


def check_lines(report: CheckReport) -> list[str]:
    """The check's outcome for people: the thresholds table, the baseline comparison, a verdict."""
    out: list[str] = []
    conf = f"{report.verdicts[0].estimate.confidence:.0%}" if report.verdicts else "95%"
    if report.verdicts:
        rule = ("the whole confidence interval must lie on the required side" if report.rule is Rule.INTERVAL
                else "the mean must lie on the required side")
        out += [f"thresholds (rule '{report.rule.value}': {rule})", ""]
        out += table(["threshold", "mean", f"{conf} CI", "result", "margin"], _threshold_rows(report))
    else:
        out.append("no thresholds (add 'thresholds:' to the scenario or --threshold)")
    if report.baseline is not None:
        b = report.baseline
        worse = [r for r in report.regressions if -r.direction * r.difference.mean > 0]
        out += ["", f"baseline {b.path} (carebench {b.version or '?'}, {b.replications} replications, "
                    f"paired on the same seeds, tolerance {report.tolerance:.0%} of the baseline mean):",
                f"  {len(report.regressions)} KPIs compared: {len(report.regressed)} regressed, "
                f"{len(worse) - len(report.regressed)} worse but within tolerance or not significantly, "
                f"{len(report.regressions) - len(worse)} not worse"]
        if worse:
            out += ["", *table(["KPI", "baseline", "now", "change", "p", "result"], _regression_rows(worse))]
    failed, regressed = len(report.failed), len(report.regressed)
    if report.passed:
        verdict = [f"{len(report.verdicts)} thresholds passed"] if report.verdicts else []
        verdict += ["no regression against the baseline"] if report.baseline is not None else []
        out += ["", "PASS: " + ", ".join(verdict)]
    else:
        verdict = [f"{failed} of {len(report.verdicts)} thresholds failed"] if failed else []
        verdict += [f"{regressed} KPIs regressed against the baseline"] if regressed else []
        out += ["", "FAIL: " + ", ".join(verdict)]
    return out
