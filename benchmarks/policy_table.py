"""The README's policy comparison: every main policy on the same traffic, replicated.

Runs ``scenarios/policy_showdown.yaml`` once per policy and replication, with
the same replication seeds for every policy (common random numbers: the same
customers arrive at the same times with the same followers), and prints two
Markdown tables: the priority policies under the fixed roster, and the
staffing choices (fixed roster, interval staffing, surge, one shared team)
under first in, first out. Each cell is the mean over the replications;
the "vs" columns give the paired difference from the table's first row with
its 95 % confidence half-width (pairing by seed cancels most of the noise the
variants share, so a difference is known far better than either mean).

Usage::

    python benchmarks/policy_table.py                  # 10 replications, about a minute
    python benchmarks/policy_table.py --replications 3

Until ``carebench compare`` lands this is the command the README names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from carebench.engine.streams import replication_seeds
from carebench.load.loader import load_scenario
from carebench.output.report import fmt_share
from carebench.runs.simulate import simulate
from carebench.stats.differences import paired_difference
from carebench.stats.intervals import mean_ci
from carebench.util.units import format_duration

ROOT = Path(__file__).resolve().parent.parent
SHOWDOWN = ROOT / "scenarios" / "policy_showdown.yaml"
SHARED = ROOT / "scenarios" / "policy_showdown_shared.yaml"

PRIORITY = [
    ("fifo", "fifo"),
    ("channel_priority (social first)", "channel_priority"),
    ("sla_deadline", "sla_deadline"),
    ("follower_weighted", "follower_weighted"),
    ("exposure_rate", "exposure_rate"),
    ("urgency_triage", "urgency_triage"),
    ("acknowledge_then_resolve", "acknowledge_then_resolve"),
    ("deflect_complex (to email)", "deflect_complex"),
    ("auto_ack_bot", "auto_ack_bot"),
]
STAFFING = [
    ("fixed_roster (dedicated teams)", SHOWDOWN, "fixed_roster"),
    ("interval_staffing", SHOWDOWN, "interval_staffing"),
    ("surge (marketing steps in)", SHOWDOWN, "surge"),
    ("fixed_roster, one shared team", SHARED, "fixed_roster"),
]
CHANNELS = ("twitter", "facebook", "email")
BANDS = {"lt100": "< 100", "100_1k": "100-1k", "1k_10k": "1k-10k", "10k_100k": "10k-100k", "100k_plus": "100k+"}
BAND_POLICIES = ("fifo", "follower_weighted", "exposure_rate")


def replicate(path: Path, overrides: list[str], replications: int) -> list[dict[str, float]]:
    """KPIs of ``replications`` runs of the scenario at ``path`` with ``overrides``, seeds shared by all variants."""
    scenario = load_scenario(path, overrides)
    return [simulate(scenario, seed).kpis for seed in replication_seeds(scenario.seed, replications)]


def row(label: str, runs: list[dict[str, float]], base: list[dict[str, float]]) -> list[str]:
    """One table row: SLA per channel, exposure and churn (with the paired change from ``base``), hours, TTR."""
    def mean(kpi: str) -> float:
        return mean_ci([r[kpi] for r in runs]).mean

    def versus(kpi: str, scale: float, digits: int) -> str:
        diff = paired_difference([r[kpi] / scale for r in base], [r[kpi] / scale for r in runs])
        return f"{diff.mean:+,.{digits}f} ± {diff.half_width:,.{digits}f}" if runs is not base else "-"

    return [label, *(fmt_share(mean(f"sla.{ch}")) for ch in CHANNELS),
            f"{mean('exposure.total') / 1e6:,.2f}", versus("exposure.total", 1e6, 2),
            f"{mean('churn.expected'):,.0f}", versus("churn.expected", 1.0, 0),
            f"{mean('agent_hours.total'):,.0f}", minutes(mean("ttr.mean.twitter"))]


def minutes(seconds: float) -> str:
    """A duration rounded to the minute."""
    return format_duration(round(seconds / 60.0) * 60.0)


def markdown(rows: list[list[str]]) -> list[str]:
    """A Markdown table of ``rows`` under the standard header."""
    header = ["policy", "SLA twitter (30m)", "SLA facebook (2h)", "SLA email (24h)",
              "exposure (M follower-h)", "vs first row", "expected churners", "vs first row",
              "agent-hours", "TTR twitter"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def band_table(runs: dict[str, list[dict[str, float]]]) -> list[str]:
    """First-response time by follower band, one row per policy: the price of favouring influencers."""
    header = ["policy", *(f"{label} followers" for label in BANDS.values())]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(BANDS)) + "|"]
    for name, reps in runs.items():
        cells = []
        for band in BANDS:
            p50 = mean_ci([r[f"frt_band.p50.{band}"] for r in reps]).mean
            p90 = mean_ci([r[f"frt_band.p90.{band}"] for r in reps]).mean
            cells.append(f"{minutes(p50)} / {minutes(p90)}")
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return lines


def table(variants: list[list[dict[str, float]]], labels: list[str]) -> list[list[str]]:
    """Rows for every variant, differences taken against the first."""
    return [row(label, runs, variants[0]) for label, runs in zip(labels, variants)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=10, help="replications per policy (default 10)")
    args = parser.parse_args()
    n = args.replications
    runs = {name: replicate(SHOWDOWN, [f"policies.priority={name}"], n) for _, name in PRIORITY}
    priority = table(list(runs.values()), [label for label, _ in PRIORITY])
    staffing = table([replicate(path, [f"policies.staffing={name}"], n) for _, path, name in STAFFING],
                     [label for label, _, _ in STAFFING])
    print(f"Priority policies, fixed roster ({n} replications of policy_showdown, the same seeds for each):\n")
    print("\n".join(markdown(priority)))
    print(f"\nStaffing, first in first out ({n} replications, the same seeds for each):\n")
    print("\n".join(markdown(staffing)))
    print("\nMedian / 90th percentile first-response time by the author's followers (mean over replications):\n")
    print("\n".join(band_table({name: runs[name] for name in BAND_POLICIES})))


if __name__ == "__main__":
    main()
