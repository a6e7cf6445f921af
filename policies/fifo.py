"""First in, first out: the contact that has waited longest in its queue goes first."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import PriorityPolicy
from carebench.policies.params import PARAMS

__all__ = ["Fifo"]


@dataclass(config=PARAMS)
class Fifo(PriorityPolicy):
    """First in, first out across every channel an agent serves.

    When to use: the neutral baseline; what a shared inbox does by default.
    Cost: no channel or customer is favoured, so the channel with the tightest
    target (Twitter's hour against email's day) gets no help meeting it.
    """

    name = "fifo"
    summary = "first in, first out across all channels an agent serves"
