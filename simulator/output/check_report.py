"""The CI check's outcome for people: the thresholds table, the baseline comparison, a verdict."""

from __future__ import annotations

from collections.abc import Sequence

from carebench.gate.check import CheckReport
from carebench.gate.regression import Regression
from carebench.gate.thresholds import Rule
from carebench.kpis import catalogue
from carebench.output.compare_report import fmt_difference, fmt_value
from carebench.output.report import table

__all__ = ["check_lines", "check_data"]


def _threshold_rows(report: CheckReport) -> list[list[str]]:
    rows = []
    for v in report.verdicts:
        kpi, e = v.threshold.kpi, v.estimate
        interval = f"[{fmt_value(kpi, e.low)}, {fmt_value(kpi, e.high)}]" if e.n >= 2 else "-"
        margin = fmt_value(kpi, v.margin, signed=True) + (" pts" if catalogue.kind(kpi) == "share" else "")
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


def _estimate(e) -> dict:
    return {"mean": e.mean, "half_width": e.half_width, "low": e.low, "high": e.high, "n": e.n}


def check_data(report: CheckReport, *, fingerprint: str, seeds, version: str, method: str) -> dict:
    """``check.json``: the verdict and why (the exit reason), each threshold and each KPI compared."""
    failed, regressed = len(report.failed), len(report.regressed)
    reasons = ([f"{failed} of {len(report.verdicts)} thresholds failed"] if failed else []) + \
              ([f"{regressed} KPIs regressed against the baseline"] if regressed else [])
    b = report.baseline
    return {
        "scenario": report.scenario, "fingerprint": fingerprint, "carebench_version": version, "method": method,
        "replications": report.replications, "seeds": list(seeds), "rule": report.rule.value,
        "passed": report.passed, "exit_code": 0 if report.passed else 1,
        "exit_reason": "; ".join(reasons) if reasons else "every threshold passed and nothing regressed",
        "thresholds": [{"threshold": v.threshold.text, "kpi": v.threshold.kpi, **_estimate(v.estimate),
                        "passed": v.passed, "margin": v.margin, "detail": v.detail} for v in report.verdicts],
        "baseline": None if b is None else {"path": str(b.path), "version": b.version, "fingerprint": b.fingerprint,
                                            "replications": b.replications, "tolerance": report.tolerance},
        "regressions": [{"kpi": r.kpi, "direction": r.direction, "baseline_mean": r.baseline_mean,
                         "current_mean": r.current_mean, "difference": r.difference.mean,
                         "difference_low": r.difference.low, "difference_high": r.difference.high,
                         "p_value": r.difference.p_value, "allowed": r.allowed, "regressed": r.regressed,
                         "detail": r.detail} for r in report.regressions],
        "lines": check_lines(report),
    }
