"""The report of ``carebench compare``: each variant against the first in plain words, the table, the bars.

Built from ``comparison.csv`` (one row per KPI and variant, with the paired
difference from the first), ``plan.json``, ``replications.csv`` and
``variants/<n>.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from carebench.output.compare_report import labels
from carebench.output.html.common import bars_figure, fmt_diff, fmt_interval, number, read_csv, read_json, unit
from carebench.output.html.page import Chart, section, table_of

__all__ = ["compare_document"]


def _rows(directory: Path) -> tuple[list[str], dict[str, dict[str, dict]]]:
    by_kpi: dict[str, dict[str, dict]] = {}
    names: list[str] = []
    for row in read_csv(directory / "comparison.csv"):
        if row["variant"] not in names:
            names.append(row["variant"])
        values = {k: number(v) for k, v in row.items() if k not in ("kpi", "variant", "reference", "verdict",
                                                                       "significant")}
        values["n"] = int(values["n"]) if values["n"] == values["n"] else 0
        by_kpi.setdefault(row["kpi"], {})[row["variant"]] = {**values, "verdict": row["verdict"]}
    return names, by_kpi


def _words(names: list[str], by_kpi: dict) -> list[str]:
    tags = labels(len(names))
    out = []
    for i in range(1, len(names)):
        groups: dict[str, list[str]] = {"better": [], "worse": [], "different": [], "same": []}
        for kpi, per in by_kpi.items():
            r = per[names[i]]
            groups.setdefault(r["verdict"], []).append(
                kpi if r["verdict"] == "same" else f"{kpi} {fmt_diff(kpi, r['diff_mean'], r['diff_half_width'], r['n'])}")
        parts = [f"better on {', '.join(groups['better'])}" if groups["better"] else "",
                 f"worse on {', '.join(groups['worse'])}" if groups["worse"] else "",
                 f"different on {', '.join(groups['different'])}" if groups["different"] else "",
                 f"no significant difference on {len(groups['same'])} KPIs" if groups["same"] else ""]
        out.append(f"{tags[i]} ({names[i]}) against {tags[0]} ({names[0]}): " + "; ".join(p for p in parts if p))
    return out


def compare_document(directory: Path) -> tuple[dict, list[Chart]]:
    """The report document and charts of a ``carebench compare`` directory."""
    names, by_kpi = _rows(directory)
    tags = labels(len(names))
    plan = read_json(directory / "plan.json")
    reps = read_csv(directory / "replications.csv")
    seeds = list(dict.fromkeys(r["seed"] for r in reps))
    n = len(seeds)
    header = ["KPI", "unit", f"{tags[0]} {names[0]}"]
    for tag, name in zip(tags[1:], names[1:]):
        header += [f"{tag} {name}", f"{tag} − {tags[0]}", "verdict"]
    rows = []
    for kpi, per in by_kpi.items():
        first = per[names[0]]
        cells = [kpi, unit(kpi), fmt_interval(kpi, first["mean"], first["half_width"], first["n"])]
        for name in names[1:]:
            r = per[name]
            cells += [fmt_interval(kpi, r["mean"], r["half_width"], r["n"]),
                      fmt_diff(kpi, r["diff_mean"], r["diff_half_width"], r["n"]), r["verdict"]]
        rows.append(cells)
    variants = [[tag, v["name"], v["fingerprint"]] for tag, v in zip(tags, plan["variants"])]
    sections = [
        section("variants", "Variants", ["Every variant ran the same seeds (common random numbers); differences "
                                         "are paired by seed, with 95% confidence intervals."],
                [table_of(["label", "variant", "fingerprint"], variants, "variants")]),
        section("comparison", "Each KPI by variant", [f"Mean ± 95% CI half-width over {n} replications; "
                                                      "differences from the first variant (A)."],
                [table_of(header, rows, "comparison")]),
    ]
    panels = [(kpi, tags, [per[v]["mean"] for v in names], [per[v]["half_width"] for v in names])
              for kpi, per in list(by_kpi.items())[:16]]
    charts = [Chart("kpi-bars", "Each KPI by variant",
                    "One small bar chart per KPI: each variant's mean with its 95% confidence interval as an error "
                    "bar; " + ", ".join(f"{t} = {nm}" for t, nm in zip(tags, names)) + ".",
                    lambda: bars_figure(panels, "mean and 95% confidence interval per variant"))] if panels else []
    texts = [(directory / "variants" / f"{i}.yaml") for i in range(1, len(names) + 1)]
    doc = {
        "kind": "compare", "title": f"carebench compare: {', '.join(names)}",
        "headline": [f"{len(names)} variants, {n} replications each on common random numbers", *_words(names, by_kpi)],
        "verdict": None, "sections": sections, "warnings": [],
        "provenance": {"variants": len(names), "replications": n, "seeds": ", ".join(seeds),
                       "reference": names[0]},
        "scenario": "\n".join(p.read_text(encoding="utf-8") for p in texts if p.is_file()),
        "data": {"variants": names, "kpis": by_kpi},
    }
    return doc, charts
