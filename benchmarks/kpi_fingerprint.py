"""Same seed, same numbers: record or compare every result of a set of runs.

The speed work on the engine must not move a single KPI. This script runs
every shipped scenario (and a few policy and seed variants) and writes, per
run, the whole :class:`~carebench.engine.results.RunResult` as JSON plus a
digest of the per-contact log. ``--compare DIR`` reruns them and reports any
value that is not bit-identical.

Usage::

    python benchmarks/kpi_fingerprint.py --record /tmp/ref     # before a change
    python benchmarks/kpi_fingerprint.py --compare /tmp/ref    # after it
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

# (label, scenario, seed, overrides, horizon override or None)
RUNS = [
    ("default-s7", "default", 7, [], None),
    ("default-s11", "default", 11, [], None),
    ("mmc-s7", "mmc", 7, [], None),
    ("black_friday-s7", "black_friday", 7, [], None),
    ("outage_storm-s7", "outage_storm", 7, [], None),
    ("policy_showdown-s7", "policy_showdown", 7, [], None),
    ("policy_showdown_shared-s7", "policy_showdown_shared", 7, [], None),
    ("viral_complaint-s7", "viral_complaint", 7, [], None),
] + [
    (f"policy_showdown-{p}", "policy_showdown", 7, [f"policies.priority={p}"], None)
    for p in ("sla_deadline", "urgency_triage", "newest_first", "fresh_first", "follower_weighted",
              "channel_priority", "triage_window", "acknowledge_then_resolve", "deflect_complex",
              "auto_ack_bot", "drop_after", "exposure_rate")
] + [
    ("outage_storm-surge", "outage_storm", 7, ["policies.staffing=surge"], None),
    ("default-interval", "default", 7, ["policies.staffing=interval_staffing"], None),
    ("bench-mmc-100k", "bench:mmc", 1, [], 100_000),
    ("bench-default-100k", "bench:default", 1, [], 100_000),
]


def _scenario(name: str, overrides: list[str], contacts: int | None):
    from carebench.load.loader import load_scenario, shipped_scenario_path

    if name.startswith("bench:"):  # the speed benchmark's own cases, scaled down
        sys.path.insert(0, str(Path(__file__).parent))
        import bench_engine

        return {"mmc": bench_engine.mmc_scenario, "default": bench_engine.default_scenario}[name[6:]](contacts)
    return load_scenario(shipped_scenario_path(name), overrides)


def _digest_rows(batches: list[dict]) -> str:
    """One hash of the per-contact log, column by column in row order."""
    import numpy as np

    h = hashlib.sha256()
    if not batches:
        return h.hexdigest()
    for col in sorted(batches[0]):
        h.update(col.encode())
        for b in batches:
            a = np.asarray(b[col])
            h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    return h.hexdigest()


def fingerprint(name: str, seed: int, overrides: list[str], contacts: int | None) -> dict:
    """The full result of one run plus the digest of its per-contact log."""
    from carebench.runs.simulate import simulate

    batches: list[dict] = []
    result = simulate(_scenario(name, overrides, contacts), seed, contact_sink=batches.append)
    data = result.to_dict()
    data.pop("version", None)
    data["contact_log_sha256"] = _digest_rows(batches)
    return json.loads(json.dumps(data, default=repr))


def _differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f"{path}/{k}: only in {'new' if k in b else 'reference'}"
            else:
                yield from _differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, f"{path}[{i}]")
    elif a != b and not (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
        yield f"{path}: reference {a!r}, new {b!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", type=Path)
    mode.add_argument("--compare", type=Path)
    parser.add_argument("--only", help="run only labels containing this text")
    args = parser.parse_args()
    bad = 0
    for label, name, seed, overrides, contacts in RUNS:
        if args.only and args.only not in label:
            continue
        data = fingerprint(name, seed, overrides, contacts)
        if args.record:
            args.record.mkdir(parents=True, exist_ok=True)
            (args.record / f"{label}.json").write_text(json.dumps(data, sort_keys=True))
            print(f"recorded {label}")
            continue
        ref = json.loads((args.compare / f"{label}.json").read_text())
        diffs = list(_differences(ref, data))
        bad += bool(diffs)
        print(f"{label}: {'identical' if not diffs else f'{len(diffs)} differences'}")
        for d in diffs[:10]:
            print("   ", d)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
