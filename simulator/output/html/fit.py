"""The reports of ``carebench fit`` (rates, profiles, goodness of fit) and ``carebench calibrate`` (KS before, after).

Each is built from the JSON report the command writes beside its scenario
(``NAME-fit-report.json``, ``NAME-report.json``) and goes beside it as
``.html``; the scenario file it names is shown as run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from carebench.model.calendar import WEEKDAY_LABELS
from carebench.output.html.common import number, read_json, scenario_text
from carebench.output.html.page import Chart, section, table_of
from carebench.util.units import format_duration

__all__ = ["fit_document", "calibrate_document", "FIT_FORMAT", "CALIBRATION_FORMAT"]

FIT_FORMAT = "carebench-fit/1"
CALIBRATION_FORMAT = "carebench-calibration/1"


def _p(x) -> str:
    x = number(x)
    return "-" if not math.isfinite(x) else f"{x:.2g}" if x < 0.01 else f"{x:.2f}"


def _plotted(doc: dict, charts: list[Chart], data: dict) -> tuple[dict, list[Chart]]:
    """With --no-plots the page leaves its charts out too, and says so."""
    if data.get("plots", True) or not charts:
        return doc, charts
    doc["warnings"].append("no charts: the command ran with --no-plots")
    return doc, []


def _fit_headline(data: dict) -> list[str]:
    n, m = len(data["profiles"]), len(data["distributions"])
    out = [f"Fitted to {Path(data['source']).name}: {n} arrival profile{'s' * (n != 1)}, "
           f"{m} distribution{'s' * (m != 1)}"]
    for name, p in data["profiles"].items():
        lo, hi = p["per_hour_interval"]
        t = p["tests"]
        cells_p = number(t.get("cells_p"))
        if math.isfinite(cells_p):
            fits = "consistent with the profile" if cells_p >= 0.05 else "NOT explained by the profile"
            fits = f"weekday × hour counts {fits} (chi2 p {_p(cells_p)})"
        else:
            fits = "weekday × hour counts not tested (too few)"
        out.append(f"{name}: {p['per_hour']:,.2f} contacts/hour (95% {lo:,.2f} to {hi:,.2f}); {fits}, "
                   f"dispersion {number(t.get('dispersion')):.2f} (1 = Poisson)")
        if p.get("holdout"):
            c = p["holdout"]
            out.append(f"{name} held out: {c['observed']:,.0f} arrivals observed vs {c['predicted']:,.1f} predicted; "
                       f"mean abs error by hour of day {c['mape_by_hour']:.1%}")
    for name, d in data["distributions"].items():
        best = next((c for c in d["candidates"] if c["name"] == d["chosen"]), None)
        ks = f" (KS D {best['ks_d']:.3f}, p {_p(best['ks_p'])})" if best else ""
        out.append(f"{name}: {d['chosen']}{ks} from {d['n']:,} values")
    return out


def _fit_sections(data: dict) -> list[dict]:
    out = []
    for name, p in data["profiles"].items():
        obs, fit = np.array(p["observed"], float), np.array(p["fitted"], float)
        hours = [[f"{h:02d}:00", f"{obs[:, h].sum():,.0f}", f"{fit[:, h].sum():,.1f}", f"{p['hourly'][h]:.3f}",
                  f"{p['hourly_interval'][h][0]:.3f} to {p['hourly_interval'][h][1]:.3f}"] for h in range(24)]
        days = [[WEEKDAY_LABELS[d], f"{obs[d].sum():,.0f}", f"{fit[d].sum():,.1f}", f"{p['weekly'][d]:.3f}",
                 f"{p['weekly_interval'][d][0]:.3f} to {p['weekly_interval'][d][1]:.3f}"] for d in range(7)]
        head = ["observed (contacts)", "fitted (contacts)", "factor", "95% interval"]
        t = p["tests"]
        paras = [f"weekday × hour table chi2 {number(t.get('cells_chi2')):.1f} on {t.get('cells_dof')} dof "
                 f"(p {_p(t.get('cells_p'))}); hourly counts dispersion {number(t.get('dispersion')):.2f} "
                 f"(p {_p(t.get('dispersion_p'))})", *p.get("pooled", [])]
        tables = [table_of(["hour of day", *head], hours, f"{name}: by hour of day"),
                  table_of(["weekday", *head], days, f"{name}: by weekday")]
        if p.get("bursts"):
            tables.append(table_of(["start", "hours", "observed (contacts)", "expected (contacts)"],
                                   [[b["start"], str(b["hours"]), f"{b['observed']:,.0f}", f"{b['expected']:,.1f}"]
                                    for b in p["bursts"]], f"{name}: bursts the profile does not explain"))
        out.append(section(f"profile-{name}".replace(".", "-"), f"Arrivals: {name}", paras, tables))
    rows = [[name, c["name"], "yes" if c["name"] == d["chosen"] else "", f"{c['loglik']:,.1f}", f"{c['aic']:,.1f}",
             f"{c['ks_d']:.3f}", _p(c["ks_p"])] for name, d in data["distributions"].items() for c in d["candidates"]]
    if rows:
        out.append(section("distributions", "Distributions", [f"{n}: {d['reason']}" for n, d in
                                                              data["distributions"].items()],
                           [table_of(["quantity", "family", "chosen", "log-likelihood", "AIC", "KS D", "KS p"],
                                     rows, "candidate families")]))
    target = data.get("latency_target")
    notes = [f"support hours from reply times: {k}: {v}" for k, v in data.get("support_hours", {}).items()]
    if target:
        notes.append(f"calibration target: {target['answered']:,} first replies, " + ", ".join(
            f"{k} {format_duration(v)}" for k, v in target["quantiles_seconds"].items()))
    out.append(section("assumptions", "Assumptions", [*notes, *data.get("assumptions", [])]))
    return out


def _profile_figure(profiles: dict):
    from carebench.output.axes import count_axis
    from carebench.output.plots import new_figure

    fig = new_figure(11, 3.0 * len(profiles) + 0.4)
    axes = fig.subplots(len(profiles), 2, squeeze=False)
    for (name, p), (ax_h, ax_d) in zip(profiles.items(), axes):
        obs, fit = np.array(p["observed"], float), np.array(p["fitted"], float)
        for ax, o, f, labels, what in ((ax_h, obs.sum(axis=0), fit.sum(axis=0), [f"{h:02d}" for h in range(24)],
                                        "hour of day (clock)"),
                                       (ax_d, obs.sum(axis=1), fit.sum(axis=1), list(WEEKDAY_LABELS), "weekday")):
            x = np.arange(len(o))
            ax.bar(x, o, color="tab:grey", alpha=0.6, label="observed")
            ax.plot(x, f, color="tab:blue", marker="o", markersize=3, label="fitted")
            ax.set_xticks(x[::2] if len(x) > 12 else x, labels[::2] if len(x) > 12 else labels, fontsize=7)
            ax.set_xlabel(what)
            ax.set_ylabel("contacts")
            count_axis(ax)
            ax.grid(True, axis="y", alpha=0.3)
            ax.set_title(f"{name}: by {what.split(' (')[0]}", fontsize=9)
            ax.legend(fontsize=7)
    fig.suptitle("arrivals observed and fitted", fontsize=10)
    return fig


def fit_document(path: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench fit`` report file."""
    data = read_json(path)
    if not data["profiles"]:
        charts = []
    else:
        charts = [Chart("arrival-profiles", "Arrivals observed and fitted", "For each arrival profile, the contacts "
                        "observed (bars) and fitted (line) by hour of day and by weekday, summed over the trace.",
                        lambda: _profile_figure(data["profiles"]))]
    warnings = [f"{name}: {len(p['bursts'])} bursts the profile does not explain (modelled as incidents)"
                for name, p in data["profiles"].items() if p.get("bursts")]
    warnings += [f"{name}: weekday × hour counts are not explained by the fitted profile (chi2 p "
                 f"{_p(p['tests'].get('cells_p'))})" for name, p in data["profiles"].items()
                 if number(p["tests"].get("cells_p")) < 0.05]
    if data.get("skipped"):
        warnings.append(f"{data['skipped']:,} unreadable rows skipped (--skip-bad)")
    scenario = data.get("scenario_file", "")
    doc = {
        "kind": "fit", "title": f"carebench fit: {Path(data['source']).name}", "headline": _fit_headline(data),
        "verdict": None, "sections": _fit_sections(data), "warnings": warnings,
        "provenance": {"trace": data["source"], "scenario file": scenario,
                       "carebench version": data.get("carebench_version", "")},
        "scenario": scenario_text(path.parent / scenario) if scenario else "",
        "data": {k: data.get(k) for k in ("profiles", "distributions", "latency_target", "support_hours")},
    }
    return _plotted(doc, charts, data)


