"""What a trace holds: contacts per channel and brand, span, hour × weekday counts, latencies, threads."""

from __future__ import annotations

from collections import Counter

import numpy as np

from carebench.model.calendar import WEEKDAY_LABELS
from carebench.trace.records import CountTrace, Trace, weekday_hour
from carebench.trace.timeparse import wall_text

__all__ = ["summarise", "summary_lines", "WEEKDAYS", "LATENCY_QUANTILES"]

WEEKDAYS = WEEKDAY_LABELS  # the labels a summary prints
LATENCY_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)


def summarise(trace: Trace | CountTrace) -> dict:
    """Plain data describing ``trace`` (what ``carebench trace inspect`` prints and writes as JSON)."""
    if isinstance(trace, CountTrace):
        day, hour = weekday_hour(trace.start)
        table = np.zeros((7, 24))
        np.add.at(table, (day, hour), trace.count)
        first, last = float(trace.start.min()), float(trace.start.max() + trace.interval)
        return {"source": trace.source, "kind": "counts", "tz": trace.tz, "contacts": int(trace.count.sum()),
                "interval_seconds": trace.interval, "intervals": int(trace.start.size),
                "channels": {trace.channel: int(trace.count.sum())}, "brands": {},
                "first": wall_text(first), "last": wall_text(last), "days": (last - first) / 86400,
                "weekday_hour": table.astype(int).tolist(), "skipped_rows": trace.skipped}
    day, hour = weekday_hour(trace.arrival)
    table = np.zeros((7, 24), int)
    np.add.at(table, (day, hour), 1)
    out = {"source": trace.source, "kind": "contacts", "tz": trace.tz, "contacts": len(trace),
           "channels": dict(Counter(trace.channel.tolist())), "brands": dict(Counter(trace.brand.tolist()).most_common()),
           "first": wall_text(trace.arrival.min()) if len(trace) else None,
           "last": wall_text(trace.arrival.max()) if len(trace) else None,
           "days": float(np.ptp(trace.arrival)) / 86400 if len(trace) else 0.0,
           "weekday_hour": table.tolist(), "skipped_rows": trace.skipped, "notes": list(trace.notes)}
    lat = trace.latency[np.isfinite(trace.latency)]
    if lat.size:
        out["first_reply"] = {"answered": int(lat.size), "share_answered": lat.size / len(trace),
                              "quantiles_seconds": {f"p{round(q * 100)}": float(np.quantile(lat, q))
                                                    for q in LATENCY_QUANTILES}}
    if "bumps" in trace.present:
        out["threads"] = {"thread_messages": trace.threads, "contacts_with_bumps": int((trace.bumps > 0).sum()),
                          "bumps": int(trace.bumps[trace.bumps > 0].sum())}
    return out


def _dur(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def summary_lines(summary: dict) -> list[str]:
    """The summary as text lines for the terminal."""
    lines = [f"{summary['source']}: {summary['contacts']:,} contacts ({summary['kind']}), "
             f"{summary['first']} to {summary['last']} {summary['tz']} ({summary['days']:.1f} days)"]
    if summary.get("skipped_rows"):
        lines.append(f"skipped {summary['skipped_rows']:,} bad rows (--skip-bad)")
    lines += [f"note: {n}" for n in summary.get("notes", [])]
    chans = ", ".join(f"{k or '(no channel)'} {v:,}" for k, v in summary["channels"].items())
    lines.append(f"channels: {chans}")
    brands = summary["brands"]
    if brands and set(brands) != {""}:
        top = list(brands.items())[:10]
        more = f" and {len(brands) - 10} more" if len(brands) > 10 else ""
        lines.append("brands: " + ", ".join(f"{k or '(unknown)'} {v:,}" for k, v in top) + more)
    table = np.array(summary["weekday_hour"])
    lines.append("")
    lines.append("contacts by hour of day (rows) and weekday (columns), " + summary["tz"])
    lines.append("hour  " + " ".join(f"{d:>6}" for d in WEEKDAYS) + "   total")
    for h in range(24):
        lines.append(f"{h:02d}    " + " ".join(f"{v:>6,}" for v in table[:, h]) + f"  {table[:, h].sum():>6,}")
    lines.append("total " + " ".join(f"{v:>6,}" for v in table.sum(axis=1)) + f"  {table.sum():>6,}")
    reply = summary.get("first_reply")
    if reply:
        q = ", ".join(f"{k} {_dur(v)}" for k, v in reply["quantiles_seconds"].items())
        lines += ["", f"first reply: {reply['answered']:,} answered ({reply['share_answered']:.0%}); {q}"]
    threads = summary.get("threads")
    if threads:
        lines.append(f"threads: {threads['thread_messages']:,} follow-up messages; "
                     f"{threads['contacts_with_bumps']:,} contacts bumped before a reply "
                     f"({threads['bumps']:,} bumps)")
    return lines
