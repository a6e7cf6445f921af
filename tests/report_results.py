"""One small result directory of every kind, made once per test process (the report tests share them)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from helpers import build, mmc_data, two_channel_data
from test_calibrate import MAP, _social
from test_schedule import small_data
from test_shop import brand, study_data
from trace_helpers import simulated_log, write_trace

from carebench.cli import cli
from carebench.load.yamlio import dump_yaml

__all__ = ["kind_args", "result_of", "document_of", "invoke", "inputs"]

_CACHE: dict[str, Path] = {}
_ROOT: list[Path] = []


def invoke(args: list[str], code: int | None = 0):
    """Run carebench in-process; check the exit code (None: any)."""
    result = CliRunner().invoke(cli, args)
    assert code is None or result.exit_code == code, (args, result.output, result.exception)
    return result


def inputs() -> Path:
    """The folder holding the small scenario and study files the results are made from."""
    return _root()


def _root() -> Path:
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix="carebench-reports-"))
        (root / "two.yaml").write_text(dump_yaml({**two_channel_data(), "horizon": "1d"}))
        (root / "mmc.yaml").write_text(dump_yaml(mmc_data(rate_per_hour=40, agents=5, horizon="12h", warmup="2h")))
        (root / "study.yaml").write_text(dump_yaml(study_data({"quick": brand(agents=3), "slow": brand(agents=1),
                                                               "nobody": brand(agents=0)}, window="2d")))
        (root / "shifts.yaml").write_text(dump_yaml(small_data()))
        (root / "team.yaml").write_text(dump_yaml(_social("30m", agents=3)))
        cols, _ = simulated_log(build(_social("10m")))
        write_trace(root / "trace.csv", cols, ("twitter",))
        _ROOT.append(root)
    return _ROOT[0]


def kind_args(root: Path) -> dict[str, list[str]]:
    """The command line that makes each kind of result, writing under ``root/<kind>``."""
    inputs = _root()
    two, mmc, study = str(inputs / "two.yaml"), str(inputs / "mmc.yaml"), str(inputs / "study.yaml")
    fast = ["--workers", "1", "-q"]
    return {
        "run": ["run", two, "--out", str(root / "run"), "-q"],
        "run-replicated": ["run", two, "-n", "3", "--out", str(root / "run-replicated"), *fast],
        "compare": ["compare", two, "--set", "pools.social.agents=2", "--set", "pools.social.agents=3", "-n", "3",
                    "--out", str(root / "compare"), *fast],
        "sweep": ["sweep", two, "--grid", "pools.social.agents=1,2,3", "-n", "2", "--out", str(root / "sweep"), *fast],
        "check": ["check", two, "-t", "sla.phone >= 0.99", "-n", "3", "--out", str(root / "check"), *fast],
        "baseline": ["baseline", two, "-n", "2", "--out", str(root / "baseline" / "two.json"), *fast],
        "shop": ["shop", study, "--out", str(root / "shop"), "-q"],
        "shop plan": ["shop", "plan", "--share", "0.42", "--half-width", "0.05", "--icc", "0.1", "--out",
                      str(root / "shop plan")],
        "loadtest": ["loadtest", mmc, "--metric", "sla.phone", "--target", "0.5", "-n", "2", "--grid", "0.5,1,1.5",
                     "--tolerance", "0.25", "--out", str(root / "loadtest"), *fast],
        "staff": ["staff", mmc, "-n", "2", "--out", str(root / "staff"), *fast],
        "schedule": ["staff", str(inputs / "shifts.yaml"), "--schedule", "-n", "3", "--target", "sla.phone>=0.7",
                     "--target", "sla.chat>=0.7", "--out", str(root / "schedule"), *fast],
        "fit": ["fit", str(inputs / "trace.csv"), *MAP, "--horizon-days", "3", "-o", str(root / "fit" / "fitted.yaml")],
        "calibrate": ["calibrate", str(inputs / "team.yaml"), "--to", str(inputs / "trace.csv"), *MAP, "--holdout",
                      "0.3", "--free", "channels.twitter.handle_time.mean=2m..1h", "--budget", "6", "--replications",
                      "2", "-o", str(root / "calibrate" / "calibrated.yaml"), *fast],
    }


_FILES = {"baseline": "two.json", "fit": "fitted-fit-report.json", "calibrate": "calibrated-report.json"}
_CODES = {"check": 1}  # the check's threshold fails on purpose: a FAIL report


def result_of(kind: str) -> Path:
    """The result directory (for a baseline: the file) of ``kind``, made on first use."""
    if kind not in _CACHE:
        root = _root()
        invoke(kind_args(root)[kind], _CODES.get(kind, 0))
        where = root / ("baseline" if kind == "baseline" else kind)
        if kind in _FILES:  # the kinds kept in one JSON file
            _CACHE[kind] = where / _FILES[kind]
        else:
            (found,) = [p for p in where.iterdir() if not p.name.startswith(".")]
            _CACHE[kind] = found
    return _CACHE[kind]


_DOCS: dict[str, tuple] = {}


def document_of(kind: str):
    """The report document and charts of ``kind``'s result (charts are drawn only when asked)."""
    from carebench.output.html.build import report_document

    if kind not in _DOCS:
        _DOCS[kind] = report_document(result_of(kind))
    return _DOCS[kind]
