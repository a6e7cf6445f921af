"""Batch-means results of one long run: ``summary.json`` and the lines ``carebench run --batches`` prints."""

from __future__ import annotations

from pathlib import Path

from carebench.engine.results import RunResult
from carebench.output.compare_report import fmt_estimate
from carebench.output.report import fmt_time, table
from carebench.stats.batches import Z_WARN, correlated_kpis
from carebench.stats.intervals import Estimate
from carebench.util.atomic import atomic_write_text
from carebench.util.jsonio import to_json

__all__ = ["batch_lines", "write_batch_summary", "headline_kpis"]


def headline_kpis(result: RunResult) -> list[str]:
    """The KPIs the batch table shows and the autocorrelation check judges: SLA and mean FRT per channel."""
    return [f"{m}.{ch}" for ch in result.channels for m in ("sla", "frt.mean")]


def write_batch_summary(directory: Path, result: RunResult, summary: dict[str, Estimate],
                        rho: dict[str, float]) -> Path:
    """``summary.json`` of a batch-means run: method, batches, every KPI's interval and lag-1 autocorrelation."""
    k = len(result.batches)
    data = {
        "scenario": result.scenario, "fingerprint": result.fingerprint, "seed": result.seed,
        "method": f"batch means: the measured window cut into {k} batches of "
                  f"{fmt_time((result.horizon - result.warmup) / k)}, contacts by arrival; each estimate is the "
                  "whole window's value, the spread of the batches gives its interval",
        "confidence": 0.95, "batches": k, "warmup": result.warmup, "warmup_rule": result.warmup_rule,
        "too_correlated": correlated_kpis(rho, k, headline_kpis(result)),
        "kpis": {n: {"mean": e.mean, "half_width": e.half_width, "low": e.low, "high": e.high, "n": e.n,
                     "std": e.std, "method": e.method, "lag1_autocorrelation": rho[n]}
                 for n, e in summary.items()},
    }
    return atomic_write_text(directory / "summary.json", to_json(data))


def batch_lines(result: RunResult, summary: dict[str, Estimate], rho: dict[str, float]) -> list[str]:
    """The batch-means table (95 % intervals, lag-1 autocorrelation) and a warning when batches are too short."""
    k = len(result.batches)
    names = headline_kpis(result)
    rows = [[n, fmt_estimate(n, summary[n]), f"{rho[n]:+.2f}"] for n in names if n in summary]
    out = [f"batch means: {k} batches of {fmt_time((result.horizon - result.warmup) / k)}, 95% intervals"]
    out += table(["KPI", "estimate", "lag-1 autocorrelation"], rows)
    bad = correlated_kpis(rho, k, names)
    if bad:
        out.append(f"warning: batches too short for {', '.join(bad)} (lag-1 autocorrelation above "
                   f"{Z_WARN / k ** 0.5:.2f}); run longer or use fewer batches")
    return out
