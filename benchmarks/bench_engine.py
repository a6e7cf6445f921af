"""Speed and memory of the engine: contacts simulated per second and peak memory.

Two cases, each run in a fresh subprocess so its peak memory is its own:

* ``mmc``: the M/M/c queue, 55 agents at 91 % load, exponential handle times
  (mean 5 min), one million customers, no per-contact log;
* ``default``: the packaged default scenario (five channels, support hours,
  shifts, an incident, every customer behaviour on) with its traffic and its
  staff scaled up together until the week holds about one million contacts.

Usage::

    python benchmarks/bench_engine.py                 # both cases, 1,000,000 contacts
    python benchmarks/bench_engine.py --case mmc --contacts 200000

Targets (README): at least 150,000 contacts/s on the M/M/c case on one core,
and under 200 MB peak memory for the million-contact run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def mmc_scenario(contacts: int):
    from carebench.load.loader import scenario_from_data

    rate = 55 * 0.91 / 300  # per second
    return scenario_from_data({
        "name": "bench-mmc", "horizon": f"{contacts / rate:.0f}s", "seed": 1,
        "channels": {"phone": {"public": False, "sla": "20s", "first_response": "pickup",
                               "handle_time": {"dist": "exponential", "mean": "5m"},
                               "arrivals": {"per_hour": rate * 3600}}},
        "pools": {"agents": {"agents": 55, "channels": ["phone"]}},
        "report": {"bin": "1d"},
    })


def default_scenario(contacts: int):
    from carebench.engine.arrivals import expected_arrivals
    from carebench.engine.sources import channel_rate
    from carebench.load.loader import load_scenario, scenario_from_data

    base = load_scenario()
    week = sum(expected_arrivals(channel_rate(base, n), 0, base.horizon) for n in base.channels)
    factor = contacts / week
    data = base.model_dump(mode="json")
    for ch in data["channels"].values():
        ch["arrivals"]["per_hour"] *= factor
    for pool in data["pools"].values():
        pool["agents"] = round(pool["agents"] * factor)
        for shift in pool["shifts"]:
            if shift["agents"] is not None:
                shift["agents"] = round(shift["agents"] * factor)
    data["name"] = "bench-default"
    return scenario_from_data(data)


def measure(case: str, contacts: int) -> dict:
    """Run one case in this process and report its figures."""
    from carebench.runs.simulate import simulate

    scenario = {"mmc": mmc_scenario, "default": default_scenario}[case](contacts)
    start = time.perf_counter()
    result = simulate(scenario)
    seconds = time.perf_counter() - start
    n = result.kpis["arrived.all"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": case, "contacts": int(n), "seconds": round(seconds, 2),
            "contacts_per_second": round(n / seconds), "peak_memory_mb": round(peak_mb)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["mmc", "default", "all"], default="all")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.case, args.contacts)))
        return
    for case in (["mmc", "default"] if args.case == "all" else [args.case]):
        out = subprocess.run([sys.executable, __file__, "--child", "--case", case, "--contacts", str(args.contacts)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        print(f"{r['case']:8} {r['contacts']:>10,} contacts in {r['seconds']:7.2f} s = "
              f"{r['contacts_per_second']:>9,} contacts/s, peak memory {r['peak_memory_mb']} MB")


if __name__ == "__main__":
    main()
