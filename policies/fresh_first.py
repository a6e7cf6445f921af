"""Fresh first with a daily sweep: newest posts first, missed ones swept once a day."""

from __future__ import annotations

from pydantic import Field, StrictBool
from pydantic.dataclasses import dataclass

from carebench.engine.interface import BacklogRule, ContactView
from carebench.model.distributions import Duration
from carebench.policies.backlog import BacklogPolicy, age
from carebench.policies.params import PARAMS
from carebench.policies.triage_window import ClockTime

__all__ = ["FreshFirst"]


@dataclass(config=PARAMS)
class FreshFirst(BacklogPolicy):
    """The combination real social teams run: newest first while fresh, a backlog swept once a day.

    On ``channels`` (default: every public channel) posts younger than
    ``window`` are answered newest first (the top of the timeline); an
    unanswered post older than that moves to a backlog that is worked,
    oldest first, during the daily sweep from each time in ``sweep_at``
    for ``sweep_for`` (the first hour of the morning shift by default),
    and otherwise only when no fresh work waits if ``when_idle``.
    ``drop_after`` (optional) drops posts that old. Other channels are
    first in, first out. See docs/public-channels.md for why the default
    scenario uses it.
    When to use: a team that keeps its timeline fresh during the day and
    clears yesterday's leftovers at the start of the next one.
    Cost: a post that misses the window is answered at the next sweep, a
    day later if the sweep does not clear it; those customers have mostly
    given up (on a channel with ``after_give_up: stay`` the post is still
    answered, late, and still exposed until then).
    """

    name = "fresh_first"
    summary = "newest first while fresh; older posts to a backlog swept daily (and when idle)"
    window: Duration = Field(default="1h", gt=0)  # type: ignore[assignment]
    sweep_at: tuple[ClockTime, ...] = ("08:00",)  # type: ignore[assignment]
    sweep_for: Duration = Field(default="1h", gt=0, le=86400)  # type: ignore[assignment]
    when_idle: StrictBool = False
    drop_after: Duration | None = Field(default=None, gt=0)  # type: ignore[assignment]
    channels: tuple[str, ...] = ()

    def key(self, contact: ContactView) -> float:
        """Newest first on the chosen channels, first in, first out elsewhere."""
        return -contact.queued_at if self.applies(contact.channel, contact.public) else contact.queued_at

    def rule(self) -> BacklogRule:
        """The window, the daily sweeps and the optional drop age as a rule."""
        return BacklogRule(move_after=float(self.window), drop_after=age(self.drop_after), when_idle=self.when_idle,
                           sweeps=tuple((t % 86400, float(self.sweep_for)) for t in self.sweep_at))
