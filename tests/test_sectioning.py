"""Sectioning: first-response times centred on every replication's contacts pooled."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import mmc

from carebench.engine.histogram import LogHistogram
from carebench.runs.compare import compare
from carebench.runs.executors import SerialExecutor
from carebench.runs.replicate import run_replications
from carebench.runs.tasks import Variant
from carebench.stats.differences import paired_difference, recentred
from carebench.stats.intervals import LOGNORMAL_METHOD, summarise
from carebench.stats.sectioning import POOLED, pooled_frt, sectioned, summarise_pooled


def _from(values) -> LogHistogram:
    h = LogHistogram()
    h.add(np.asarray(values, dtype=float))
    return h


def _hist(values) -> dict:
    return _from(values).to_dict()


def test_pooled_frt_is_the_histogram_of_every_contact_together():
    rng = np.random.default_rng(3)
    runs = [rng.exponential(100.0, size) for size in (40, 400, 4000)]
    other = [rng.exponential(10.0, 50) for _ in runs]
    pooled = pooled_frt([{"phone": _hist(a), "chat": _hist(b)} for a, b in zip(runs, other)])
    every = LogHistogram()
    every.add(np.concatenate(runs))
    assert pooled["frt.p90.phone"] == every.quantile(0.9)
    assert pooled["frt.mean.phone"] == pytest.approx(np.concatenate(runs).mean(), rel=1e-12)
    both = LogHistogram()
    both.add(np.concatenate(runs + other))
    assert pooled["frt.p50.all"] == both.quantile(0.5) and pooled["frt.p99.all"] == both.quantile(0.99)
    # Pooling weights each contact once: not the average of per-run quantiles.
    per_run = np.mean([_from(a).quantile(0.9) for a in runs])
    assert pooled["frt.p90.phone"] != pytest.approx(per_run, rel=1e-3)


def test_pooled_frt_is_empty_when_a_run_lacks_its_histograms():
    assert pooled_frt([{"phone": _hist([1.0, 2.0])}, {}]) == {}
    assert pooled_frt([]) == {}


def test_summarise_pooled_moves_only_the_pooled_kpis_and_keeps_the_relative_width():
    rng = np.random.default_rng(8)
    runs = [rng.exponential(rng.uniform(50, 150), 300) for _ in range(6)]
    kpis = [{"frt.p90.phone": float(np.quantile(r, 0.9)), "frt.mean.phone": float(r.mean()),
             "sla.phone": float((r <= 20).mean())} for r in runs]
    hists = [{"phone": _hist(r)} for r in runs]
    plain, pooled = summarise(kpis), summarise_pooled(kpis, hists)
    assert pooled["sla.phone"] == plain["sla.phone"]
    for name in ("frt.p90.phone", "frt.mean.phone"):
        est, before = pooled[name], plain[name]
        assert est.method == POOLED + LOGNORMAL_METHOD
        assert est.mean == pooled_frt(hists)[name] and est.low < est.mean < est.high
        # a log-scale interval is scaled onto the new centre
        assert est.low / est.mean == pytest.approx(before.low / before.mean)
        assert est.high / est.mean == pytest.approx(before.high / before.mean)
    assert summarise_pooled(kpis, []) == plain


def test_sectioned_never_leaves_the_bounds_and_keeps_its_centre_inside():
    est = summarise([{"sla.phone": v} for v in (0.97, 0.99, 1.0, 0.98)])["sla.phone"]
    moved = sectioned("sla.phone", est, 0.999)
    assert moved.mean == 0.999 and moved.high <= 1.0 and moved.low <= 0.999
    assert sectioned("sla.phone", est, math.nan) is est


def test_recentred_difference_keeps_its_width_and_redoes_its_test():
    diff = paired_difference([1.0, 2.0, 3.0, 4.0], [1.5, 2.4, 3.6, 4.3])
    moved = recentred(diff, 0.0)
    assert moved.half_width == pytest.approx(diff.half_width) and moved.low == -moved.high
    assert not moved.significant and moved.p_value == pytest.approx(1.0)
    far = recentred(diff, 10 * diff.half_width)
    assert far.significant and far.p_value < 0.001


@pytest.fixture(scope="module")
def two_variants():
    small = mmc(horizon="12h", warmup="2h", agents=9)
    tighter = mmc(horizon="12h", warmup="2h", agents=8)
    return run_replications([Variant("nine", small), Variant("eight", tighter)], 4, SerialExecutor())


def test_replications_centre_first_response_times_on_every_contact(two_variants):
    nine = two_variants[0]
    est = nine.summary()
    assert all(nine.histograms)
    total = sum(h["phone"]["sum"] for h in nine.histograms)
    answered = sum(h["phone"]["n"] for h in nine.histograms)
    assert est["frt.mean.phone"].mean == pytest.approx(total / answered)
    assert est["frt.p90.phone"].method.startswith(POOLED)
    assert est["sla.phone"].mean == pytest.approx(nine.values("sla.phone").mean())


def test_compare_differences_pooled_centres(two_variants):
    (row,) = compare(two_variants, ["frt.p90.phone"])
    nine, eight = row.estimates
    assert row.differences[1].mean == pytest.approx(eight.mean - nine.mean)
    plain = paired_difference(two_variants[0].values("frt.p90.phone"), two_variants[1].values("frt.p90.phone"))
    assert row.differences[1].half_width == pytest.approx(plain.half_width)
