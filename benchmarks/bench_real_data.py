"""Speed of the real-data commands: ``fit`` of a 100,000-row trace, ``calibrate`` with 4 free parameters.

The trace is synthetic (written here, never read from a data set): contacts
on two channels over eight weeks with hour-of-day and weekday shapes, a
first reply for each and a handle time.

Usage::

    python benchmarks/bench_real_data.py              # both, 100,000 rows, 2 workers
    python benchmarks/bench_real_data.py --rows 20000 --skip-calibrate

Targets (docs/real-data.md): fit in seconds; calibrate within a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_trace(path: Path, rows: int, seed: int = 1) -> None:
    """A synthetic trace of ``rows`` contacts over 8 weeks (ISO times, seconds of handle)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(8 * 7 * 24)
    shape = 0.3 + np.sin(np.pi * ((hours % 24) - 6) / 16).clip(0) * (1 - 0.3 * ((hours // 24) % 7 >= 5))
    start = np.datetime64("2024-01-01T00:00:00")
    counts = rng.poisson(shape / shape.sum() * rows)
    t = np.repeat(hours * 3600.0, counts) + rng.uniform(0, 3600, counts.sum())
    t.sort()
    latency = rng.lognormal(np.log(600), 1.2, t.size)
    handle = rng.lognormal(np.log(300), 0.8, t.size)
    chan = np.where(rng.random(t.size) < 0.7, "twitter", "email")
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["created", "replied", "source", "handle_s"])
        for a, lat, c, h in zip(t, latency, chan, handle):
            w.writerow([str(start + np.timedelta64(int(a), "s")), str(start + np.timedelta64(int(a + lat), "s")),
                        c, f"{h:.1f}"])


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-calibrate", action="store_true")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("carebench"))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        write_trace(d / "trace.csv", args.rows)
        cols = ["--column", "arrival=created", "--column", "first_reply=replied", "--column", "channel=source",
                "--column", "handle=handle_s"]
        fit_s = timed([exe, "fit", "trace.csv", *cols, "--no-plots", "-o", "fitted.yaml"], d)
        print(f"fit of {args.rows:,} rows: {fit_s:.1f} s (command line, including start-up)")
        if args.skip_calibrate:
            return
        free = ["--free", "pools.team.agents=1..40", "--free", "channels.twitter.handle_time.mean=1m..2h",
                "--free", "channels.twitter.handle_time.cv=0.2..5", "--free", "channels.twitter.concurrency=1..5"]
        cal_s = timed([exe, "calibrate", "fitted.yaml", "--to", "trace.csv", *cols, "--where", "source=twitter",
                       "--channel", "twitter", *free, "--budget", "40", "--workers", str(args.workers), "-q",
                       "--no-plots", "-o", "calibrated.yaml", "--set", "horizon=7d"], d)
        print(f"calibrate, 4 free parameters, 40 candidates, {args.workers} workers: {cal_s:.1f} s")


if __name__ == "__main__":
    main()
