"""The public entry point: ``simulate(scenario, seed) -> RunResult``."""

from __future__ import annotations

from collections.abc import Callable

from carebench.engine.core import Engine
from carebench.engine.results import RunResult, build_result
from carebench.policies.registry import build_priority, build_staffing
from carebench.util.version import __version__

__all__ = ["simulate"]


def simulate(scenario, seed: int | None = None, *, progress: Callable[[float], None] | None = None,
             contact_sink: Callable | None = None, allow_policy_import: bool = False,
             probes=None) -> RunResult:
    """Run ``scenario`` once with ``seed`` (the scenario's own seed when None).

    ``progress`` is called with the fraction of simulated time done;
    ``contact_sink`` receives batches of per-contact rows (column name to
    array) for a per-contact log; ``probes`` is a mystery-shopper study's
    :class:`~carebench.study.probes.ProbeInjector`, whose probes come back in
    ``RunResult.probes`` and stay out of the KPIs. Pure: no printing, files or wall clock.
    """

    seed = scenario.seed if seed is None else int(seed)
    priority = build_priority(scenario, allow_policy_import)
    staffing = build_staffing(scenario, allow_policy_import)
    engine = Engine(scenario, seed, priority, staffing, progress=progress, sink=contact_sink, probes=probes)
    recorder = engine.run()
    presence = {p.name: p.presence for p in engine.pools}
    busy = {p.name: p.busy_area for p in engine.pools}
    return build_result(recorder, engine, seed, __version__, presence, busy)
