"""Drop after: posts unanswered for longer than a limit are never answered."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import BacklogRule
from carebench.model.distributions import Duration
from carebench.policies.backlog import BacklogPolicy
from carebench.policies.params import PARAMS

__all__ = ["DropAfter"]


@dataclass(config=PARAMS)
class DropAfter(BacklogPolicy):
    """First in, first out, but a post unanswered ``after`` this long is never answered.

    On ``channels`` (default: every public channel) an unanswered post
    whose age passes ``after`` leaves the queue, counted as ``dropped``
    (not ``abandoned``: the customer did not leave, the brand let it go);
    it stays public, so its exposure runs on to the channel's
    ``expire_after`` or the end of the run. Follow-ups of answered
    contacts are never dropped. This is how a brand can answer only part
    of its tweets (BDRC found BT answering 63 %): Monday's team does not
    go back through the weekend.
    When to use: a team that would rather answer today's posts on time
    than yesterday's late.
    Cost: every dropped post is an ignored customer (churn as ignored) and
    keeps its audience; the SLA counts it as missed.
    """

    name = "drop_after"
    summary = "first in, first out; unanswered posts older than a limit are dropped, never answered"
    after: Duration = Field(default="24h", gt=0)  # type: ignore[assignment]
    channels: tuple[str, ...] = ()

    def rule(self) -> BacklogRule:
        """Drop at ``after``."""
        return BacklogRule(drop_after=float(self.after))
