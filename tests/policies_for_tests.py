"""Policies used only by the tests (loaded by import path with the explicit opt-in)."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, FirstReply, PriorityPolicy
from carebench.policies.params import PARAMS

__all__ = ["DeflectEverything"]


@dataclass(config=PARAMS)
class DeflectEverything(PriorityPolicy):
    """Deflects every public contact to ``to`` with a one-minute first reply (FIFO order)."""

    name = "deflect_everything"
    summary = "test policy: deflect every public contact"
    to: str = "dm"

    def first_reply(self, contact: ContactView) -> FirstReply:
        """Deflect public contacts; answer the rest."""
        return FirstReply("deflect", to=self.to, work=60.0) if contact.public else FirstReply()
