"""Priority policies used only by the study tests (loaded by import path with the explicit opt-in)."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy
from carebench.policies.params import PARAMS

__all__ = ["AcknowledgeEverything", "FollowersFirst"]


@dataclass(config=PARAMS)
class AcknowledgeEverything(PriorityPolicy):
    """A bot acknowledges every contact on arrival; agents then answer first in, first out."""

    name = "acknowledge_everything"
    summary = "test policy: a bot acknowledges every contact"

    def auto_acknowledge(self, contact: ContactView) -> bool:
        """Always."""
        return True


@dataclass(config=PARAMS)
class FollowersFirst(PriorityPolicy):
    """The contact with the most followers goes first (ties: first in, first out)."""

    name = "followers_first"
    summary = "test policy: most followers first"

    def key(self, contact: ContactView) -> tuple[float, float]:
        """(minus the followers, time queued)."""
        return -contact.followers, contact.queued_at
