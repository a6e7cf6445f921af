"""Policies that return what the engine must refuse (loaded by import path with the explicit opt-in).

Each misbehaves only after the run is under way (from the contact with id
``after``), so the engine has already accepted good values from it: the
refusal is about the bad value, not about a first call.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic.dataclasses import dataclass

from carebench.engine.interface import Action, Callout, ContactView, FirstReply, PriorityPolicy, StaffingPolicy
from carebench.policies.params import PARAMS

__all__ = ["NanKey", "TextKey", "TupleNanKey", "Misspelt", "NegativeTriage", "FixedReply", "LateCallout", "BackwardsReviews"]


@dataclass(config=PARAMS)
class NanKey(PriorityPolicy):
    """First in, first out, until contact ``after`` gets a NaN key."""

    name = "nan_key"
    after: int = 5

    def key(self, contact: ContactView) -> Any:
        return math.nan if contact.id == self.after else contact.queued_at


@dataclass(config=PARAMS)
class TextKey(PriorityPolicy):
    """Float keys, and a string for contact ``after`` (cannot be compared with a float)."""

    name = "text_key"
    after: int = 5

    def key(self, contact: ContactView) -> Any:
        return "urgent" if contact.id == self.after else contact.queued_at


@dataclass(config=PARAMS)
class TupleNanKey(PriorityPolicy):
    """Tuple keys, with a NaN inside the tuple for contact ``after``."""

    name = "tuple_nan_key"
    after: int = 5

    def key(self, contact: ContactView) -> Any:
        return (0, math.nan if contact.id == self.after else contact.queued_at)


@dataclass(config=PARAMS)
class Misspelt(PriorityPolicy):
    """Deflects public contacts with an action word that does not exist."""

    name = "misspelt"
    action: str = "deflekt"

    def first_reply(self, contact: ContactView) -> FirstReply:
        return FirstReply(self.action, to="email", work=60.0) if contact.public else FirstReply()


@dataclass(config=PARAMS)
class NegativeTriage(PriorityPolicy):
    """A triage time that runs the clock backwards."""

    name = "negative_triage"
    seconds: float = -5.0

    def triage_seconds(self, contact: ContactView) -> float:
        return self.seconds


@dataclass(config=PARAMS)
class FixedReply(PriorityPolicy):
    """Every public first reply is ``action`` (a typed parameter: refused when the scenario is loaded)."""

    name = "fixed_reply"
    action: Action = Action.ANSWER
    to: str = "email"

    def first_reply(self, contact: ContactView) -> FirstReply:
        return FirstReply(self.action, to=self.to, work=60.0) if contact.public else FirstReply()


class BackwardsReviews(StaffingPolicy):
    """Reviews the queue every minus one minute."""

    name = "backwards_reviews"
    review_every = -60.0


class LateCallout(StaffingPolicy):
    """Calls one agent in for a spell that starts before it is asked for (in the past)."""

    name = "late_callout"
    review_every = 3600.0

    def review(self, view):
        return [Callout(pool="agents", agents=1, start=view.now - 60.0, end=view.now + 600.0)]
