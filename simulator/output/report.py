"""Plain-text summaries of results for the terminal (the CLI prints them)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from carebench.engine.results import RunResult
from carebench.kpis import catalogue
from carebench.stats.warmup import edge_effects
from carebench.util.units import format_duration

__all__ = ["table", "run_summary", "censoring_lines", "fmt_share", "fmt_time", "fmt_number", "fmt_kpi",
           "measured_window"]


def fmt_share(x: float) -> str:
    """``0.9123 -> '91.2%'``; undefined → ``'-'``."""
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def fmt_time(x: float) -> str:
    """Seconds as a short duration; undefined → ``'-'``."""
    return "-" if x is None or not math.isfinite(x) else format_duration(x)


def fmt_number(x: float) -> str:
    """Counts and amounts with thousands separators and sensible precision."""
    if x is None or not math.isfinite(x):
        return "-"
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def fmt_kpi(kpi: str, x: float) -> str:
    """A value of KPI ``kpi`` in its unit from the KPI catalogue: a share, a duration or a number."""
    shown = catalogue.kind(kpi)
    return fmt_share(x) if shown == "share" else fmt_time(x) if shown == "time" else fmt_number(x)


def measured_window(horizon: float, warmup: float, end: float | None = None, rule: str = "",
                    auto: bool = False) -> str:
    """What a run measured, in weekday and clock time: ``'measured 7d, Mon 00:00 (wk 2) to Mon 00:00 (wk 3),
    after a 7d warm-up, then a 1d drain'``.

    The KPIs count contacts arriving in ``[warmup, horizon)``; a drain after the
    horizon only lets them be answered, so it is named but not measured.
    """
    from carebench.output.axes import weekday_clock

    if auto:  # replications each choose their own warm-up
        text = f"measured from a warm-up chosen per run by MSER-5 to {weekday_clock(horizon)}"
        drain = (end or horizon) - horizon
        return text + (f", then a {fmt_time(drain)} drain" if drain > 0 else "")
    text = (f"measured {fmt_time(horizon - warmup)}, {weekday_clock(warmup)} to {weekday_clock(horizon)}, "
            + (f"after a {fmt_time(warmup)} warm-up{rule}" if warmup > 0 else "from an empty start (no warm-up)"))
    drain = (end or horizon) - horizon
    return text + (f", then a {fmt_time(drain)} drain" if drain > 0 else "")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Align columns: the first left, the rest right."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    def line(r):
        cells = (str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        return "  ".join(cells).rstrip()
    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def run_summary(result: RunResult, sla: dict[str, float]) -> list[str]:
    """The table ``carebench run`` prints: channels, pools and the three outcome measures."""
    k = result.kpis

    def cell(name: str) -> str:
        return fmt_kpi(name, k[name])

    rows = []
    for ch in (*result.channels, "all"):
        rows.append([
            ch, *(cell(f"{m}.{ch}") for m in ("arrived", "answered", "abandoned", "waiting")),
            fmt_time(sla[ch]) if ch in sla else "",
            *(cell(f"{m}.{ch}") for m in ("sla", "frt.p50", "frt.p90", "within_1h", "within_24h")),
        ])
    rule = " chosen by MSER-5" if result.warmup_rule == "MSER-5" else ""
    # The README quotes this line (durations); the report's headline adds the clock times (measured_window).
    drain = result.end - result.horizon
    measured = result.horizon - result.warmup
    out = [f"{result.scenario} (seed {result.seed}, {fmt_time(result.horizon)} simulated, "
           f"warm-up {fmt_time(result.warmup)}{rule}, measured {fmt_time(measured)}"
           + (f", then a {fmt_time(drain)} drain)" if drain > 0 else ")"), ""]
    out += table(["channel", "arrived", "answered", "abandoned", "waiting", "target", "SLA",
                  "FRT p50", "FRT p90", "<=1h", "<=24h"], rows)
    pools = [[p, cell(f"utilisation.{p}"), cell(f"agent_hours.{p}"), cell(f"drain_busy_hours.{p}")]
             for p in result.pools]
    if pools:
        out += ["", *table(["pool", "utilisation", "agent-hours", "busy in drain (h)"], pools)]
    out += ["", *censoring_lines(result)]
    out += [
        "",
        f"exposure: {cell('exposure.total')} follower-hours "
        f"(top 1% of complainers: {cell('exposure.top1_share')})",
        f"churn risk: {cell('churn.expected')} expected churners"
        + (f", revenue at risk {cell('revenue_at_risk')}" if k["revenue_at_risk"] else ""),
        f"time to resolution: mean {cell('ttr.mean.all')}, p90 {cell('ttr.p90.all')}; "
        f"bumps {cell('bumps.total')}, deflections {cell('deflections.total')}, "
        f"peer answers {cell('peer_answers.total')}",
    ]
    warnings = edge_effects(result)
    if warnings:
        out += ["", "warning: " + "; ".join(warnings)]
    return out


def censoring_lines(result: RunResult) -> list[str]:
    """How many contacts were still waiting at the end, and the response times with them counted.

    FRT p50/p90 and SLA in the table are over answered contacts (SLA: the
    catalogue's rule, a contact still waiting counts as a miss once older than
    its target); the Kaplan-Meier figures keep the still-waiting ones as censored.
    """
    k = result.kpis
    censored = {ch: k.get(f"censored.{ch}", 0.0) for ch in result.channels}
    total = sum(censored.values())
    if not total:
        return ["censored: none (every contact needing a reply was answered or left before the end)"]
    parts = [f"{ch} {fmt_number(n)}: p50 {fmt_time(k[f'frt_km.p50.{ch}'])}, p90 {fmt_time(k[f'frt_km.p90.{ch}'])}, "
             f"SLA {fmt_share(k[f'sla_km.{ch}'])}" for ch, n in censored.items() if n]
    return [f"censored: {fmt_number(total)} contacts still waiting at the end; first response with them "
            f"(Kaplan-Meier): " + "; ".join(parts)]
