"""The batch-means study (benchmarks/batch_study.py): its measures on known data, and a short run."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

STUDY = Path(__file__).resolve().parent.parent / "benchmarks" / "batch_study.py"


def _study():
    spec = importlib.util.spec_from_file_location("batch_study", STUDY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _result(low, high, whole, values):
    return ({"sla.phone": (low, high, whole)}, {"sla.phone": list(values)})


def test_rows_count_each_side_and_compare_the_spread_with_the_whole_windows():
    bs = _study()
    results = [
        _result(0.4, 0.6, 0.50, [0.45, 0.55, 0.45, 0.55]),  # holds 0.5
        _result(0.55, 0.7, 0.62, [0.47, 0.53, 0.47, 0.53]),  # above the truth: the truth lies below
        _result(0.3, 0.45, 0.38, [0.46, 0.54, 0.46, 0.54]),  # below it: the truth lies above
        _result(0.45, 0.55, 0.51, [0.50, 0.52, 0.50, math.nan]),  # a NaN batch: left out
    ]
    row = bs.study_rows(results, {"sla.phone": 0.5}, batches=4, span_relax=20.0)[0]
    assert row["runs"] == 3
    assert row["coverage"] == pytest.approx(1 / 3)
    assert row["below"] == pytest.approx(1 / 3) and row["above"] == pytest.approx(1 / 3)
    wholes = np.array([0.50, 0.62, 0.38])
    assumed = np.mean([np.var(v, ddof=1) / 4 for v in ([0.45, 0.55] * 2, [0.47, 0.53] * 2, [0.46, 0.54] * 2)])
    assert row["ratio"] == pytest.approx(wholes.var(ddof=1) / assumed)
    # About each position's mean over the runs, the runs alternate -d, +d, -d, +d (or the reverse):
    # lag 1 is -1 and lag 2 is +1.
    assert row["lag1"] == pytest.approx(-1.0) and row["lag2"] == pytest.approx(1.0)
    assert row["span"] == 20.0 and row["se"] == pytest.approx(1 / math.sqrt(12))
    assert math.isnan(row["mean_sd"])  # every run has the same mean: no correlation to speak of


def test_relaxation_time_of_mm2_at_60_percent():
    bs = _study()
    case = next(c for c in bs.FULL if c.name == "mm2-60%")
    # 1 / (c·mu·(1 - sqrt(rho))²) with c = 2, mu = 1/300 s, rho = 0.6
    assert bs.relaxation_time(case) == pytest.approx(1 / (2 / 300 * (1 - math.sqrt(0.6)) ** 2))


def test_a_short_study_prints_its_table(capsys):
    bs = _study()
    assert bs.main(["--case", "mm2-60%", "--horizon", "1d", "--batches", "4", "--runs", "6"]) == 0
    out = capsys.readouterr().out
    assert "relaxation time 0.82 h" in out
    row = next(line for line in out.splitlines() if line.startswith("| sla.phone | 4 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == "6" and cells[3] == "6"  # 20 measured hours in 4 batches: 6 relaxation times each; 6 runs
    assert 0.0 <= float(cells[4].rstrip("%")) <= 100.0
