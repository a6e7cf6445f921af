"""Follower-weighted reputational exposure of one public contact, in follower-hours.

The model is documented on :class:`carebench.model.behaviour.Exposure`.
Besides the total, :func:`exposure_spells` gives the weighted intervals that
make up the exposure, so it can be shown over time.
"""

from __future__ import annotations

from carebench.engine.contact import Contact
from carebench.engine.sampling import UniformSource
from carebench.model.behaviour import Exposure
from carebench.util.units import HOUR

__all__ = ["exposure_spells"]


def exposure_spells(contact: Contact, until: float, params: Exposure, rng: UniformSource,
                    bumps: tuple[float, ...]) -> list[tuple[float, float, float]]:
    """Weighted intervals ``(start, end, audience)`` exposing ``contact`` until ``until``.

    The author's followers for the whole wait; each share's audience from
    the share's time on; each bump's author audience for ``bump_boost``.
    The total exposure is ``sum(audience × (end − start)) / 3600``.
    """
    start = contact.arrival
    wait = until - start
    if wait <= 0:
        return []
    f = contact.followers
    spells = [(start, until, f)] if f > 0 else []
    rate = params.share_rate_per_hour * (f / 1000.0) ** params.share_elasticity if f > 0 else 0.0
    if rate > 0 and params.share_audience > 0:
        for _ in range(rng.poisson(rate * wait / HOUR)):
            spells.append((start + rng.random() * wait, until, params.share_audience))
    if bumps and f > 0 and params.bump_boost > 0:  # most contacts never bump
        spells.extend((b, b + params.bump_boost, f) for b in bumps if b < until)
    return spells
