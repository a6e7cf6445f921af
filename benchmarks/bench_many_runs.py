"""Many-run throughput: a sweep on one worker, two local workers and a two-worker Dask cluster.

The sweep is what ``carebench sweep`` runs for twenty evening-chat team sizes
of the default scenario, one replication each: twenty one-week runs (the
default scenario's warm-up week, then its measured week)::

    carebench sweep default --grid pools.chat_evening.agents=1..20 -n 1 --workers N

Part one times that command as a whole process (interpreter start, imports,
pool start and the result tables included): ``--workers 1``, ``--workers 2``
and ``--scheduler`` on a Dask ``LocalCluster`` of two single-thread worker
processes on 127.0.0.1, started beforehand as a real cluster would be. The
cluster's first command is timed apart (its workers import carebench in
it, once in the cluster's life); then ``--repeats`` rounds run the three
commands in turn and each gets the median of its rounds.

Part two runs the same tasks through the executors in this process, each
task timed inside its worker, and splits what is not simulation into
per-task overhead: the bytes and time of pickling a task and its result,
set-up inside the task (validating the scenario data), the wait from a
task's end in a worker to its result in this process, and the workers'
start-up (pool creation to their first task).

Usage::

    python benchmarks/bench_many_runs.py              # both parts, Dask if installed
    python benchmarks/bench_many_runs.py --points 6 --no-dask

The targets: two local workers at least 1.8x one worker; Dask within 10 %
of two local workers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRID_PATH = "pools.chat_evening.agents"


def sweep_command(points: int, out: str, *extra: str) -> list[str]:
    """The ``carebench sweep`` command line of the benchmark sweep."""
    carebench = Path(sys.executable).with_name("carebench")
    return [str(carebench), "sweep", "default", "--grid", f"{GRID_PATH}=1..{points}", "-n", "1",
            "--no-plots", "-q", "--out", out, *extra]


def time_command(args: list[str]) -> float:
    """Wall time of one whole-process run of ``args`` (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def start_cluster(workers: int = 2):
    """A Dask LocalCluster of ``workers`` single-thread worker processes on 127.0.0.1, or None.

    Its workers run with Dask's statistical profiler off, as ``docs/sweeps.md``
    advises for carebench's workers: it samples every thread's stack every
    10 ms under the GIL, which held a task's thread waiting for about 4 % of
    its run.
    """
    try:
        import dask
        import distributed
    except ImportError:
        return None
    with dask.config.set({"distributed.worker.profile.enabled": False}):  # the workers inherit it
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address="127.0.0.1:0", silence_logs=40)


def timed_task(task):
    """Run one task in a worker; return its result with the worker's clock around it and the result's size."""
    from carebench.runs.tasks import run_task

    entered = time.time()
    result = run_task(task)
    left = time.time()
    size = len(pickle.dumps(result))
    return result, os.getpid(), entered, left, size


def planned_tasks(points: int):
    """The benchmark sweep's tasks, as ``carebench sweep`` plans them."""
    from carebench.load.loader import shipped_scenario_path
    from carebench.load.yamlio import load_yaml_file
    from carebench.runs.sweep import grid_variants, parse_grid
    from carebench.runs.tasks import plan_tasks

    path = shipped_scenario_path("default")
    variants = grid_variants(load_yaml_file(path), [parse_grid(f"{GRID_PATH}=1..{points}")], str(path))
    return plan_tasks(variants, range(1), variants[0].scenario.seed)


def instrumented(executor_factory, tasks) -> dict:
    """Run ``tasks`` on a new executor with :func:`timed_task`; time start-up, runs and transfers."""
    made = time.time()
    rows = []
    with executor_factory() as executor:
        for result, pid, entered, left, size in executor.run(tasks, timed_task):
            rows.append((result, pid, entered, left, size, time.time()))
    wall = time.time() - made
    first = {}
    for _, pid, entered, *_ in rows:
        first[pid] = min(first.get(pid, entered), entered)
    runs = [left - entered for _, _, entered, left, _, _ in rows]
    return {
        "wall": wall, "workers": len(first), "run": sum(runs), "runs": runs,
        "startup": statistics.mean(t - made for t in first.values()),
        "transfer": statistics.median(got - left for *_, left, _, got in rows),
        "result_bytes": statistics.median(size for *_, size, _ in rows),
        "kpis": {r.key: r.kpis for r, *_ in rows},
    }


def task_costs(tasks) -> dict:
    """Pickled size and pickling time of a task, and its set-up (scenario validation) inside a worker."""
    from carebench.load.loader import scenario_from_data

    blob = pickle.dumps(tasks[0])
    start = time.perf_counter()
    for task in tasks:
        pickle.loads(pickle.dumps(task))
    pickling = (time.perf_counter() - start) / len(tasks)
    start = time.perf_counter()
    for task in tasks:
        scenario_from_data(task.scenario, f"variant {task.variant!r}")
    setup = (time.perf_counter() - start) / len(tasks)
    return {"task_bytes": len(blob), "pickling": pickling, "setup": setup}


