"""Follower-weighted priority: influencers first, within a bounded head start."""

from __future__ import annotations

import math

from pydantic import Field, StrictBool
from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy
from carebench.model.distributions import Duration
from carebench.policies.params import PARAMS

__all__ = ["FollowerWeighted"]


@dataclass(config=PARAMS)
class FollowerWeighted(PriorityPolicy):
    """Popular customers first: the "special efforts for popular users" of the seed articles.

    A contact earns a boost in seconds of waiting time: ``head_start`` when its
    author has at least ``threshold`` followers (``threshold: null`` switches
    the step off), plus ``weight_per_decade`` for every factor of ten in
    followers (a continuous weight: with ``weight_per_decade: 20m`` a customer
    with 100,000 followers is 20 minutes ahead of one with 10,000 and 80
    minutes ahead of one with 10). With ``aging: true`` (the default) the
    boost is a head start in the first-in-first-out order: a contact joins the
    queue as if it had arrived ``boost`` earlier, so an ordinary customer who
    has waited longer than the largest boost is served before any newcomer and
    nobody is starved however many influencers arrive. ``aging: false`` is
    strict priority: larger boosts always go first (first in, first out
    among equals).
    When to use: a brand that treats reach as risk and wants a popular user's
    complaint answered before it spreads.
    Cost: every ordinary customer waits a little longer; the KPIs
    ``frt_band.p50/p90.<band>`` (first-response time by follower band) show
    the price. With ``aging: false`` a stream of influencers can hold
    ordinary customers back indefinitely.
    """

    name = "follower_weighted"
    summary = "influencers first: a head start (or strict priority) by followers, threshold or per decade"
    threshold: float | None = Field(default=10_000.0, ge=0)
    head_start: Duration = "2h"  # type: ignore[assignment]
    weight_per_decade: Duration = "0s"  # type: ignore[assignment]
    aging: StrictBool = True

    def boost(self, followers: float) -> float:
        """Seconds of head start a contact whose author has ``followers`` followers gets."""
        boost = 0.0
        if self.threshold is not None and followers >= self.threshold:
            boost += self.head_start
        if self.weight_per_decade and followers > 1.0:
            boost += self.weight_per_decade * math.log10(followers)
        return boost

    def key(self, contact: ContactView) -> float | tuple[float, float]:
        """``queued_at - boost`` with aging; ``(-boost, queued_at)`` without."""
        boost = self.boost(contact.followers)
        return contact.queued_at - boost if self.aging else (-boost, contact.queued_at)
