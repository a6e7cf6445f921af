"""Newest first: the freshest post goes first (last in, first out), optionally dropping old ones."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import BacklogRule, ContactView
from carebench.model.distributions import Duration
from carebench.policies.backlog import BacklogPolicy, age
from carebench.policies.params import PARAMS

__all__ = ["NewestFirst"]


@dataclass(config=PARAMS)
class NewestFirst(BacklogPolicy):
    """Last in, first out on ``channels`` (default: every public channel); first in, first out elsewhere.

    A social team scrolling its mentions from the top answers the newest
    post first: whoever tweets now gets a fast answer, and a post that
    slipped down the timeline waits until the team runs out of newer
    ones. ``max_age`` (optional) is the age cap: an unanswered post older
    than that is never answered (counted as ``dropped``).
    When to use: a team judged on its median or its share within an hour,
    or one that reads the timeline rather than a ticket queue.
    Cost: the wait of an unlucky post is unbounded in a busy spell, so the
    tail (p99, share answered after a day) is long and the oldest
    complaints, the angriest ones, wait longest; in a pool shared with
    first-in-first-out channels, keys are compared on one scale, so the
    newest-first channels are taken before the others.
    """

    name = "newest_first"
    summary = "last in, first out on public channels, with an optional age cap that drops old posts"
    max_age: Duration | None = Field(default=None, gt=0)  # type: ignore[assignment]
    channels: tuple[str, ...] = ()

    def key(self, contact: ContactView) -> float:
        """Minus the time the contact joined the queue on the chosen channels (newest first); that time elsewhere."""
        chosen = contact.channel in self.channels if self.channels else contact.public
        return -contact.queued_at if chosen else contact.queued_at

    def rule(self) -> BacklogRule:
        """No backlog tier; the age cap as a drop-after age."""
        return BacklogRule(drop_after=age(self.max_age))

    def backlog(self, channel: str, public: bool) -> BacklogRule | None:
        """A drop-after rule on the chosen channels when there is an age cap; a plain queue otherwise."""
        return None if self.max_age is None else super().backlog(channel, public)