def _setting(value) -> str:
    """A calibrated value as a planner reads it: durations (``'505.776s'``) as ``'8m26s'``."""
    text = str(value)
    if text.endswith("s") and math.isfinite(number(text[:-1])):
        return format_duration(number(text[:-1]))
    return text


def _cal_headline(data: dict) -> list[str]:
    settings = ", ".join(f"{p}={_setting(v)}" for p, v in data["settings"]) or "none (no candidate fitted better; kept)"
    out = [f"Calibrated to the first replies of {Path(data.get('target', '')).name or 'the trace'}: {settings}"]
    for part in data["after"]:
        a, b = data["after"][part], data["before"][part]
        word = "held-out" if part != "train" else "training"
        out.append(f"{word} KS D {a['ks_d']:.3f} (p {_p(a['ks_p'])}) after, {b['ks_d']:.3f} before; median "
                   f"{format_duration(a['simulated']['median'])} simulated vs "
                   f"{format_duration(a['observed']['median'])} observed")
    return out


_STATS = (("n", "replies", lambda v: f"{v:,}"), ("median", "median (duration)", format_duration),
          ("p90", "p90 (duration)", format_duration), ("within_1h", "within 1 h (%)", lambda v: f"{v:.1%}"),
          ("within_24h", "within 24 h (%)", lambda v: f"{v:.1%}"))


