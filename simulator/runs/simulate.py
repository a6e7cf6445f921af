"""The public entry point: ``simulate(scenario, seed) -> RunResult``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from carebench.engine.core import Engine
from carebench.engine.results import RunResult, build_result
from carebench.policies.registry import build_priority, build_staffing
from carebench.stats.warmup import mser5, queue_series
from carebench.util.version import __version__

__all__ = ["simulate"]


def simulate(scenario, seed: int | None = None, *, progress: Callable[[float], None] | None = None,
             contact_sink: Callable | None = None, allow_policy_import: bool = False,
             probes=None, batches: int = 0) -> RunResult:
    """Run ``scenario`` once with ``seed`` (the scenario's own seed when None).

    ``progress`` is called with the fraction of simulated time done;
    ``contact_sink`` receives batches of per-contact rows (column name to
    array) for a per-contact log; ``probes`` is a mystery-shopper study's
    :class:`~carebench.study.probes.ProbeInjector`, whose probes come back in
    ``RunResult.probes`` and stay out of the KPIs. With ``batches`` (2 or
    more) the measured window is also cut into that many equal spans whose
    contact KPIs come back in ``RunResult.batches`` (batch means). With
    ``warmup: auto`` the run is made twice on the same seed: once from time 0
    to read MSER-5's warm-up off its queue series, then measured after it
    (``RunResult.warmup_rule == 'MSER-5'``). Pure: no printing, files or wall clock.
    """
    seed = scenario.seed if seed is None else int(seed)
    if scenario.warmup_auto:
        pilot = _once(scenario, seed, None, None, allow_policy_import, None, 0)
        series, width = queue_series(pilot)
        warmup = min(mser5(series).observations * width, 0.5 * scenario.horizon)
        chosen = scenario.model_copy(update={"warmup": warmup, "warmup_auto": False})
        result = _once(chosen, seed, progress, contact_sink, allow_policy_import, probes, batches)
        return dataclasses.replace(result, fingerprint=scenario.fingerprint(), warmup_rule="MSER-5")
    return _once(scenario, seed, progress, contact_sink, allow_policy_import, probes, batches)


def _once(scenario, seed, progress, contact_sink, allow_policy_import, probes, batches) -> RunResult:
    priority = build_priority(scenario, allow_policy_import)
    staffing = build_staffing(scenario, allow_policy_import)
    engine = Engine(scenario, seed, priority, staffing, progress=progress, sink=contact_sink, probes=probes,
                    batches=batches)
    recorder = engine.run()
    presence = {p.name: p.presence for p in engine.pools}
    busy = {p.name: p.busy_area for p in engine.pools}
    drain = {p.name: p.drain_area for p in engine.pools}
    return build_result(recorder, engine, seed, __version__, presence, busy, drain)
