"""What the backlog regimes share: which channels they apply to, and their daily sweeps.

The regimes themselves (:mod:`~carebench.policies.newest_first`,
:mod:`~carebench.policies.triage_window`, :mod:`~carebench.policies.drop_after`,
:mod:`~carebench.policies.fresh_first`) are ordering policies: they can be the
``order`` of an action policy such as ``deflect_complex``. None of them changes
who arrives when; they change who is answered when (common random numbers).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from carebench.engine.interface import BacklogRule, PriorityPolicy

__all__ = ["BacklogPolicy"]


class BacklogPolicy(PriorityPolicy, ABC):
    """Base of the backlog regimes: ``channels`` (default: every public channel) and a rule per channel."""

    channels: tuple[str, ...]

    def applies(self, channel: str, public: bool) -> bool:
        """Whether the regime governs ``channel``."""
        return channel in self.channels if self.channels else public

    @abstractmethod
    def rule(self) -> BacklogRule:
        """The regime's rule for a channel it governs (each regime defines it)."""

    def backlog(self, channel: str, public: bool) -> BacklogRule | None:
        """The regime's rule on the channels it governs; a plain queue elsewhere."""
        return self.rule() if self.applies(channel, public) else None

    def channels_used(self) -> tuple[str, ...]:
        """The channels named in ``channels``."""
        return tuple(self.channels)


def age(value: float | None) -> float:
    """An optional age parameter as seconds (None: never)."""
    return math.inf if value is None else float(value)
