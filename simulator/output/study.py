"""Writing a study's result directory: probes.csv, brands.csv, summary.json, summary.txt and plots.

Used inside :func:`carebench.util.atomic.atomic_directory`, so an interrupted
study leaves a complete directory or none.
"""

from __future__ import annotations

import csv
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from carebench.output.plots import new_figure, save
from carebench.output.study_report import headline_rows
from carebench.study.estimates import LIMITS, StudyEstimates, durations
from carebench.study.inference import kaplan_meier
from carebench.study.runner import StudyRun
from carebench.util.jsonio import to_json
from carebench.util.units import DAY, HOUR, MINUTE, format_duration

__all__ = ["PROBE_CSV_COLUMNS", "write_probes", "write_brands", "write_summary", "plot_km", "plot_strata", "km_figure",
           "strata_figure", "write_study"]

PROBE_CSV_COLUMNS = ("repeat", "brand", "probe", "stratum", "followers", "sent_s", "sent_day", "sent_clock",
                     "seen", "replied", "time_to_reply_s", "censored", "first_reply_s", "human_reply_s", "bot",
                     "deflected")
"""Columns of ``probes.csv``: one row per probe. ``time_to_reply_s`` is the counted reply's delay, or the
window when ``censored``; ``first_reply_s``/``human_reply_s`` are the raw delays (empty when none came)."""


def _num(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.10g}"


