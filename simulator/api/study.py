"""``run_study``: a mystery-shopper study from Python, with its estimates, rows and figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from carebench.api.runs import Overrides, override_texts, using_executor
from carebench.kpis.tidy import kpi_unit
from carebench.output.study import km_figure, strata_figure
from carebench.output.study_report import study_summary
from carebench.runs.executors import Executor
from carebench.runs.store import TaskStore
from carebench.study.estimates import StudyEstimates, estimate_study
from carebench.study.resolve import load_study, study_path
from carebench.study.runner import BrandRun, StudyRun
from carebench.study.runner import run_study as _run_study
from carebench.util.frames import to_frame

__all__ = ["run_study", "StudyResult"]

STUDY_COLUMNS = ("brand", "kpi", "channel", "replication", "value", "unit")


@dataclass(frozen=True)
class StudyResult:
    """A finished study: every brand run (``run``) and the published estimates (``estimates``)."""

    run: StudyRun
    estimates: StudyEstimates

    def summary(self) -> str:
        """The text ``carebench shop`` prints: shares with intervals, strata, headline, league table."""
        return "\n".join(study_summary(self.run, self.estimates))

    def rows(self) -> list[dict[str, Any]]:
        """Each brand run's own-traffic KPIs as tidy long rows (``replication`` is the repeat, from 1).

        ``channel`` is the probes' channel: the KPIs are the brand's
        background traffic there, probes excluded.
        """
        channel = self.run.study.probes.channel
        return [
            {"brand": b.brand, "kpi": kpi, "channel": channel, "replication": b.repeat + 1, "value": value,
             "unit": kpi_unit(f"{kpi}.{channel}")}
            for b in self.run.runs for kpi, value in {**b.kpis, **b.efficiency}.items()
        ]

    def probes(self) -> list[dict[str, Any]]:
        """One row per probe: repeat, brand, stratum, followers, when sent, reply delays (seconds; NaN: none)."""
        return [asdict(p) for p in self.run.records()]

    def to_frame(self):
        """:meth:`rows` as a pandas DataFrame (needs pandas)."""
        return to_frame(self.rows(), STUDY_COLUMNS)

    def probes_frame(self):
        """:meth:`probes` as a pandas DataFrame (needs pandas)."""
        return to_frame(self.probes())

    def figures(self) -> dict[str, Any]:
        """The study's plots as matplotlib Figures, by the file names ``carebench shop`` gives them."""
        return {"km.png": km_figure(self.run), "strata.png": strata_figure(self.run, self.estimates)}


def run_study(study: str | Path, *, seed: int | None = None, repeats: int | None = None,
              overrides: Overrides = None, brand_overrides: Sequence[str] | Mapping[str, Any] | None = None,
              workers: int | None = None, executor: Executor | None = None, store: str | Path | None = None,
              allow_policy_import: bool = False) -> StudyResult:
    """Run a mystery-shopper study (a study file, or a shipped study's name such as ``"stella_24h"``).

    ``seed`` and ``repeats`` replace the study's own; ``overrides`` change
    study fields (``{"probes.per_brand": 10}``), ``brand_overrides`` the
    brands' scenarios (``["BRAND:PATH=VALUE"]`` or ``{"PATH": value}`` for
    every brand), as ``carebench shop --set/--brand-set`` do. Brand runs go
    to ``executor``, or ``workers`` local processes (default: this process);
    the same seed gives the same numbers as ``carebench shop``. ``store``
    names a folder that keeps finished brand runs and reuses them, so an
    interrupted call resumes.
    """
    extra = override_texts(overrides) + ([f"seed={seed}"] if seed is not None else [])
    extra += [f"repeats={repeats}"] if repeats is not None else []
    loaded = load_study(study_path(str(study)), extra, override_texts(brand_overrides),
                        allow_import=allow_policy_import)
    with using_executor(executor, workers) as ex:
        kept = None if store is None else TaskStore(store, BrandRun)
        run = _run_study(loaded, executor=ex, allow_import=allow_policy_import, store=kept)
    return StudyResult(run, estimate_study(run))
