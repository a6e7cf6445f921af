"""The reports of ``carebench check`` (pass or fail, and why) and of a baseline file.

``check`` writes ``check.json`` into its result directory; a baseline is its
own JSON file (``carebench baseline``), reported beside it as ``<name>.html``.
"""

from __future__ import annotations

import math
from pathlib import Path

from carebench.output.html.common import (
    bars_figure,
    fmt_diff,
    fmt_interval,
    number,
    read_json,
    scenario_text,
    summary_lines,
    text_warnings,
    unit,
)
from carebench.output.html.page import Chart, section, table_of

__all__ = ["check_document", "baseline_document"]


def _threshold_rows(data: dict) -> list[list[str]]:
    rows = []
    for t in data["thresholds"]:
        kpi = t["kpi"]
        n = int(t.get("n") or 0)
        interval = f"[{fmt_interval(kpi, number(t['low']))}, {fmt_interval(kpi, number(t['high']))}]" if n >= 2 else "-"
        rows.append([t["threshold"], unit(kpi), fmt_interval(kpi, number(t["mean"]), number(t["half_width"]), n),
                     interval, "PASS" if t["passed"] else "FAIL", t["detail"]])
    return rows


def check_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench check`` directory."""
    data = read_json(directory / "check.json")
    verdict = "PASS" if data["passed"] else "FAIL"
    head = [f"check {data['scenario']}: {verdict} (exit code {data['exit_code']}): {data['exit_reason']}"]
    for t in data["thresholds"]:
        kpi = t["kpi"]
        head.append(f"{t['threshold']}: {fmt_interval(kpi, number(t['mean']), number(t['half_width']), int(t['n'] or 0))}"
                    f": {'PASS' if t['passed'] else 'FAIL'}")
    sections = [section("thresholds", "Thresholds",
                        [f"Rule '{data['rule']}': " + ("the whole 95% confidence interval must lie on the required "
                                                       "side." if data["rule"] == "interval" else
                                                       "the mean must lie on the required side.")],
                        [table_of(["threshold", "unit", "mean ± 95% CI", "interval", "result", "detail"],
                                  _threshold_rows(data), "thresholds")])]
    b = data.get("baseline")
    if b:
        worse = [r for r in data["regressions"] if -r["direction"] * number(r["difference"]) > 0]
        rows = [[r["kpi"], unit(r["kpi"]), fmt_interval(r["kpi"], number(r["baseline_mean"])),
                 fmt_interval(r["kpi"], number(r["current_mean"])),
                 fmt_diff(r["kpi"], number(r["difference"]), (number(r["difference_high"]) - number(r["difference_low"]))
                          / 2, data["replications"]),
                 "REGRESSED" if r["regressed"] else "worse, within tolerance or not significantly"]
                for r in sorted(worse, key=lambda r: not r["regressed"])]
        sections.append(section("baseline", "Against the baseline",
                                [f"Baseline {b['path']} (carebench {b['version']}, {b['replications']} replications, "
                                 f"paired on the same seeds, tolerance {b['tolerance']:.0%} of the baseline mean): "
                                 f"{len(data['regressions'])} KPIs compared, {len(worse)} worse, "
                                 f"{sum(r['regressed'] for r in data['regressions'])} regressed."],
                                [table_of(["KPI", "unit", "baseline", "now", "change", "result"], rows, "worse KPIs")]))
    panels = [(t["kpi"], [t["threshold"].replace(t["kpi"], "").strip() or "now"], [number(t["mean"])],
               [number(t["half_width"])]) for t in data["thresholds"]]
    charts = [Chart("thresholds-chart", "Thresholds", "Each thresholded KPI's mean with its 95% confidence interval; "
                    "the bar's label is the threshold it must meet.", lambda: bars_figure(panels, "KPIs under a threshold"))] \
        if panels else []
    doc = {
        "kind": "check", "title": f"carebench check: {data['scenario']}", "headline": head, "verdict": verdict,
        "sections": sections, "warnings": text_warnings(summary_lines(directory)),
        "provenance": {"scenario": data["scenario"], "fingerprint": data["fingerprint"],
                       "carebench version": data["carebench_version"], "replications": data["replications"],
                       "seeds": ", ".join(str(s) for s in data["seeds"]), "method": data["method"]},
        "scenario": scenario_text(directory / "scenario.yaml"),
        "data": {k: data[k] for k in ("passed", "exit_code", "exit_reason", "rule", "thresholds", "baseline",
                                      "regressions")},
    }
    return doc, charts


def baseline_document(path: Path) -> tuple[dict, list[Chart]]:
    """The report document of a baseline file (``carebench baseline``)."""
    data = read_json(path)
    kpis = data["kpis"]
    n = int(data["replications"])
    slas = [k for k in kpis if k.startswith("sla.") and k != "sla.all"]
    head = [f"baseline of {data['scenario']} (fingerprint {data['fingerprint']}): {n} replications, {len(kpis)} KPIs, "
            f"carebench {data['carebench_version']}"]
    head += [f"{k[4:].capitalize()} SLA {fmt_interval(k, number(kpis[k]['mean']), number(kpis[k]['half_width']), n)}"
             for k in slas]
    rows = [[k, unit(k), fmt_interval(k, number(v["mean"]), number(v["half_width"]), int(v.get("n") or n)),
             f"{number(v['low']):.6g} to {number(v['high']):.6g}" if math.isfinite(number(v["low"])) else "-"]
            for k, v in kpis.items()]
    panels = [(k, ["baseline"], [number(kpis[k]["mean"])], [number(kpis[k]["half_width"])]) for k in slas]
    charts = [Chart("baseline-sla", "SLA per channel in the baseline", "Each channel's SLA attainment in the "
                    "baseline, mean with its 95% confidence interval.", lambda: bars_figure(panels, "baseline SLA"))] \
        if panels else []
    doc = {
        "kind": "baseline", "title": f"carebench baseline: {data['scenario']}", "headline": head, "verdict": None,
        "sections": [section("kpis", "Every KPI", [f"Mean ± 95% CI half-width over {n} replications; "
                                                  f"refresh with: {data.get('command', '')}"],
                             [table_of(["KPI", "unit", "mean ± 95% CI", "interval (raw)"], rows, "baseline KPIs")])],
        "warnings": [],
        "provenance": {"scenario": data["scenario"], "fingerprint": data["fingerprint"],
                       "carebench version": data["carebench_version"], "replications": n,
                       "seeds": ", ".join(str(s) for s in data["seeds"]), "method": data.get("method", ""),
                       "command": data.get("command", ""), "file": path.name},
        "scenario": "",
        "data": {"kpis": {k: {x: v.get(x) for x in ("mean", "half_width", "low", "high", "n")} for k, v in kpis.items()}},
    }
    return doc, charts
