"""The fixed roster: agents on duty exactly as the pools' shifts declare."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import StaffingPolicy
from carebench.policies.params import PARAMS

__all__ = ["FixedRoster"]


@dataclass(config=PARAMS)
class FixedRoster(StaffingPolicy):
    """Agents on duty exactly as each pool's shifts (and breaks) declare.

    When to use: the roster a team actually publishes; the baseline for
    every staffing comparison.
    Cost: it does not react — an incident is met with the same staff as a
    quiet Sunday.
    """

    name = "fixed_roster"
    summary = "agents on duty as each pool's shifts and breaks declare"