def part_one(points: int, dask: bool, repeats: int = 1) -> dict:
    """Whole-process wall times of the sweep command: serial, two local workers, Dask (medians of rounds).

    The cluster is started first. Its first command is timed on its own
    (``dask_first``: the workers' first import of carebench falls in it);
    then ``repeats`` rounds time the three commands one after another, so
    the machine's load falls on all three alike, and each gets its median.
    """
    rounds: dict[str, list[float]] = {"serial": [], "local": [], "dask": []}
    out_times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as out, contextlib.ExitStack() as stack:
        cluster = start_cluster() if dask else None
        extra = {"serial": ("--workers", "1"), "local": ("--workers", "2")}
        if cluster is not None:
            stack.enter_context(cluster)
            extra["dask"] = ("--scheduler", cluster.scheduler_address)
            out_times["dask_first"] = time_command(sweep_command(points, out, *extra["dask"]))
        for _ in range(repeats):
            for name, flags in extra.items():
                rounds[name].append(time_command(sweep_command(points, out, *flags)))
    out_times.update({name: statistics.median(t) for name, t in rounds.items() if t})
    return out_times


def same_text(kpis: dict) -> str:
    """KPIs as text in key order, so NaN equals NaN when results are compared."""
    return repr(sorted(kpis.items()))


def part_two(points: int, dask: bool) -> dict:
    """The sweep's tasks through each executor in this process, timed inside the workers."""
    from carebench.runs.executors import DaskExecutor, ProcessExecutor, SerialExecutor

    tasks = planned_tasks(points)
    out = {"costs": task_costs(tasks), "serial": instrumented(SerialExecutor, tasks),
           "local": instrumented(lambda: ProcessExecutor(2), tasks)}
    cluster = start_cluster() if dask else None
    if cluster is not None:
        with cluster:
            out["dask"] = instrumented(lambda: DaskExecutor(cluster.scheduler_address), tasks)
    for name in ("local", "dask"):
        if name in out and same_text(out[name]["kpis"]) != same_text(out["serial"]["kpis"]):
            raise SystemExit(f"{name}: results differ from the serial executor's")
    return out


def loads(values) -> str:
    """Load averages (1, 5, 15 minutes) as text."""
    return " ".join(f"{x:.2f}" for x in values)


def report(points: int, whole: dict, inside: dict, load: tuple) -> None:
    """Print both parts as plain lines."""
    print(f"sweep of {points} one-week default runs ({GRID_PATH}=1..{points}, -n 1) on {os.cpu_count()} cores; "
          f"load average at start {loads(load)}, at the end {loads(os.getloadavg())}")
    print("whole command (wall s, median of the rounds):")
    serial = whole["serial"]
    print(f"  serial (--workers 1)       {serial:7.1f}")
    print(f"  2 local workers            {whole['local']:7.1f}   speed-up {serial / whole['local']:.2f}x")
    if "dask" in whole:
        print(f"  Dask LocalCluster 2x1      {whole['dask']:7.1f}   speed-up {serial / whole['dask']:.2f}x, "
              f"{whole['dask'] / whole['local'] - 1:+.1%} against local")
        print(f"  (its first command, on the fresh cluster: {whole['dask_first']:.1f})")
    costs = inside["costs"]
    mean_run = inside["serial"]["run"] / points
    print(f"per task (mean run {mean_run:.2f} s in this process):")
    print(f"  task pickled {costs['task_bytes']:,} bytes in {costs['pickling'] * 1e3:.2f} ms (dump+load); "
          f"set-up in the worker {costs['setup'] * 1e3:.1f} ms")
    for name, label in (("local", "2 local workers"), ("dask", "Dask LocalCluster 2x1")):
        if name not in inside:
            continue
        r = inside[name]
        overhead = (r["workers"] * r["wall"] - r["run"]) / points
        run = r["run"] / points  # the same executor's runs, under the same load
        print(f"  {label}: wall {r['wall']:.1f} s for {r['run']:.1f} s of runs on {r['workers']} workers "
              f"(busy {r['run'] / (r['workers'] * r['wall']):.1%}); start-up {r['startup']:.2f} s per worker; "
              f"result {r['result_bytes']:,.0f} bytes back in {r['transfer'] * 1e3:.1f} ms; all overhead "
              f"(idle worker time, start-up included) {overhead:.2f} s per task = {overhead / run:.1%} of its run")


def main() -> None:
    """Parse the options, run both parts, print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20, help="grid points (one one-week run each)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the whole commands (medians)")
    parser.add_argument("--part", choices=("both", "whole", "inside"), default="both")
    args = parser.parse_args()
    dask = not args.no_dask
    load = os.getloadavg()
    whole = part_one(args.points, dask, args.repeats) if args.part != "inside" else {}
    inside = part_two(args.points, dask) if args.part != "whole" else {}
    if whole and inside:
        report(args.points, whole, inside, load)
    else:
        print(whole or {k: {kk: vv for kk, vv in v.items() if kk not in ("kpis", "runs")} for k, v in inside.items()})


if __name__ == "__main__":
    main()
