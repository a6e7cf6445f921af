"""Surge staffing: call in a reserve team when a queue, the oldest wait or the exposure crosses a line."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import Callout, StaffingContext, StaffingPolicy, SystemView
from carebench.model.distributions import Duration
from carebench.policies.params import PARAMS
from carebench.util.units import parse_duration

__all__ = ["Surge"]


@dataclass(config=PARAMS)
class Surge(StaffingPolicy):
    """The crisis plan: when a trigger fires, ``agents`` of the ``reserve`` pool join after a delay.

    Every ``check_every`` (5 minutes) the policy looks at the queues of
    ``channels`` (default: the reserve pool's channels) that are open (a
    queue that built up overnight while a channel was closed calls nobody
    in until the channel opens). ``trigger: queue``
    fires when at least ``threshold`` contacts are waiting in them together;
    ``oldest_wait`` when the longest current wait reaches ``threshold`` (a
    duration, e.g. ``45m``); ``exposure`` when the waiting public contacts'
    authors have ``threshold`` followers or more together (the audience
    watching unanswered complaints right now). Then ``agents`` of the
    ``reserve`` pool (e.g. marketing staff, as the SLA article suggests for
    hot-button issues) come on duty after ``call_in_delay`` and stay for
    ``duration``; the trigger is not checked again until ``cooldown`` after
    they leave. Every other pool, and the reserve's own shifts if it has
    any, follow the declared roster. The reserve pool needs the skills for
    the channels it should help (``pools.<reserve>.channels``) and
    ``shifts: []`` if it is normally off duty.
    When to use: a team with a crisis plan and people who can step in.
    Cost: the reserve's agent hours (``agent_hours.<reserve>``), only when
    the trigger fires; the call-in delay means the first hour of an incident
    is still met with the normal team.
    """

    name = "surge"
    summary = "call in a reserve pool for a while when a queue, the oldest wait or exposure passes a threshold"
    reserve: str
    threshold: float | str
    trigger: Literal["queue", "oldest_wait", "exposure"] = "queue"
    channels: tuple[str, ...] = ()
    agents: int = Field(default=2, ge=1)
    call_in_delay: Duration = "30m"  # type: ignore[assignment]
    duration: Duration = Field(default="4h", gt=0)  # type: ignore[assignment]
    cooldown: Duration = "0s"  # type: ignore[assignment]
    check_every: Duration = Field(default="5m", gt=0)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.limit()  # fail at construction on a threshold of the wrong kind

    @property
    def review_every(self) -> float:  # type: ignore[override]
        """Seconds between checks of the trigger."""
        return self.check_every

    def limit(self) -> float:
        """The threshold as a number: seconds for ``oldest_wait``, contacts or followers otherwise."""
        value = self.threshold
        if self.trigger == "oldest_wait":
            try:
                return parse_duration(value)
            except ValueError:
                raise ValueError(f"threshold: expected a duration such as '45m' for trigger "
                                 f"oldest_wait, got {value!r}") from None
        if isinstance(value, str) or not value >= 0:
            raise ValueError(f"threshold: expected a number >= 0 of "
                             f"{'contacts' if self.trigger == 'queue' else 'followers'}, got {value!r}")
        return float(value)

    def reset(self) -> None:
        """Forget past call-outs before a run."""
        object.__setattr__(self, "_ready_at", 0.0)
        object.__setattr__(self, "_watch", self.channels)

    def roster(self, context: StaffingContext) -> dict[str, list[tuple[float, int]]]:
        """The declared shifts; remembers the reserve's channels when ``channels`` is empty."""
        if not self.channels:
            object.__setattr__(self, "_watch", context.scenario.pools[self.reserve].channels)
        return super().roster(context)

    def measure(self, view: SystemView) -> float:
        """The trigger's current value over the watched channels that are open now."""
        names = getattr(self, "_watch", ()) or view.channels
        watched = [view.channels[c] for c in names if c in view.channels and view.channels[c].open]
        if self.trigger == "queue":
            return float(sum(c.waiting for c in watched))
        if self.trigger == "oldest_wait":
            return max((c.oldest_wait for c in watched), default=0.0)
        return float(sum(c.waiting_followers for c in watched))

    def review(self, view: SystemView) -> list[Callout]:
        """One call-out when the trigger fires and no surge is under way or cooling down."""
        if view.now < getattr(self, "_ready_at", 0.0) or self.measure(view) < self.limit():
            return []
        headcount = view.pools[self.reserve].headcount if self.reserve in view.pools else self.agents
        start = view.now + self.call_in_delay
        end = start + self.duration
        object.__setattr__(self, "_ready_at", end + self.cooldown)
        return [Callout(self.reserve, min(self.agents, headcount), start, end)]

    def pools_used(self) -> tuple[str, ...]:
        """The reserve pool."""
        return (self.reserve,)

    def channels_used(self) -> tuple[str, ...]:
        """The channels watched."""
        return self.channels
