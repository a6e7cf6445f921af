"""Baselines: a scenario's replicated KPIs kept in a JSON file, for regression checks in CI.

A baseline records the scenario's name and fingerprint, the carebench version
that made it, the seeds and, for every KPI, each replication's value and the
summary. ``carebench check --baseline`` reruns exactly those seeds and judges
the paired differences. A baseline is only valid for the scenario it was made
from: one whose fingerprint differs from the scenario's is refused, because
a change to the scenario is not a regression of the code.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carebench.load.yamlio import read_regular_file
from carebench.model.scenario import Scenario
from carebench.runs.replicate import METHOD, Replications
from carebench.stats.intervals import Estimate, kpi_interval
from carebench.stats.sectioning import POOLED, pooled_interval
from carebench.util.atomic import atomic_write_text
from carebench.util.errors import UserError
from carebench.util.jsonio import to_json

__all__ = ["Baseline", "FORMAT", "baseline_data", "write_baseline", "read_baseline",
           "check_baseline_matches", "default_baseline_path"]

FORMAT = "carebench-baseline/1"
"""The ``format`` tag of baseline files this version reads and writes."""


@dataclass(frozen=True)
class Baseline:
    """A baseline as read from its file; ``values[kpi][i]`` came from ``seeds[i]``.

    ``pooled`` holds, for the KPIs the baseline's summary centred on every
    replication's contacts pooled (first-response times, in baselines made
    since carebench pooled them), that pooled value; older baselines have none.
    """

    path: Path
    scenario: str
    fingerprint: str
    version: str
    seeds: tuple[int, ...]
    confidence: float
    values: dict[str, tuple[float, ...]]
    pooled: dict[str, float] = field(default_factory=dict)

    @property
    def replications(self) -> int:
        """The number of replications (and seeds)."""
        return len(self.seeds)

    def estimate(self, kpi: str) -> Estimate:
        """KPI ``kpi``'s mean and confidence interval in the baseline (centred on its pooled value if it has one)."""
        return pooled_interval(kpi, kpi_interval(kpi, self.values[kpi], self.confidence), self.pooled)


def default_baseline_path(scenario_name: str, root: str | Path = "results/baselines") -> Path:
    """Where the baseline of scenario ``scenario_name`` is kept by default."""
    return Path(root) / f"{scenario_name}.json"


def baseline_data(rep: Replications, version: str, confidence: float = 0.95,
                  command: str = "") -> dict[str, Any]:
    """The JSON data of a baseline made from ``rep`` (one variant's replications)."""
    scenario = rep.variant.scenario
    summary = rep.summary(confidence)
    return {
        "format": FORMAT, "scenario": scenario.name, "fingerprint": scenario.fingerprint(),
        "carebench_version": version, "command": command, "method": METHOD,
        "confidence": confidence, "replications": rep.n, "seeds": list(rep.seeds),
        "kpis": {
            kpi: {"mean": e.mean, "half_width": e.half_width, "low": e.low, "high": e.high,
                  "n": e.n, "method": e.method, "values": rep.values(kpi).tolist()}
            for kpi, e in summary.items()
        },
    }


def write_baseline(path: str | Path, rep: Replications, version: str, confidence: float = 0.95,
                   command: str = "") -> Path:
    """Write (or replace) the baseline file at ``path`` atomically; return the path."""
    return atomic_write_text(path, to_json(baseline_data(rep, version, confidence, command)))


def _floats(values: Any) -> tuple[float, ...]:
    return tuple(math.nan if v is None else float(v) for v in values)


_MAX_BASELINE_BYTES = 200_000_000
"""A baseline holds every KPI of every replication: a few MB at most in practice."""


def read_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; a missing, unreadable or foreign file is a ``UserError`` naming it."""
    path = Path(path)
    if not os.path.lexists(path):
        raise UserError(f"{path}: no such baseline; make one with 'carebench baseline SCENARIO'")
    try:
        data = json.loads(read_regular_file(path, _MAX_BASELINE_BYTES, "baseline file").decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read the baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise UserError(f"{path}: expected a carebench baseline (format {FORMAT!r}), got {got!r}")
    try:
        seeds = tuple(int(s) for s in data["seeds"])
        values = {k: _floats(v["values"]) for k, v in data["kpis"].items()}
        pooled = {k: float(v["mean"]) for k, v in data["kpis"].items()
                  if str(v.get("method", "")).startswith(POOLED) and v.get("mean") is not None}
        baseline = Baseline(path, str(data["scenario"]), str(data["fingerprint"]),
                            str(data.get("carebench_version", "")), seeds,
                            float(data.get("confidence", 0.95)), values, pooled)
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: malformed baseline ({type(exc).__name__}: {exc})") from None
    if any(len(v) != len(seeds) for v in values.values()):
        raise UserError(f"{path}: malformed baseline (a KPI has not one value per seed)")
    return baseline


def check_baseline_matches(baseline: Baseline, scenario: Scenario, refresh: str) -> None:
    """Refuse (``UserError``, one line) a baseline made from a scenario with another fingerprint.

    ``refresh`` says what to do instead (the command that makes a fresh
    baseline, or a variant's own), for the message.
    """
    if baseline.fingerprint != scenario.fingerprint():
        raise UserError(
            f"{baseline.path}: baseline of scenario {baseline.scenario!r} (fingerprint "
            f"{baseline.fingerprint}) does not match scenario {scenario.name!r} (fingerprint "
            f"{scenario.fingerprint()}); the scenario changed: {refresh}"
        )
