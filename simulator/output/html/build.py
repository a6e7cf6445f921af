"""Which kind of result a directory holds, and its ``report.html`` and JSON summary.

``build_report(DIR)`` writes ``DIR/report.html`` from the files in ``DIR``
(for a baseline file ``NAME.json``, ``NAME.html`` beside it);
``report_document(DIR)`` is the same summary as plain data (what ``--json``
prints). A directory that is not a carebench result is one clear error.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from carebench.output.html.page import render
from carebench.util.atomic import atomic_write_text
from carebench.util.errors import UserError
from carebench.util.jsonio import to_json

__all__ = ["KINDS", "result_kind", "report_document", "report_path", "build_report", "report_json"]

KINDS: dict[str, tuple[str, str]] = {
    "run": ("carebench.output.html.run", "run_document"),
    "compare": ("carebench.output.html.compare", "compare_document"),
    "sweep": ("carebench.output.html.sweep", "sweep_document"),
    "check": ("carebench.output.html.check", "check_document"),
    "baseline": ("carebench.output.html.check", "baseline_document"),
    "shop": ("carebench.output.html.study", "study_document"),
    "shop plan": ("carebench.output.html.study", "plan_document"),
    "loadtest": ("carebench.output.html.loadtest", "loadtest_document"),
    "staff": ("carebench.output.html.loadtest", "staff_document"),
    "schedule": ("carebench.output.html.schedule", "schedule_document"),
    "fit": ("carebench.output.html.fit", "fit_document"),
    "calibrate": ("carebench.output.html.fit", "calibrate_document"),
}
"""Kind of result -> (module, function) building its document from a directory."""

PLOTTED = {"run": "frt_distribution.png", "compare": "kpis.png", "sweep": "plots", "loadtest": "capacity.png",
           "shop": "km.png", "schedule": "coverage.png"}
"""A file the command writes only when it draws plots: without it (``--no-plots``) the report has no charts."""


_FILE_KINDS = {"carebench-baseline/": "baseline", "carebench-fit/": "fit", "carebench-calibration/": "calibrate"}
"""The result kinds kept in one JSON file (the report goes beside it as NAME.html), by their ``format``."""


def _plan_kind(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None


def result_kind(directory: Path) -> str:
    """The kind of result ``directory`` holds, judged by the files each command writes."""
    d = Path(directory)
    if d.is_file() and d.suffix == ".json":
        try:
            found = str(json.loads(d.read_text(encoding="utf-8")).get("format", ""))
        except (OSError, ValueError, AttributeError):
            found = ""
        for prefix, kind in _FILE_KINDS.items():
            if found.startswith(prefix):
                return kind
        raise UserError(f"{d}: not a carebench baseline, fit or calibration report (expected a 'format' of "
                        + ", ".join(f"{p}1" for p in _FILE_KINDS) + ")")
    if not d.is_dir():
        raise UserError(f"{d}: not a carebench result directory (no such directory)")
    if (d / "plan.json").is_file() and _plan_kind(d / "plan.json") in ("compare", "sweep"):
        return str(_plan_kind(d / "plan.json"))
    for name, kind in (("check.json", "check"), ("study_plan.json", "shop plan"),
                       ("breaking_point.json", "loadtest"), ("staffing.json", "staff"), ("schedule.json", "schedule"),
                       ("kpis.json", "run")):
        if (d / name).is_file():
            return kind
    if (d / "summary.json").is_file() and (d / "brands.csv").is_file():
        return "shop"
    raise UserError(f"{d}: not a carebench result directory (no kpis.json, plan.json, check.json, "
                    "summary.json, breaking_point.json, staffing.json, schedule.json or study_plan.json)")


def report_document(directory: Path):
    """The document and charts of the result in ``directory``."""
    kind = result_kind(directory)
    module, function = KINDS[kind]
    try:
        doc, charts = getattr(importlib.import_module(module), function)(Path(directory))
        if kind in PLOTTED and charts and not (Path(directory) / PLOTTED[kind]).exists():
            charts = []
            doc["warnings"].append("no charts: the command ran with --no-plots")
        return _with_version(Path(directory), doc), charts
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UserError(f"{directory}: a {kind} result with a missing or damaged file ({type(exc).__name__}: "
                        f"{exc}); rerun the command") from None


def _with_version(directory: Path, doc: dict) -> dict:
    """Add the carebench version from ``meta.json`` when the result's own files do not record it."""
    meta = directory / "meta.json"
    prov = doc.setdefault("provenance", {})
    if "carebench version" not in prov and meta.is_file():
        try:
            prov["carebench version"] = json.loads(meta.read_text(encoding="utf-8")).get("carebench_version", "")
        except (OSError, ValueError, AttributeError):
            pass
    return doc


def report_json(directory: Path) -> str:
    """The JSON summary of a result: the report's document (without its charts) plus the directory."""
    doc, _charts = report_document(directory)
    return to_json({**doc, "directory": str(directory)})


def report_path(directory: Path) -> Path:
    """Where the report of a result goes: ``DIR/report.html``, or ``NAME.html`` beside a baseline file."""
    d = Path(directory)
    return d.with_suffix(".html") if d.is_file() else d / "report.html"


def build_report(directory: Path) -> Path:
    """Write the report of the result at ``directory`` from the files there; the same files give the same bytes."""
    doc, charts = report_document(directory)
    return atomic_write_text(report_path(directory), render(doc, charts))
