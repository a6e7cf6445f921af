"""carebench: a discrete-event simulator and load-testing harness for customer service.

The library in one call::

    from carebench import load_scenario, simulate
    result = simulate(load_scenario("scenarios/default.yaml"), seed=1)
    result.kpis["sla.twitter"]

Importing carebench has no side effects (no seeding, logging or plotting set-up).
"""

from carebench.analytic.erlang import QueueFigures, agents_needed, erlang_a_figures, erlang_c_figures
from carebench.engine.results import RunResult
from carebench.load.loader import load_scenario, scenario_from_data
from carebench.model.scenario import Scenario
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError, UserError
from carebench.util.version import __version__

__all__ = [
    "QueueFigures",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "UserError",
    "agents_needed",
    "erlang_a_figures",
    "erlang_c_figures",
    "load_scenario",
    "scenario_from_data",
    "simulate",
    "__version__",
]