def write_probes(path: Path, run: StudyRun) -> Path:
    """``probes.csv``: one row per probe of every repeat."""
    records = run.records()
    d, observed = durations(records, run.study.window, run.study.answered_by)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PROBE_CSV_COLUMNS)
        for r, dur, obs in zip(records, d.tolist(), observed.tolist()):
            clock = r.sent % DAY
            w.writerow([r.repeat + 1, r.brand, r.probe, r.stratum, _num(r.followers), _num(r.sent),
                        int(r.sent // DAY) + 1, f"{int(clock // HOUR):02d}:{int(clock % HOUR // MINUTE):02d}",
                        int(r.seen), int(obs), _num(dur), int(not obs), _num(r.first_reply), _num(r.human_reply),
                        int(r.bot), int(r.deflected)])
    return path


def write_brands(path: Path, est: StudyEstimates) -> Path:
    """``brands.csv``: one row per brand: shares with intervals, reply times, the brand's own traffic."""
    measures = [*LIMITS, "answered"]
    kpi_keys = list(est.brands[0].kpis) if est.brands else []
    eff_keys = list(est.brands[0].efficiency) if est.brands else []
    header = ["brand", "probes"]
    for m in measures:
        header += [m, f"{m}_low", f"{m}_high"]
    header += ["median_reply_s", "p90_reply_s", "mean_reply_s", "km_median_s", "unseen", "bot_replies", "deflected"]
    header += [f"traffic.{k}" for k in kpi_keys] + [f"traffic.{k}" for k in eff_keys]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for b in est.brands:
            row = [b.brand, b.probes]
            for m in measures:
                s = b.shares.get(m)
                row += ["", "", ""] if s is None else [_num(s.share), _num(s.low), _num(s.high)]
            rp = b.reply
            row += [_num(rp.median), _num(rp.p90), _num(rp.mean), _num(rp.km_median), b.unseen, b.bot_replies,
                    b.deflected]
            row += [_num(b.kpis[k]) for k in kpi_keys] + [_num(b.efficiency[k]) for k in eff_keys]
            w.writerow(row)
    return path


def _km_curve(run: StudyRun) -> dict[str, list[float]]:
    d, observed = durations(run.records(), run.study.window, run.study.answered_by)
    km = kaplan_meier(d, observed)
    return {"time_s": km.time.tolist(), "unanswered": km.survival.tolist(), "low": km.low.tolist(),
            "high": km.high.tolist()}


def write_summary(path: Path, run: StudyRun, est: StudyEstimates, extra: dict | None = None) -> Path:
    """``summary.json``: the pooled estimates, design effect, ICC, strata tests, headline, brands, KM curve."""
    study = run.study
    data = {
        "study": study.name, "source": run.source, "seed": study.seed, "repeats": est.repeats,
        "brands": len(run.brands), "probes_per_brand": study.probes.per_brand, "window_s": study.window,
        "answered_by": study.answered_by, "send_start_s": run.send_start, "send_end_s": run.send_end,
        "run_seeds": {f"{r.repeat + 1}.{r.brand}": r.seed for r in run.runs},
        "pooled": {k: asdict(v) for k, v in est.pooled.items()},
        "reply": asdict(est.reply),
        "brands_answering_none": est.brands_answering_none,
        "strata": [asdict(s) for s in est.strata],
        "strata_tests": [asdict(t) for t in est.strata_tests],
        "repeat_spread": None if est.spread is None else asdict(est.spread),
        "headline": [dict(zip(("who", "measure", "published", "simulated"), r)) for r in headline_rows(run, est)],
        "per_brand": [asdict(b) for b in est.brands],
        "kaplan_meier": _km_curve(run),
    }
    data.update(extra or {})
    path.write_text(to_json(data), encoding="utf-8")
    return path


def _time_axis(ax, window: float) -> None:
    ax.set_xscale("log")
    ax.set_xlim(MINUTE, window)
    ticks = [t for t in (MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY)
             if t <= window]
    ax.set_xticks(ticks, [format_duration(t) for t in ticks])
    for t in (HOUR, DAY):
        if t <= window:
            ax.axvline(t, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("time since the probe was sent (dotted: 1 h and 24 h)")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(True, alpha=0.3)


def _step(ax, d: np.ndarray, observed: np.ndarray, window: float, **style):
    km = kaplan_meier(d, observed)
    t = np.concatenate([[MINUTE / 2], np.maximum(km.time, MINUTE / 2), [window]])
    s = np.concatenate([[1.0], km.survival, [km.survival[-1] if km.survival.size else 1.0]])
    return ax.step(t, s, where="post", **style), km


def km_figure(run: StudyRun) -> Figure:
    """``km.png``: the share of probes still unanswered over time, pooled (with its band) and per brand."""
    study, records = run.study, run.records()
    fig = new_figure(10, 5.5)
    ax = fig.add_subplot()
    brands = run.brands
    show_legend = len(brands) <= 12
    for name in brands:
        mine = [r for r in records if r.brand == name]
        d, obs = durations(mine, study.window, study.answered_by)
        _step(ax, d, obs, study.window, linewidth=0.8, alpha=0.6, label=name if show_legend else None)
    d, obs = durations(records, study.window, study.answered_by)
    (_, km) = _step(ax, d, obs, study.window, color="black", linewidth=2.2, label="pooled")
    alive = np.isfinite(km.low)
    if alive.any():
        band_t = np.append(np.maximum(km.time[alive], MINUTE / 2), study.window)
        ax.fill_between(band_t, np.append(km.low[alive], km.low[alive][-1:]),
                        np.append(km.high[alive], km.high[alive][-1:]), step="post",
                        color="black", alpha=0.15, label="pooled 95% band (ignores clustering)")
    _time_axis(ax, study.window)
    ax.set_ylabel("share of probes not yet answered")
    ax.set_title(f"{study.name}: time to reply (Kaplan-Meier, censored at {format_duration(study.window)})")
    ax.legend(fontsize=7, ncol=2 if show_legend else 1, loc="lower left")
    return fig


def plot_km(path: Path, run: StudyRun) -> Path:
    """Write :func:`km_figure` to ``path`` as a PNG."""
    return save(km_figure(run), path)


def strata_figure(run: StudyRun, est: StudyEstimates) -> Figure:
    """``strata.png``: share answered within 24 h by follower stratum (cluster-robust interval) and their curves."""
    study, records = run.study, run.records()
    fig = new_figure(11, 4.5)
    left, right = fig.subplots(1, 2)
    labels = [f"{s.followers:,.0f}" for s in est.strata]
    shares = [s.within_24h.share for s in est.strata]
    err = [[s.within_24h.share - s.within_24h.low for s in est.strata],
           [s.within_24h.high - s.within_24h.share for s in est.strata]]
    if est.strata:
        left.bar(labels, shares, yerr=err, capsize=4, color="tab:blue", alpha=0.8)
    left.set_ylim(0, 1)
    left.set_xlabel("shopper's followers")
    left.set_ylabel("answered within 24 h")
    left.set_title("share within 24 h by stratum (95% cluster-robust)")
    left.grid(True, axis="y", alpha=0.3)
    for level in sorted({r.followers for r in records}):
        mine = [r for r in records if r.followers == level]
        d, obs = durations(mine, study.window, study.answered_by)
        _step(right, d, obs, study.window, linewidth=1.5, label=f"{level:,.0f} followers")
    _time_axis(right, study.window)
    right.set_ylabel("share not yet answered")
    right.set_title("time to reply by stratum")
    right.legend(fontsize=8)
    return fig


def plot_strata(path: Path, run: StudyRun, est: StudyEstimates) -> Path:
    """Write :func:`strata_figure` to ``path`` as a PNG."""
    return save(strata_figure(run, est), path)


def write_study(directory: Path, run: StudyRun, est: StudyEstimates, lines: list[str], *, plots: bool = True,
                extra: dict | None = None) -> list[Path]:
    """Every output file of a study into ``directory``."""
    paths = [write_probes(directory / "probes.csv", run), write_brands(directory / "brands.csv", est),
             write_summary(directory / "summary.json", run, est, extra)]
    text = directory / "summary.txt"
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths.append(text)
    if plots:
        paths += [plot_km(directory / "km.png", run), plot_strata(directory / "strata.png", run, est)]
    return paths
