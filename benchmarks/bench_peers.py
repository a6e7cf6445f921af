"""carebench beside its peers on the same M/M/c model, timed in one run.

Rates are contacts per CPU second of the simulation (imports and interpreter
start excluded). Cases, each run in its own subprocess (so its peak memory is its own) and
interleaved over ``--repeats`` rounds so a shared machine's load falls on
all of them alike; the table shows medians and each case's rate as a ratio
of the SimPy callbacks-only rate:

* ``simpy``: M/M/c written here with bare SimPy callbacks on timeouts (no
  process per customer, no recording beyond a served count and waits), the
  floor for anything scheduled by SimPy;
* ``carebench-mmc``: carebench's M/M/c case (``bench_engine.mmc_scenario``):
  55 agents at 91 % load, exponential handle times (mean 5 min), no
  per-contact log;
* ``ciw``: the same model in Ciw, when Ciw is installed (``pip install ciw``
  or the ``bench`` extra);
* ``carebench-default``: the default scenario scaled to ``--contacts``
  contacts (``bench_engine.default_scenario``), every behaviour on;
* ``carebench-default-parquet`` (only when asked for): the same writing
  the streamed per-contact log as ``carebench run --contacts parquet`` does.

Contacts are every contact simulated, the warm-up's included.

``--instructions`` counts CPU instructions a contact instead, under
valgrind's callgrind (needs valgrind; about fifty times slower than a plain
run, so use a few tens of thousands of contacts): a count that the machine's
other load does not move, for comparing changes on a shared machine.

Usage::

    python benchmarks/bench_peers.py                        # 1,000,000 contacts, 3 rounds
    python benchmarks/bench_peers.py --contacts 200000 --repeats 5 --cases simpy,carebench-mmc
    python benchmarks/bench_peers.py --instructions --contacts 60000 --cases simpy,carebench-mmc,carebench-default
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

AGENTS, LOAD, MEAN = 55, 0.91, 300.0  # servers, utilisation, mean service seconds
RATE = AGENTS * LOAD / MEAN  # arrivals per second
CASES = ("simpy", "carebench-mmc", "ciw", "carebench-default")
OPTIONAL = ("carebench-default-parquet",)  # only when named in --cases (needs pyarrow)


def run_simpy(contacts: int) -> int:
    """M/M/c on SimPy callbacks only: one timeout per arrival and one per service."""
    from collections import deque

    import numpy as np
    import simpy

    env = simpy.Environment()
    horizon = contacts / RATE
    rng = np.random.default_rng(1)
    queue: deque[float] = deque()
    state = {"free": AGENTS, "served": 0, "met": 0, "arrived": 0}
    gaps: list[float] = []
    services: list[float] = []

    def gap() -> float:
        if not gaps:
            gaps.extend(rng.exponential(1 / RATE, 4096).tolist())
        return gaps.pop()

    def service() -> float:
        if not services:
            services.extend(rng.exponential(MEAN, 4096).tolist())
        return services.pop()

    def arrive(_event) -> None:
        now = env.now
        state["arrived"] += 1
        if state["free"]:
            state["free"] -= 1
            state["met"] += 1
            env.timeout(service()).callbacks.append(finish)
        else:
            queue.append(now)
        nxt = gap()
        if now + nxt < horizon:
            env.timeout(nxt).callbacks.append(arrive)

    def finish(_event) -> None:
        state["served"] += 1
        if queue:
            if env.now - queue.popleft() <= 20.0:
                state["met"] += 1
            env.timeout(service()).callbacks.append(finish)
        else:
            state["free"] += 1

    env.timeout(gap()).callbacks.append(arrive)
    env.run()
    return state["arrived"]


def run_ciw(contacts: int) -> int:
    """The same M/M/c in Ciw, run until the horizon."""
    import ciw

    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(RATE)],
                                 service_distributions=[ciw.dists.Exponential(1 / MEAN)],
                                 number_of_servers=[AGENTS])
    ciw.seed(1)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(contacts / RATE)
    return len(sim.get_all_records()) + sum(len(n.all_individuals) for n in sim.transitive_nodes)


def run_carebench(case: str, contacts: int) -> int:
    """One of bench_engine's cases through :func:`carebench.runs.simulate.simulate`.

    ``default-parquet`` is the default case writing the streamed per-contact
    log (``carebench run --contacts parquet``) to a temporary directory.
    """
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    import bench_engine

    from carebench.runs.simulate import simulate

    build = {"mmc": bench_engine.mmc_scenario, "default": bench_engine.default_scenario,
             "default-parquet": bench_engine.default_scenario}[case]
    scenario = build(contacts)
    # Every contact simulated, the warm-up's included (``arrived.all`` counts the measured window
    # only): the sink sees each contact's row once, in batches.
    rows = [0]
    with tempfile.TemporaryDirectory() as tmp:
        log = None
        if case == "default-parquet":
            from carebench.output.writers import ContactLog

            log = ContactLog(Path(tmp), "parquet", tuple(scenario.channels), scenario.seed)

        def sink(batch) -> None:
            rows[0] += len(batch["id"])
            if log is not None:
                log(batch)

        simulate(scenario, contact_sink=sink)
        if log is not None:
            log.close()
    return rows[0]


def measure(case: str, contacts: int) -> dict:
    """Time one case in this process (imports excluded); peak memory of the process."""
    if case == "simpy":
        import numpy  # noqa: F401  # imports out of the timing, as for the others
        import simpy  # noqa: F401
        fn = run_simpy
    elif case == "ciw":
        import ciw  # noqa: F401
        fn = run_ciw
    else:
        import carebench.load.loader
        import carebench.runs.simulate  # noqa: F401
        fn = lambda n: run_carebench(case.split("-", 1)[1], n)
    start, cpu = time.perf_counter(), time.process_time()
    n = fn(contacts)
    # CPU seconds: on a shared machine they move far less with the neighbours' load than wall time.
    seconds, wall = time.process_time() - cpu, time.perf_counter() - start
    return {"case": case, "contacts": n, "seconds": seconds, "wall": wall,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _available(case: str) -> bool:
    if case != "ciw":
        return True
    try:
        import ciw  # noqa: F401
    except ImportError:
        return False
    return True


def instructions(case: str, contacts: int) -> float:
    """CPU instructions a contact of ``case`` costs, counted by valgrind's callgrind.

    The case runs twice in its own process under callgrind, with a third of
    ``contacts`` and with all of them; the difference of the two counts over
    the difference of their contacts leaves out the interpreter's start and
    the imports. A count does not move with the machine's other load, so it
    compares engines on a shared machine where rates move by 20-30 %.
    """
    counts = []
    for n in (contacts // 3, contacts):
        done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                               __file__, "--child", case, "--contacts", str(n)],
                              check=True, capture_output=True, text=True)
        total = re.search(r"Collected : (\d+)", done.stderr)
        if total is None:
            raise SystemExit(f"valgrind printed no instruction count for {case}: {done.stderr[-300:]}")
        counts.append((json.loads(done.stdout)["contacts"], int(total.group(1))))
    (n1, i1), (n2, i2) = counts
    return (i2 - i1) / (n2 - n1)


def print_instructions(cases: list[str], contacts: int) -> None:
    """The ``--instructions`` table: instructions a contact, and SimPy's count over each case's."""
    per = {c: instructions(c, contacts) for c in cases}
    base = per.get("simpy")
    print(f"CPU instructions a contact (callgrind, {contacts // 3:,} and {contacts:,} contacts)")
    print(f"{'case':<26} {'instructions':>13} {'simpy / case':>13}")
    for c in cases:
        print(f"{c:<26} {per[c]:>13,.0f} {(f'{base / per[c]:.2f}x' if base else '-'):>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated subset of " + ", ".join(CASES + OPTIONAL))
    parser.add_argument("--instructions", action="store_true",
                        help="count CPU instructions a contact under valgrind instead of timing (try --contacts 60000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.contacts)))
        return
    cases = [c for c in args.cases.split(",") if _available(c)]
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (e.g. apt-get install valgrind)")
        print_instructions(cases, args.contacts)
        return
    runs: dict[str, list[dict]] = {c: [] for c in cases}
    for r in range(args.repeats):
        for case in cases:
            out = subprocess.run([sys.executable, __file__, "--child", case, "--contacts", str(args.contacts)],
                                 check=True, capture_output=True, text=True).stdout
            runs[case].append(json.loads(out))
            print(f"round {r + 1}: {case} {runs[case][-1]['seconds']:.2f} s", file=sys.stderr)
    rate = {c: statistics.median(x["contacts"] / x["seconds"] for x in runs[c]) for c in cases}
    base = rate.get("simpy")
    print(f"{args.contacts:,} contacts, median of {args.repeats} interleaved rounds")
    print(f"{'case':<26} {'contacts':>10} {'contacts/s':>11} {'vs simpy':>9} {'peak MB':>8}")
    for c in cases:
        ratio = f"{rate[c] / base:.2f}x" if base else "-"
        peak = max(x["peak_mb"] for x in runs[c])
        print(f"{c:<26} {runs[c][0]['contacts']:>10,} {rate[c]:>11,.0f} {ratio:>9} {peak:>8.0f}")
    if "ciw" in rate and "carebench-mmc" in rate:
        print(f"carebench-mmc / ciw: {rate['carebench-mmc'] / rate['ciw']:.1f}x")


if __name__ == "__main__":
    main()