def _cal_sections(data: dict) -> list[dict]:
    rows = []
    for part in data["before"]:
        rows.append([f"{part}: data", *(f(data["before"][part]["observed"][k]) for k, _h, f in _STATS), "", ""])
        for when in ("before", "after"):
            s = data[when][part]
            rows.append([f"{part}: simulated {when}", *(f(s["simulated"][k]) for k, _h, f in _STATS),
                         f"{s['ks_d']:.3f}", _p(s["ks_p"])])
    evals = [[str(i), ", ".join(f"{p}={_setting(v)}" for p, v in e["settings"]), f"{e['loss']:.4f}", f"{e['ks_d']:.3f}"]
             for i, e in enumerate(data["evaluations"], start=1)]
    return [section("fit", "First replies: data and simulation", [
        f"{data['replications']} replications per candidate on common random numbers; KS D is the largest gap "
        "between the simulated and observed distributions (0 = identical)."],
        [table_of(["sample", *(h for _k, h, _f in _STATS), "KS D", "KS p"], rows, "before and after")]),
        section("candidates", "Candidates simulated", tables=[table_of(["candidate", "settings", "loss", "KS D"],
                                                                        evals, "candidates")])]


def _loss_figure(evaluations: list[dict]):
    from carebench.output.axes import integer_axis
    from carebench.output.plots import new_figure

    fig = new_figure(8, 3.6)
    ax = fig.add_subplot()
    loss = np.array([number(e["loss"]) for e in evaluations])
    x = np.arange(1, loss.size + 1)
    ax.plot(x, loss, "o", markersize=4, color="tab:grey", label="candidate")
    ax.step(x, np.fmin.accumulate(loss), where="post", color="tab:blue", label="best so far")
    ax.set_xlabel("candidate simulated (count)")
    ax.set_ylabel("loss (KS distance, unitless)")
    integer_axis(ax, "x")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("calibration search: loss of each candidate", fontsize=10)
    return fig


def calibrate_document(path: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench calibrate`` report file."""
    data = read_json(path)
    charts = [Chart("search", "Calibration search", "The loss (distance between simulated and observed first-reply "
                    "times) of each candidate in the order simulated, and the best so far.",
                    lambda: _loss_figure(data["evaluations"]))] if data["evaluations"] else []
    warnings = []
    if "holdout" not in data["after"]:
        warnings.append("no held-out data (--holdout or --holdout-from): the fit is judged on the data it was "
                        "calibrated to")
    for part, a in data["after"].items():
        if number(a["ks_p"]) < 0.05:
            warnings.append(f"{part}: the simulated first replies still differ from the data (KS p {_p(a['ks_p'])})")
    scenario = data.get("scenario_file", "")
    doc = {
        "kind": "calibrate", "title": f"carebench calibrate: {Path(data.get('target', '')).name}",
        "headline": _cal_headline(data), "verdict": None, "sections": _cal_sections(data), "warnings": warnings,
        "provenance": {"trace": data.get("target", ""), "scenario file": scenario, "seed": data.get("seed", ""),
                       "replications": data["replications"], "carebench version": data.get("carebench_version", "")},
        "scenario": scenario_text(path.parent / scenario) if scenario else "",
        "data": {k: data[k] for k in ("settings", "before", "after", "replications")},
    }
    return _plotted(doc, charts, data)
