"""Queues with a known answer for the coverage harness (benchmarks/coverage_harness.py).

Each :class:`Case` is a scenario as plain data with the exact value of every
KPI it checks: M/M/c against Erlang C, M/M/c+M against Erlang A, and a
two-class non-preemptive priority queue against Cobham's formula. ``FULL``
is the harness's table; ``QUICK`` one case for a short look.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carebench.analytic.erlang import erlang_a_figures, erlang_c, erlang_c_figures

__all__ = ["Case", "HANDLE", "TARGET", "erlang_c_case", "erlang_a_case", "priority_case", "FULL", "QUICK",
           "SHORT_BATCHES"]

HANDLE = 300.0
TARGET = 20.0


@dataclass(frozen=True)
class Case:
    """A queue with a known answer: scenario data, the exact value of each checked KPI, and check counts.

    ``pool`` replications feed the fixed-n rows (disjoint groups of 5, 10, 30);
    ``precision_checks`` runs of ``--precision`` each draw their own seeds;
    ``batch_checks`` long runs of ``batch_horizon`` feed the batch-means rows.
    """

    name: str
    data: dict
    truth: dict[str, float]
    precision_kpi: str
    pool: int = 30000
    precision_checks: int = 1000
    batch_checks: int = 0
    batch_horizon: str = "10d"


def _queue(name, channels, pool, horizon, warmup, drain="3h"):
    return {"name": name, "horizon": horizon, "warmup": warmup, "drain": drain, "seed": 1,
            "channels": channels, "pools": {"agents": pool}, "report": {"bin": "15m"}}


def _channel(per_hour, patience=None):
    ch = {"public": False, "sla": f"{TARGET:.0f}s", "first_response": "pickup",
          "handle_time": {"dist": "exponential", "mean": f"{HANDLE:.0f}s"}, "arrivals": {"per_hour": per_hour}}
    if patience:
        ch["patience"] = {"dist": "exponential", "mean": patience}
    return ch


def erlang_c_case(agents: int, load: float, horizon: str, warmup: str, **counts) -> Case:
    """M/M/``agents`` at occupancy ``load``: Erlang C's mean wait, service level, p90 wait and occupancy."""
    rate = agents * load / HANDLE
    f = erlang_c_figures(rate, HANDLE, agents, TARGET)
    drain = agents / HANDLE - rate
    p90 = max(0.0, math.log(erlang_c(agents, rate * HANDLE) / 0.1) / drain)
    data = _queue(f"mm{agents}-{load:.0%}", {"phone": _channel(rate * 3600)},
                  {"agents": agents, "channels": ["phone"]}, horizon, warmup)
    truth = {"frt.mean.phone": f.mean_wait, "sla.phone": f.service_level, "frt.p90.phone": p90,
             "utilisation.agents": f.occupancy}
    return Case(data["name"], data, truth, "frt.mean.phone", **counts)


def erlang_a_case(agents: int, load: float, patience: float, horizon: str, warmup: str, **counts) -> Case:
    """M/M/``agents``+M with exponential patience: Erlang A's answered wait, service level, abandonment.

    Erlang A's abandonment is the share of all arrivals that hang up; the KPI
    counts abandoned over contacts that arrived in the measured window, and
    the 3-hour drain (60 mean patiences) resolves every one of them, so the
    two count the same thing (the pool's mean matches it within its noise).
    """
    rate = agents * load / HANDLE
    f = erlang_a_figures(rate, HANDLE, agents, TARGET, patience)
    data = _queue(f"mm{agents}+m-{load:.0%}", {"phone": _channel(rate * 3600, f"{patience:.0f}s")},
                  {"agents": agents, "channels": ["phone"]}, horizon, warmup)
    truth = {"frt.mean.phone": f.mean_wait_answered, "sla.phone": f.service_level,
             "abandon.phone": f.p_abandon, "utilisation.agents": f.occupancy}
    return Case(data["name"], data, truth, "frt.mean.phone", **counts)


def priority_case(agents: int, high: float, low: float, horizon: str, warmup: str, **counts) -> Case:
    """Two classes, one pool preferring ``high``: Cobham's non-preemptive priority mean waits.

    W_k = C(c, a) / (c·mu) / ((1 - sigma_{k-1}) (1 - sigma_k)) with sigma_k the
    occupancy of classes 1..k (Cobham, *Priority assignment in waiting line
    problems*, Oper. Res. 2, 1954; identical exponential service).
    """
    mu = 1.0 / HANDLE
    rates = [agents * high / HANDLE, agents * low / HANDLE]
    c_wait = erlang_c(agents, sum(rates) * HANDLE)
    s1, s2 = high, high + low
    w_high = c_wait / (agents * mu) / (1.0 - s1)
    w_low = c_wait / (agents * mu) / ((1.0 - s1) * (1.0 - s2))
    data = _queue(f"prio{agents}-{high + low:.0%}",
                  {"high": _channel(rates[0] * 3600), "low": _channel(rates[1] * 3600)},
                  {"agents": agents, "channels": ["high", "low"], "prefer": ["high", "low"]}, horizon, warmup)
    return Case(data["name"], data, {"frt.mean.high": w_high, "frt.mean.low": w_low}, "frt.mean.low", **counts)


# Warm-ups are five or more relaxation times, 1 / (c·mu·(1 - sqrt(rho))²) (0.8 h for M/M/2 at 60 %,
# 1.5 h for M/M/5 at 80 % and M/M/20 at 90 %), so a run starting empty is in its steady state when
# measuring starts. M/M/20 at 90 % measured for 8 hours after a 4-hour warm-up gave a per-run mean
# wait so skewed (coefficient of variation 0.7, a few runs holding one long busy period) that
# intervals over 5 or 10 runs held the truth only 90 % of the time; 24 measured hours fix that.
# Batch-means runs make batches of at least 15 relaxation times at K = 20 (12 h for M/M/2 at 60 %,
# 24 h for M/M/5 at 80 %) and 30 at K = 10; SHORT_BATCHES shows what shorter ones give, and
# batch_study.py what the batches' correlation costs at each length.
FULL = [
    erlang_c_case(2, 0.6, "2d", "4h", pool=24000, precision_checks=1000, batch_checks=2000),
    erlang_c_case(5, 0.8, "30h", "8h", pool=15000, precision_checks=400, batch_checks=2000, batch_horizon="20d"),
    erlang_c_case(20, 0.9, "32h", "8h", pool=4500, precision_checks=300),
    erlang_a_case(10, 1.0, 180.0, "1d", "4h", pool=12000, precision_checks=400),
    priority_case(5, 0.3, 0.5, "2d", "8h", pool=9000, precision_checks=400),
]
SHORT_BATCHES = [(erlang_c_case(5, 0.8, "30h", "8h", batch_checks=1000), 40, "10d")]
"""Batches too short (6 h, four relaxation times): a control shown beside the table, not held to its target."""
QUICK = [erlang_c_case(5, 0.8, "30h", "8h", pool=1200, precision_checks=60, batch_checks=60)]
