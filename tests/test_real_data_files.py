"""The shared public data sets, read where they are (``../shared/data`` beside the repository).

Skipped cleanly when the folder is absent (a clean clone); ``CAREBENCH_SHARED_DATA``
points elsewhere. The data are never copied into the package.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from carebench.calibrate import fit_trace
from carebench.trace import read_trace
from carebench.trace.timeparse import wall_seconds

DATA = Path(os.environ.get("CAREBENCH_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))
KENYA = {"arrival": "in_reply_to_created_at_utc_snowflake", "first_reply": "reply_created_at_utc", "brand": "bank",
         "id": "in_reply_to_status_id"}


def _need(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"{path} not present (public data beside the repository)")
    return path


def test_kenya_banks_timing_reads_with_a_column_mapping():
    tr = read_trace(_need("kenya_banks_2020_replies_timing.csv"), columns=KENYA,
                    where={"reply_to_own_handle": "0"}, skip_bad=True, tz="Africa/Nairobi", naive_tz="UTC")
    assert tr.skipped > 0  # replies without the message they answer
    assert len(set(tr.brand.tolist())) == 6
    assert np.isfinite(tr.latency).all() and (tr.latency >= 0).all()
    window = tr.reply_window()
    assert len(window) < len(tr)


def test_twcs_sample_gives_arrivals_per_brand():
    tr = read_trace(_need("twcs_random5000.csv"))
    assert len(tr) > 1000 and tr.threads > 1000
    assert (tr.brand == "AppleSupport").sum() > 50


def test_call_centre_counts_fit_predicts_the_held_out_daily_shape():
    tr = read_trace(_need("anonbank_1999_calls_6min.csv"))
    fitted = fit_trace(tr, channel="phone", check_from=wall_seconds("1999-11-01"))
    prof, check = fitted.profiles["phone"], fitted.holdout["phone"]
    assert int(np.argmax(prof.hourly)) == 10  # the morning peak
    assert check["shape_mape_by_hour"] < 0.2
