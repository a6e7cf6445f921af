"""Limits on everything a file or a flag can make huge, checked before any work starts.

A scenario file of a few hundred bytes can ask for a run that never ends
(a 10,000-year horizon, an arrival rate of 10^12 per hour) or for more
memory than the machine has (a YAML alias bomb). Each such request is
refused in milliseconds with one line that says the size asked for, the
limit and how to raise it. The defaults are far above anything a shipped
scenario needs; ``docs/limits.md`` lists them.

YAML budgets can be raised through environment variables
(``CAREBENCH_MAX_YAML_BYTES``, ``CAREBENCH_MAX_YAML_NODES``,
``CAREBENCH_MAX_YAML_DEPTH``); the contact limit through ``--max-contacts``
(or ``CAREBENCH_MAX_CONTACTS``).
"""

from __future__ import annotations

import hashlib
import math
import re

from carebench.engine.arrivals import expected_arrivals
from carebench.engine.sources import channel_rate
from carebench.load.yamlio import MAX_DIGITS, YamlBudget, env_int, yaml_budget
from carebench.model.scenario import Scenario
from carebench.util.errors import UserError
from carebench.util.units import DAY, HOUR, WEEK, format_duration

__all__ = [
    "YamlBudget",
    "yaml_budget",
    "MAX_DIGITS",
    "MAX_HORIZON_DAYS",
    "MAX_BINS",
    "DEFAULT_MAX_CONTACTS",
    "bins_problem",
    "MAX_NAME_CHARS",
    "MAX_BRAND_RUNS",
    "MAX_PROBES",
    "MAX_SIMULATED_DRAWS",
    "max_contacts",
    "expected_contacts",
    "channel_contacts",
    "check_contacts",
    "file_slug",
]

MAX_HORIZON_DAYS = 36_600
"""The longest horizon (plus drain) a scenario may have: 100 years."""

MAX_BINS = 1_000_000
"""The most time-series bins a run may keep (horizon / ``report.bin``)."""

DEFAULT_MAX_CONTACTS = 20_000_000
"""The most contacts one run may expect before ``--max-contacts`` has to be raised (about a minute of work)."""

MAX_BRAND_RUNS = 100_000
"""The most brand runs (brands × repeats) one mystery-shopper study may plan."""

MAX_PROBES = 10_000_000
"""The most probes (per brand × brands × repeats) one study may send."""

MAX_SIMULATED_DRAWS = 50_000_000
"""The most brand shares ``shop plan --simulate`` may draw (studies × brands)."""

MAX_NAME_CHARS = 80
"""The longest scenario or study name kept in a file name (longer ones are cut and hashed)."""


def max_contacts(option: int | None = None) -> int:
    """The contact limit: ``--max-contacts`` if given, else ``CAREBENCH_MAX_CONTACTS``, else the default."""
    return option if option is not None else env_int("CAREBENCH_MAX_CONTACTS", DEFAULT_MAX_CONTACTS)


def _integral(load, end: float) -> float:
    """∫ load factor dt over ``[0, end)`` (exact on constant pieces, midpoint rule on ramps)."""
    if load is None:
        return end
    cuts = [0.0, *load.breakpoints(0.0, end), end]
    total = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        if load.is_constant(a, b):
            total += load.factor(a) * (b - a)
        else:
            h = (b - a) / 16
            total += sum(load.factor(a + (i + 0.5) * h) for i in range(16)) * h
    return total


_EXACT_UP_TO = 28 * DAY
"""Horizons up to four weeks are integrated exactly (hour by hour, a few milliseconds); longer ones estimated."""


def channel_contacts(scenario: Scenario, name: str) -> float:
    """The estimate of :func:`expected_contacts` for channel ``name`` alone."""
    rate = channel_rate(scenario, name)
    if scenario.horizon <= _EXACT_UP_TO:
        return expected_arrivals(rate, 0.0, scenario.horizon)
    profile = [h * d for d in rate.weekly for h in rate.hourly]
    mean = rate.base_per_hour / HOUR * sum(profile) / len(profile)
    top = rate.base_per_hour / HOUR * max(profile)
    horizon = scenario.horizon
    load = rate.shape
    total = mean * _integral(load, horizon)
    for start, end, mult in rate.incidents:
        overlap = max(0.0, min(end, horizon) - max(start, 0.0))
        if overlap and mult > 1:
            factor = load.max_factor(max(start, 0.0), min(end, horizon)) if load is not None else 1.0
            total += (mult - 1) * top * factor * overlap
    return total


def expected_contacts(scenario: Scenario) -> float:
    """An estimate of the contacts one run of ``scenario`` brings, in microseconds of work.

    Up to four weeks it is the exact integral of the rate; beyond, it
    averages the hourly and weekly profiles, integrates the load shapes and
    adds each incident at the profile's peak rate (exact for flat profiles,
    within a small factor otherwise). Injections are added as they are.
    """
    return sum(channel_contacts(scenario, name) for name in scenario.channels) + len(scenario.inject)


def check_contacts(scenario: Scenario, limit: int | None = None, *, where: str = "",
                   multiplier: float = 1.0) -> float:
    """Refuse (one-line ``UserError``) a run expected to bring more than ``limit`` contacts.

    ``multiplier`` scales the estimate (a load test's largest load); the
    message names the estimate and how to raise the limit. Returns the estimate.
    """
    cap = max_contacts(limit)
    estimate = expected_contacts(scenario) * multiplier
    if not math.isfinite(estimate) or estimate > cap:
        shown = (f"{estimate:,.0f}" if estimate < 1e15 else f"{estimate:.3g}") if math.isfinite(estimate) \
            else "an unbounded number of"
        label = where or f"scenario {scenario.name[:80]!r}"
        raise UserError(
            f"{label}: expects about {shown} contacts per run (horizon {format_duration(scenario.horizon)}); "
            f"the limit is {cap:,}: shorten the horizon, lower the rates, or raise it with --max-contacts N"
        )
    return estimate


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def file_slug(name: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """``name`` as a safe, bounded file-name part: other characters become ``-``; long ones are cut and hashed."""
    slug = _UNSAFE.sub("-", name).strip("-.") or "unnamed"
    if len(slug) <= max_chars:
        return slug
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug[:max_chars - 9].rstrip('-.')}-{digest}"


def bins_problem(horizon: float, bin_width: float) -> str | None:
    """The one-line problem with a horizon too long for the time series, or None."""
    if horizon / DAY > MAX_HORIZON_DAYS:
        return (f"horizon: expected at most {MAX_HORIZON_DAYS:,} days (100 years) including the drain, "
                f"got {horizon / DAY:,.0f} days")
    bins = horizon / bin_width
    if bins > MAX_BINS:
        return (f"report.bin: {bins:,.0f} time-series bins over the horizon; expected at most {MAX_BINS:,}: "
                f"use a larger bin such as '{_suggest(horizon)}'")
    return None


def _suggest(horizon: float) -> str:
    for text, width in (("1h", HOUR), ("1d", DAY), ("1w", WEEK)):
        if horizon / width <= MAX_BINS:
            return text
    return "1w"
