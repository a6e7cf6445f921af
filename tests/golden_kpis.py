"""Write tests/golden_kpis.json: every KPI of a few small same-seed runs.

Run from the repository root only when results are meant to move
(``python tests/golden_kpis.py``); tests/test_same_seed.py compares to it.
"""

from __future__ import annotations

import json
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden_kpis.json")
CASES = {
    # label: (shipped scenario, seed, --set overrides)
    "default-s7": ("default", 7, []),
    "mmc-s7-2d": ("mmc", 7, ["horizon=2d"]),
    "policy_showdown-sla_deadline-s3": ("policy_showdown", 3, ["policies.priority=sla_deadline"]),
    "outage_storm-surge-s5": ("outage_storm", 5, ["policies.staffing=surge"]),
}


def run_case(label: str) -> dict[str, float]:
    """The KPIs of one golden case."""
    from carebench.load.loader import load_scenario, shipped_scenario_path
    from carebench.runs.simulate import simulate

    name, seed, overrides = CASES[label]
    return simulate(load_scenario(shipped_scenario_path(name), overrides), seed).kpis


if __name__ == "__main__":
    data = {label: run_case(label) for label in CASES}
    GOLDEN.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
