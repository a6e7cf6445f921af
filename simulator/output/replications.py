"""Tables and files of replicated results: per-replication rows, summaries, comparison directories.

Writers take a directory and plain results and write each file atomically
(:mod:`carebench.output.tables`, :mod:`carebench.util.atomic`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from carebench.load.yamlio import dump_yaml
from carebench.output.compare_report import comparison_rows
from carebench.output.tables import have_pyarrow, write_csv, write_parquet
from carebench.runs.compare import KpiComparison
from carebench.runs.replicate import METHOD, Replications
from carebench.runs.sweep import sweep_series
from carebench.util.atomic import atomic_write_text
from carebench.util.jsonio import to_json

__all__ = ["replication_rows", "summary_rows", "summary_data", "write_replications",
           "write_comparison", "write_sweep", "kpi_names"]


def kpi_names(reps: Sequence[Replications]) -> list[str]:
    """Every KPI name reported by any replication of any variant, in first-seen order."""
    return list(dict.fromkeys(k for r in reps for kpis in r.kpis for k in kpis))


def _cell(value: Any) -> Any:
    """Scalars as they are; lists and mappings as compact JSON text (one table cell)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, separators=(",", ":"))


def _settings(rep: Replications, paths: Sequence[str]) -> dict[str, Any]:
    given = dict(rep.variant.settings)
    return {p: _cell(given.get(p)) for p in paths}


def replication_rows(reps: Sequence[Replications], paths: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One row per (variant, replication): variant, each of ``paths``, replication, seed, every KPI.

    Replications are numbered from 1 in the table.
    """
    names = kpi_names(reps)
    rows = []
    for rep in reps:
        fixed = {"variant": rep.name, **_settings(rep, paths)}
        for i, (seed, kpis) in enumerate(zip(rep.seeds, rep.kpis)):
            rows.append({**fixed, "replication": i + 1, "seed": seed,
                         **{k: kpis.get(k, float("nan")) for k in names}})
    return rows


def summary_rows(reps: Sequence[Replications], paths: Sequence[str] = (),
                 confidence: float = 0.95) -> list[dict[str, Any]]:
    """One row per (variant, KPI): each of ``paths``, then n, mean, half-width, low, high, std, method."""
    rows = []
    for rep in reps:
        fixed = {"variant": rep.name, **_settings(rep, paths)}
        for kpi, e in rep.summary(confidence).items():
            rows.append({**fixed, "kpi": kpi, "n": e.n, "mean": e.mean, "half_width": e.half_width,
                         "low": e.low, "high": e.high, "std": e.std, "method": e.method})
    return rows


def summary_data(rep: Replications, confidence: float = 0.95, **extra: Any) -> dict[str, Any]:
    """``summary.json`` data of one variant: method, seeds, and every KPI's interval."""
    return {
        "scenario": rep.variant.scenario.name, "fingerprint": rep.variant.scenario.fingerprint(),
        "method": METHOD, "confidence": confidence, "replications": rep.n, "seeds": list(rep.seeds),
        **extra,
        "kpis": {k: {"mean": e.mean, "half_width": e.half_width, "low": e.low, "high": e.high,
                     "n": e.n, "std": e.std, "method": e.method} for k, e in rep.summary(confidence).items()},
    }


def write_replications(directory: Path, rep: Replications, confidence: float = 0.95,
                       **extra: Any) -> list[Path]:
    """``replications.csv`` (one row per replication) and ``summary.json`` of one variant."""
    return [
        write_csv(directory / "replications.csv", replication_rows([rep])),
        atomic_write_text(directory / "summary.json", to_json(summary_data(rep, confidence, **extra))),
    ]


def write_comparison(directory: Path, reps: Sequence[Replications], rows: Sequence[KpiComparison],
                     sla: Mapping[str, float], plots: bool = True) -> list[Path]:
    """A comparison directory: ``comparison.csv``, ``replications.csv``, variants and plots.

    ``variants/<n>.yaml`` holds each variant's validated scenario as run.
    """
    names = [r.name for r in reps]
    written = [
        write_csv(directory / "comparison.csv", comparison_rows(rows, names)),
        write_csv(directory / "replications.csv", replication_rows(reps)),
    ]
    for i, rep in enumerate(reps, start=1):
        data = rep.variant.scenario.as_data()
        header = f"# variant {i}: {rep.name}\n"
        written.append(atomic_write_text(directory / "variants" / f"{i}.yaml", header + dump_yaml(data)))
    if plots:
        from carebench.output.compare_plots import plot_frt_overlaid, plot_kpi_bars  # matplotlib only for plots

        channels = list(reps[0].variant.scenario.channels)
        written.append(plot_kpi_bars(rows, names, directory / "kpis.png"))
        written.append(plot_frt_overlaid([r.histograms for r in reps], names, channels, sla,
                                         directory / "frt_distribution.png"))
    return written


def write_sweep(directory: Path, reps: Sequence[Replications], paths: Sequence[str],
                kpis: Sequence[str], plots: bool = True) -> list[Path]:
    """A sweep's tables and plots: ``tidy.csv``, ``summary.csv`` (and Parquet), ``plots/<kpi>.png``.

    ``tidy`` has one row per (variant, replication); ``summary`` one per
    (variant, KPI); each plot shows a KPI against the first swept path.
    """
    tidy, summary = replication_rows(reps, paths), summary_rows(reps, paths)
    written = [write_csv(directory / "tidy.csv", tidy), write_csv(directory / "summary.csv", summary)]
    if have_pyarrow():
        written += [write_parquet(directory / "tidy.parquet", tidy),
                    write_parquet(directory / "summary.parquet", summary)]
    if plots:
        from carebench.output.compare_plots import plot_sweep  # matplotlib only for plots

        for kpi in kpis:
            series = sweep_series(summary, kpi, paths)
            written.append(plot_sweep(kpi, paths[0], series, directory / "plots" / f"{kpi}.png"))
    return written
