"""Reports of fits and calibrations: text tables, plain data for JSON, ECDF plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from carebench.calibrate.fit import Fitted
from carebench.calibrate.search import Calibration
from carebench.calibrate.target import SimulatedLatency
from carebench.output.plots import new_figure, save
from carebench.trace.summary import WEEKDAYS
from carebench.trace.timeparse import wall_text
from carebench.util.units import format_duration

__all__ = ["fit_lines", "fit_data", "calibration_lines", "calibration_data", "calibrated_header", "plot_latency_ecdf",
           "plot_fit_ecdf"]


def fit_lines(fit: Fitted) -> list[str]:
    """The fit report: rates with intervals, observed vs fitted by hour and weekday, tests, pooling, bursts."""
    out = [f"fit of {fit.source}"]
    for name, p in fit.profiles.items():
        lo, hi = p.per_hour_interval
        out += ["", f"{name}: {p.per_hour:.3f} contacts/hour (95% {lo:.3f}-{hi:.3f}) from {p.contacts:,} contacts "
                    f"in {p.hours_observed:,} hours"]
        out.append("hour  observed   fitted   factor (95% interval)")
        obs_h, fit_h = p.observed.sum(axis=0), p.fitted.sum(axis=0)
        for h in range(24):
            a, (alo, ahi) = p.hourly[h], p.hourly_interval[h]
            out.append(f"{h:02d}    {obs_h[h]:>8.0f} {fit_h[h]:>8.1f}   {a:.3f} ({alo:.3f}-{ahi:.3f})")
        out.append("day   observed   fitted   factor (95% interval)")
        obs_d, fit_d = p.observed.sum(axis=1), p.fitted.sum(axis=1)
        for d in range(7):
            b, (blo, bhi) = p.weekly[d], p.weekly_interval[d]
            out.append(f"{WEEKDAYS[d]}   {obs_d[d]:>8.0f} {fit_d[d]:>8.1f}   {b:.3f} ({blo:.3f}-{bhi:.3f})")
        t = p.tests
        out.append(f"goodness of fit: weekday x hour table chi2 {t['cells_chi2']:.1f} on {t['cells_dof']} dof "
                   f"(p {t['cells_p']:.3g}); hourly counts dispersion {t['dispersion']:.2f} (1 = Poisson, "
                   f"p {t['dispersion_p']:.3g})")
        out += p.pooled()
        if p.bursts:
            out.append(f"{len(p.bursts)} bursts the profile does not explain (hours, observed/expected):")
            for b in p.bursts[:10]:
                out.append(f"  {wall_text(b.start)} for {b.hours}h: {b.observed:.0f} vs {b.expected:.1f} "
                           f"(x{b.multiplier:.1f})")
            if len(p.bursts) > 10:
                out.append(f"  ... and {len(p.bursts) - 10} more (all in the JSON report)")
        if name in fit.support:
            out.append(f"support hours from reply times: {fit.support[name]}")
        if name in fit.holdout:
            c = fit.holdout[name]
            out.append(f"check on held-out hours: {c['observed']:,.0f} arrivals observed vs {c['predicted']:,.1f} "
                       f"predicted (level x{c['level']:.3f}); mean abs error by hour of day "
                       f"{c['mape_by_hour']:.1%}, {c['shape_mape_by_hour']:.1%} after the level")
    for name, d in fit.distributions.items():
        out += ["", f"{name}: {d.chosen} from {d.n:,} values ({d.reason})",
                "  candidate     log-lik        AIC   KS D   KS p"]
        for c in d.candidates:
            out.append(f"  {c.name:<11} {c.loglik:>9.1f} {c.aic:>10.1f}  {c.ks_d:.3f}  {c.ks_p:.3g}")
    if fit.latency is not None:
        q = np.quantile(fit.latency, (0.5, 0.9))
        out += ["", f"calibration target: {fit.latency.size:,} first replies, median {format_duration(q[0])}, "
                    f"p90 {format_duration(q[1])}"]
    out += [""] + [f"assumption: {a}" for a in fit.assumptions]
    return out


def fit_data(fit: Fitted) -> dict:
    """The fit report as plain data (fit-report.json)."""
    prof = {}
    for name, p in fit.profiles.items():
        prof[name] = {"per_hour": p.per_hour, "per_hour_interval": list(p.per_hour_interval),
                      "hourly": p.hourly.tolist(), "hourly_interval": p.hourly_interval.tolist(),
                      "weekly": p.weekly.tolist(), "weekly_interval": p.weekly_interval.tolist(),
                      "observed": p.observed.tolist(), "fitted": p.fitted.tolist(), "tests": p.tests,
                      "pooled": p.pooled(),
                      "bursts": [{"start": wall_text(b.start), "hours": b.hours, "observed": b.observed,
                                  "expected": b.expected} for b in p.bursts],
                      "holdout": fit.holdout.get(name)}
    dists = {name: {"chosen": d.chosen, "n": d.n, "reason": d.reason,
                    "candidates": [c.__dict__ for c in d.candidates]} for name, d in fit.distributions.items()}
    target = None
    if fit.latency is not None:
        target = {"answered": int(fit.latency.size),
                  "quantiles_seconds": {f"p{q}": float(np.quantile(fit.latency, q / 100)) for q in (10, 25, 50, 75, 90, 99)}}
    return {"source": fit.source, "profiles": prof, "distributions": dists, "latency_target": target,
            "support_hours": fit.support, "assumptions": fit.assumptions}


def _row(label, side) -> str:
    s = side.sim
    return (f"{label:<18} {s.n:>7,} {format_duration(s.median):>9} {format_duration(s.p90):>9} "
            f"{s.within_1h:>7.1%} {s.within_24h:>7.1%}   D {side.ks_d:.3f} (p {side.ks_p:.2g})")


def calibration_lines(cal: Calibration) -> list[str]:
    """Before/after against the training (and held-out) data, side by side with the data."""
    out = [f"{cal.replications} replications per candidate (common random numbers), "
           f"{len(cal.evaluations)} candidates simulated", ""]
    out.append(f"{'':<18} {'n':>7} {'median':>9} {'p90':>9} {'<=1h':>7} {'<=24h':>7}   KS vs data")
    for part in cal.before:
        obs = cal.before[part].obs
        out.append(f"{part + ' data':<18} {obs.n:>7,} {format_duration(obs.median):>9} {format_duration(obs.p90):>9} "
                   f"{obs.within_1h:>7.1%} {obs.within_24h:>7.1%}")
        out.append(_row("  before", cal.before[part]))
        out.append(_row("  after", cal.after[part]))
    out += ["", "calibrated: " + (", ".join(f"{p}={v}" for p, v in cal.settings)
                                  or "no candidate fitted better than the scenario as given; kept it")]
    return out


def calibration_data(cal: Calibration) -> dict:
    """The calibration report as plain data."""
    def side(s):
        return {"ks_d": s.ks_d, "ks_p": s.ks_p, "simulated": s.sim.__dict__, "observed": s.obs.__dict__}
    return {"replications": cal.replications, "settings": [[p, v] for p, v in cal.settings],
            "before": {k: side(v) for k, v in cal.before.items()}, "after": {k: side(v) for k, v in cal.after.items()},
            "evaluations": [{"settings": [[p, v] for p, v in e.settings], "loss": e.loss, "ks_d": e.ks_d}
                            for e in cal.evaluations]}


def calibrated_header(cal: Calibration, target: str) -> str:
    """YAML comment lines saying what the scenario was calibrated to and how well it fits."""
    lines = [f"Calibrated to the first-reply latencies of {target}.",
             "Free parameters: " + (", ".join(f"{p}={v}" for p, v in cal.settings) or "none")]
    for part in cal.after:
        a, b = cal.after[part], cal.before[part]
        lines.append(f"{part}: KS D {b.ks_d:.3f} before, {a.ks_d:.3f} after (p {a.ks_p:.2g}); "
                     f"median {format_duration(a.sim.median)} simulated vs {format_duration(a.obs.median)} observed")
    return "".join(f"# {line}\n" for line in lines)


def plot_latency_ecdf(path: Path, observed: np.ndarray, before: SimulatedLatency, after: SimulatedLatency,
                      holdout: np.ndarray | None = None) -> Path:
    """ECDF overlay: observed latencies against the simulated ones before and after calibration."""
    fig = new_figure()
    ax = fig.add_subplot()
    x = np.sort(observed)
    ax.step(x / 60, np.arange(1, x.size + 1) / x.size, where="post", label="trace (train)", color="black")
    if holdout is not None and holdout.size:
        h = np.sort(holdout)
        ax.step(h / 60, np.arange(1, h.size + 1) / h.size, where="post", label="trace (held out)", color="grey")
    grid = np.geomspace(max(x.min(), 1.0), max(x.max(), 2.0), 400)
    ax.plot(grid / 60, before.cdf(grid), label="simulated before", linestyle="--")
    ax.plot(grid / 60, after.cdf(grid), label="simulated after")
    ax.set_xscale("log")
    ax.set_xlabel("first-reply latency (minutes, log scale)")
    ax.set_ylabel("share answered within")
    ax.legend()
    return save(fig, path)


def plot_fit_ecdf(path: Path, name: str, values: np.ndarray, fit) -> Path:
    """ECDF of ``values`` against the CDFs of the fitted candidate families."""
    from scipy import stats

    fig = new_figure()
    ax = fig.add_subplot()
    x = np.sort(values[np.isfinite(values) & (values > 0)])
    ax.step(x, np.arange(1, x.size + 1) / x.size, where="post", color="black", label="data")
    for c in fit.candidates:
        p = c.params
        if c.name == "exponential":
            dist = stats.expon(scale=p["mean"])
        elif c.name == "lognormal":
            s2 = np.log1p(p["cv"] ** 2)
            dist = stats.lognorm(s=np.sqrt(s2), scale=p["mean"] * np.exp(-s2 / 2))
        else:
            k = 1 / p["cv"] ** 2
            dist = stats.gamma(k, scale=p["mean"] / k)
        ax.plot(x, dist.cdf(x), label=f"{c.name} (KS D {c.ks_d:.3f})")
    ax.set_xscale("log")
    ax.set_title(name)
    ax.legend()
    return save(fig, path)
