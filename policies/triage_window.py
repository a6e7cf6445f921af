"""Triage window: posts that miss a window go to a backlog, worked when idle or in sweeps."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StrictBool
from pydantic.dataclasses import dataclass

from carebench.engine.interface import BacklogRule
from carebench.model.distributions import Duration
from carebench.policies.backlog import BacklogPolicy, age
from carebench.policies.params import PARAMS
from carebench.util.units import parse_clock

__all__ = ["TriageWindow", "ClockTime"]

ClockTime = Annotated[float, BeforeValidator(parse_clock)]
"""A clock time (``'08:00'``) held as seconds after midnight."""


@dataclass(config=PARAMS)
class TriageWindow(BacklogPolicy):
    """Work the fresh queue first; posts older than ``window`` wait in a backlog.

    On ``channels`` (default: every public channel) an unanswered post
    that has waited ``window`` moves to the backlog, worked oldest first
    only when no fresh work is waiting (``when_idle``) or during a sweep:
    every day from each clock time in ``sweep_at`` (the start of a shift,
    say) for ``sweep_for``, the backlog is served before fresh work.
    ``drop_after`` (optional) drops posts that old, never answered.
    Fresh work is first in, first out.
    When to use: a team with a response-time target that protects it by
    answering new posts while they can still be on time.
    Cost: posts that miss the window wait far longer than under first in,
    first out (the long tail real brands show); with ``when_idle: false``
    and no sweeps the backlog is never worked.
    """

    name = "triage_window"
    summary = "posts older than a window move to a backlog, served when idle or at daily sweeps"
    window: Duration = Field(default="1h", gt=0)  # type: ignore[assignment]
    sweep_at: tuple[ClockTime, ...] = ()
    sweep_for: Duration = Field(default="1h", gt=0, le=86400)  # type: ignore[assignment]
    when_idle: StrictBool = True
    drop_after: Duration | None = Field(default=None, gt=0)  # type: ignore[assignment]
    channels: tuple[str, ...] = ()

    def rule(self) -> BacklogRule:
        """The window, sweeps and optional drop age as a rule."""
        return BacklogRule(move_after=float(self.window), drop_after=age(self.drop_after), when_idle=self.when_idle,
                           sweeps=tuple((t % 86400, float(self.sweep_for)) for t in self.sweep_at))
