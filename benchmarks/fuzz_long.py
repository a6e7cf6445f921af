"""A long fuzz run of the loaders and parsers: the CI targets with thousands of examples each.

    python benchmarks/fuzz_long.py            # 5,000 examples per target
    python benchmarks/fuzz_long.py 50000      # longer

Uses the targets of ``tests/fuzz_targets.py``; prints each target's example
count and time, and exits 1 (with hypothesis's minimal failing example) on
the first input that escapes as anything but a one-line ``UserError``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402

import fuzz_targets as ft  # noqa: E402


def main(examples: int) -> int:
    """Run every target for ``examples`` examples; return the exit code."""
    folder = Path(tempfile.mkdtemp(prefix="carebench-fuzz-"))
    targets = {
        "scenario YAML": (ft.yaml_texts(), ft.check_scenario_text),
        "study YAML": (ft.mutated(names=("stella_24h",)), lambda d: ft.check_study_text(ft.dump_yaml(d), folder)),
        "--set": (ft.override_texts, ft.check_override),
        "--grid": (ft.grid_texts, ft.check_grid),
        "threshold": (ft.threshold_texts, ft.check_threshold),
    }
    for name, (strategy, target) in targets.items():
        start = time.perf_counter()
        run = settings(max_examples=examples, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))(given(strategy)(target))
        try:
            run()
        except Exception as exc:  # hypothesis has printed the minimal example
            print(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            return 1
        print(f"{name}: {examples} examples in {time.perf_counter() - start:.1f} s, no escape")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
