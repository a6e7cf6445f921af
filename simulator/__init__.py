"""carebench: a discrete-event simulator and load-testing harness for customer service.

The library in a notebook::

    import carebench as cb
    sc = cb.load_scenario("default", {"horizon": "1d"})
    result = cb.simulate(sc, seed=1)
    result.kpis["sla.twitter"]
    reps = cb.replicate(sc, 3, seed=1)          # replications, tidy rows: reps.rows()
    cmp = cb.compare({"fifo": sc, "more agents": cb.load_scenario("default", {"horizon": "1d",
                      "pools.social.agents": 8})}, 3)   # paired differences: cmp.differences()
    roster = cb.schedule(sc, ["sla.twitter >= 0.5"])   # cheapest roster from shift templates: roster.best.cost

Importing carebench has no side effects (no seeding, logging or plotting
set-up) and is light: the names below are imported when first used
(PEP 562), so ``import carebench`` loads neither numpy, scipy, SimPy nor
matplotlib, and ``carebench --version`` starts at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_LAZY = {
    "__version__": "carebench.util.version",
    "load_scenario": "carebench.api.runs",
    "simulate": "carebench.api.runs",
    "replicate": "carebench.api.runs",
    "compare": "carebench.api.runs",
    "Comparison": "carebench.api.runs",
    "run_study": "carebench.api.study",
    "schedule": "carebench.api.staffing",
    "StudyResult": "carebench.api.study",
    "erlang_c": "carebench.api.erlang",
    "erlang_a": "carebench.api.erlang",
    "QueueFigures": "carebench.analytic.erlang",
    "agents_needed": "carebench.analytic.erlang",
    "erlang_a_figures": "carebench.analytic.erlang",
    "erlang_c_figures": "carebench.analytic.erlang",
    "RunResult": "carebench.engine.results",
    "Replications": "carebench.runs.replicate",
    "Scenario": "carebench.model.scenario",
    "scenario_from_data": "carebench.load.loader",
    "ScenarioError": "carebench.util.errors",
    "read_trace": "carebench.trace.readers",
    "replay_scenario": "carebench.trace.replay",
    "fit_trace": "carebench.calibrate.fit",
    "UserError": "carebench.util.errors",
}

__all__ = [
    "Comparison",
    "QueueFigures",
    "Replications",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StudyResult",
    "UserError",
    "__version__",
    "agents_needed",
    "compare",
    "erlang_a",
    "erlang_a_figures",
    "erlang_c",
    "erlang_c_figures",
    "fit_trace",
    "load_scenario",
    "read_trace",
    "replay_scenario",
    "replicate",
    "run_study",
    "scenario_from_data",
    "schedule",
    "simulate",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on first use
    from carebench.analytic.erlang import QueueFigures, agents_needed, erlang_a_figures, erlang_c_figures
    from carebench.api.erlang import erlang_a, erlang_c
    from carebench.api.runs import Comparison, compare, load_scenario, replicate, simulate
    from carebench.api.staffing import schedule
    from carebench.api.study import StudyResult, run_study
    from carebench.calibrate.fit import fit_trace
    from carebench.engine.results import RunResult
    from carebench.load.loader import scenario_from_data
    from carebench.model.scenario import Scenario
    from carebench.runs.replicate import Replications
    from carebench.trace.readers import read_trace
    from carebench.trace.replay import replay_scenario
    from carebench.util.errors import ScenarioError, UserError
    from carebench.util.version import __version__


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562) and keep it in the module."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'carebench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, whether imported yet or not."""
    return sorted(set(globals()) | set(_LAZY))
