"""carebench: a discrete-event simulator and load-testing harness for customer service.

The library in one call::

    from simulator import load_scenario, simulate
    result = simulate(load_scenario("scenarios/default.yaml"), seed=1)
    result.kpis["sla.twitter"]

Importing carebench has no side effects (no seeding, logging or plotting set-up).
"""

from simulator.erlang import QueueFigures, agents_needed, erlang_a_figures, erlang_c_figures
from simulator.errors import ScenarioError, UserError
from simulator.loader import load_scenario, scenario_from_data
from simulator.results import RunResult
from simulator.scenario import Scenario
from simulator.simulate import simulate
from simulator.version import __version__

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
