"""The coverage harness's tables: the verdict on a row, and the Markdown it writes and reads back.

A row is one (case, KPI, method) with its hits out of checks. It meets the
target when its coverage lies in 93.5-96.5 % and its Clopper-Pearson 95 %
interval holds 95 %; :func:`chance_miss` says how often a method covering
exactly 95 % would miss that at the row's number of checks, and
:func:`holm` marks the rows still consistent with 95 % after a Holm
adjustment across rows. :func:`family_rows` adds the checks up per KPI
family and method over every case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import beta, binomtest

from carebench.stats.bounds import is_time

__all__ = ["NOMINAL", "LOW_OK", "HIGH_OK", "meets", "chance_miss", "holm", "markdown", "bias_markdown",
           "family_rows", "family_markdown", "read_table", "summary"]

NOMINAL, LOW_OK, HIGH_OK = 0.95, 0.935, 0.965


def _cp(hits, checks):
    """Clopper-Pearson 95 % limits (vectorised over ``hits``)."""
    hits = np.asarray(hits, dtype=float)
    with np.errstate(invalid="ignore"):
        low = np.where(hits > 0, beta.ppf(0.025, hits, checks - hits + 1), 0.0)
        high = np.where(hits < checks, beta.ppf(0.975, hits + 1, checks - hits), 1.0)
    return low, high


def meets(hits, checks):
    """Whether ``hits`` out of ``checks`` meets the target (vectorised over ``hits``)."""
    cover = np.asarray(hits, dtype=float) / checks
    low, high = _cp(hits, checks)
    return (LOW_OK <= cover) & (cover <= HIGH_OK) & (low <= NOMINAL) & (NOMINAL <= high)


def chance_miss(checks: int) -> float:
    """The probability that a method covering exactly 95 % misses the target at ``checks`` checks."""
    if checks <= 0:
        return math.nan
    from scipy.stats import binom

    k = np.arange(checks + 1)
    return float(binom.pmf(k, checks, NOMINAL)[~meets(k, checks)].sum())


def holm(rows: list[dict], alpha: float = 0.05) -> None:
    """Mark each row consistent with 95 % after Holm's adjustment of its binomial test across rows."""
    order = sorted(range(len(rows)), key=lambda i: rows[i]["p"])
    rejecting = True
    for rank, i in enumerate(order):
        rejecting = rejecting and rows[i]["p"] <= alpha / (len(rows) - rank)
        rows[i]["holm"] = not rejecting


def markdown(rows: Sequence[dict]) -> str:
    """The table as Markdown."""
    out = ["| case | KPI | method | interval | checks | mean n | coverage | 95 % interval | outside bounds "
           "| target met | chance of a miss | consistent with 95 % (Holm) |",
           "| --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |"]
    for r in rows:
        out.append(f"| {r['case']} | {r['kpi']} | {r['method']} | {r['interval']} | {r['checks']} | "
                   f"{r['mean_n']} | {r['coverage']:.1%} | {r['low']:.1%}-{r['high']:.1%} | {r['outside']} | "
                   f"{'yes' if r['ok'] else 'NO'} | {r['chance_miss']:.0%} | {'yes' if r.get('holm') else 'NO'} |")
    return "\n".join(out)


def bias_markdown(rows: Sequence[dict]) -> str:
    """The bias checks as Markdown: each pool's mean against the truth; batch means' centre against the batch average."""
    out = ["| case | KPI | replications | truth | estimate over the pool | ± 2 SE | bias | average of runs "
           "| its bias | CV of one run |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        if "mean" in r:
            out.append(f"| {r['case']} | {r['kpi']} | {r['n']} | {r['truth']:.4g} | {r['mean']:.4g} | "
                       f"{r['two_se']:.2g} | {r['mean'] / r['truth'] - 1:+.1%} | {r['average']:.4g} | "
                       f"{r['average'] / r['truth'] - 1:+.1%} | {r['cv']:.2f} |")
    controls = [r for r in rows if r.get("control")]
    if controls:
        out += ["", "| control: batches too short | KPI | method | checks | coverage | 95 % interval |",
                "| --- | --- | --- | ---: | ---: | --- |"]
        out += [f"| {r['case']} | {r['kpi']} | {r['method']} | {r['checks']} | {r['coverage']:.1%} | "
                f"{r['low']:.1%}-{r['high']:.1%} |" for r in controls]
    out += ["", "| case | KPI | method | long runs | truth | whole window (the estimate) | average of batch values |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        if "whole" in r:
            out.append(f"| {r['case']} | {r['kpi']} | {r['method']} | {r['n']} | {r['truth']:.4g} | "
                       f"{r['whole']:.4g} ({r['whole'] / r['truth'] - 1:+.1%}) | "
                       f"{r['plain']:.4g} ({r['plain'] / r['truth'] - 1:+.1%}) |")
    return "\n".join(out)


def family_rows(rows: Sequence[dict]) -> list[dict]:
    """Each KPI family and method over every case: the checks added up, judged against the same target.

    Families are times (``frt.*``) and shares (service level, abandonment,
    utilisation); a method's batch-means rows of any run length count together.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if r.get("control") or not r["checks"]:
            continue
        key = ("times" if is_time(r["kpi"]) else "shares", r["method"].split(", ")[0])
        hits = round(r["coverage"] * r["checks"])
        acc = groups.setdefault(key, [0, 0])
        acc[0] += hits
        acc[1] += r["checks"]
    out = []
    for (family, method), (hits, checks) in groups.items():
        ci = binomtest(hits, checks).proportion_ci(0.95)
        out.append({"family": family, "method": method, "hits": hits, "checks": checks, "coverage": hits / checks,
                    "low": ci.low, "high": ci.high, "ok": bool(meets(hits, checks))})
    return out


def family_markdown(rows: Sequence[dict]) -> str:
    """:func:`family_rows` as Markdown."""
    out = ["| KPI family | method | checks | coverage | 95 % interval | target met |",
           "| --- | --- | ---: | ---: | --- | --- |"]
    out += [f"| {r['family']} | {r['method']} | {r['checks']} | {r['coverage']:.1%} | {r['low']:.1%}-{r['high']:.1%} "
            f"| {'yes' if r['ok'] else 'NO'} |" for r in family_rows(rows)]
    return "\n".join(out)


def read_table(path: str) -> list[dict]:
    """The rows of a table this harness wrote with ``--markdown`` (coverage as printed, to 0.1 %)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 12 and cells[4].isdigit():
            rows.append({"case": cells[0], "kpi": cells[1], "method": cells[2], "checks": int(cells[4]),
                         "coverage": float(cells[6].rstrip("%")) / 100})
    return rows


def summary(rows: Sequence[dict]) -> str:
    """How many rows met the target, how many a perfect method would miss by chance, and Holm's verdict."""
    met = sum(r["ok"] for r in rows)
    expected = sum(r["chance_miss"] for r in rows)
    holm_ok = sum(bool(r.get("holm")) for r in rows)
    return (f"{met} of {len(rows)} rows meet the target; a method covering exactly 95 % would miss "
            f"{expected:.1f} of them by chance; {holm_ok} of {len(rows)} are consistent with 95 % "
            "after a Holm adjustment across rows")
