"""The policy interface: what a policy sees, and the few methods it may implement.

Policies never see the engine. A priority policy gets one waiting contact at a
time (a read-only :class:`ContactView`) and returns a sort key; a staffing
policy gets a :class:`StaffingContext` once (the scenario and its forecast)
and, if it reviews, a :class:`SystemView` snapshot at regular intervals.
Constructors only store parameters (policies are dataclasses whose fields are
their scenario parameters), so a policy is cheap to copy, compare and sweep.

Whatever a policy returns is checked where it enters the engine
(:mod:`carebench.engine.boundary`, :mod:`carebench.engine.operations`): a
value the engine cannot use stops the run with one :class:`PolicyError` that
names the policy, the value and the simulated time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from carebench.engine.roster import shift_roster
from carebench.model.kinds import KIND_NAMES, URGENCY_NAMES, Action, Kind, Urgency
from carebench.util.errors import UserError

__all__ = [
    "ContactView",
    "FirstReply",
    "ANSWER",
    "BacklogRule",
    "PriorityPolicy",
    "StaffingContext",
    "StaffingPolicy",
    "Callout",
    "ChannelStateView",
    "PoolStateView",
    "SystemView",
    "URGENCY_NAMES",
    "KIND_NAMES",
    "Action",
    "Kind",
    "Urgency",
    "PolicyError",
]


class PolicyError(UserError, ValueError):
    """A policy that cannot be built from its parameters, or that returned something the engine cannot use.

    The message is one line naming the place (``policies.params.<name>...``)
    or the policy, the value and the simulated time; the command line prints
    it and exits with code 2.
    """


class ContactView(Protocol):
    """What a priority policy may read about one waiting contact (never write).

    Times are seconds from the run start. ``id`` increases with arrival order
    and breaks ties. ``channel`` is the queue the contact is in now (a
    deflected contact moves); ``public`` whether that channel is public.
    ``queued_at`` is when it joined the queue this time, so its age is
    ``now - queued_at`` (and ``now - arrival`` since it first arrived).
    ``sla`` is the first-response target of the channel it arrived on;
    ``expected_handle`` that channel's mean handle time (what a team can
    estimate before reading the contact). ``followers`` is the author's
    follower count; ``kind`` is a :class:`Kind` code (0 complaint, 1 question)
    and ``urgency`` an :class:`Urgency` code (0 normal, 1 high, 2 crisis). ``responded`` is true
    once a human agent has replied (the contact is back for a follow-up or
    for resolution), ``replied_at`` the time of that first human reply (None
    before). ``bot`` is true when an automatic acknowledgement stopped its
    SLA clock at arrival (it still waits for a human). ``exchanges`` counts
    agent replies so far, ``deflections`` moves to another channel or a link,
    ``complex`` whether it needs more than one agent reply to resolve.
    """

    id: int
    channel: str
    public: bool
    arrival: float
    queued_at: float
    sla: float
    expected_handle: float
    followers: float
    kind: int
    urgency: int
    responded: bool
    replied_at: float | None
    bot: bool
    exchanges: int
    deflections: int
    complex: bool


@dataclass(frozen=True)
class FirstReply:
    """How an agent's first reply to a contact goes.

    ``action`` is an :class:`Action` or its word: ``'answer'`` (a normal
    reply), ``'acknowledge'`` (a quick personal acknowledgement taking
    ``work`` seconds; the contact then queues again for resolution), or
    ``'deflect'`` (move it to channel ``to``, or to a knowledge-base link when
    ``to`` is ``'link'``, after a reply taking ``work`` seconds). Anything else
    is refused here, so a misspelt action cannot quietly act as another one.
    """

    action: Action = Action.ANSWER
    to: str = ""
    work: float = 0.0

    def __post_init__(self) -> None:
        if self.action.__class__ is not Action:
            try:
                object.__setattr__(self, "action", Action(self.action))
            except (ValueError, TypeError):
                raise PolicyError(f"FirstReply.action: expected one of {', '.join(repr(a.value) for a in Action)}, "
                                  f"got {self.action!r}") from None
        if not isinstance(self.work, (int, float)) or not 0 <= self.work < math.inf:
            raise PolicyError(f"FirstReply.work: expected finite seconds >= 0, got {self.work!r}")
        if self.action is Action.DEFLECT and not (isinstance(self.to, str) and self.to):
            raise PolicyError(f"FirstReply.to: a deflection needs a channel name or 'link', got {self.to!r}")


ANSWER = FirstReply()
"""The plain first reply: a normal answer taking the contact's own handle time."""


@dataclass(frozen=True)
class BacklogRule:
    """How one channel's old, still unanswered posts are handled (a backlog regime).

    Ages are seconds since the contact arrived; follow-ups of contacts
    already answered are never moved or dropped.

    ``move_after``: an unanswered post this old leaves the fresh queue for
    the backlog, which is worked oldest first and only when no fresh work
    is waiting (``when_idle``) or during a sweep. ``sweeps``: daily
    ``(start, duration)`` windows in seconds after midnight during which
    the backlog is served before fresh work (the start of a shift, say).
    ``drop_after``: an unanswered post this old is never answered; it
    leaves the queue as ``dropped`` (not ``abandoned``). Infinity means
    never.
    """

    move_after: float = math.inf
    drop_after: float = math.inf
    when_idle: bool = True
    sweeps: tuple[tuple[float, float], ...] = ()

    def __post_init__(self):
        if not (self.move_after > 0 and self.drop_after > 0):
            raise PolicyError(f"BacklogRule: expected positive ages, got move_after={self.move_after!r}, "
                             f"drop_after={self.drop_after!r}")
        for start, duration in self.sweeps:
            if not (0 <= start < 86400 and 0 < duration <= 86400):
                raise PolicyError(f"BacklogRule: expected sweeps as (clock seconds in [0, 86400), duration in "
                                 f"(0, 1 day]), got {(start, duration)!r}")

    @property
    def tiered(self) -> bool:
        """Whether posts ever move to a backlog."""
        return self.move_after < math.inf


class PriorityPolicy:
    """Decides the order in which waiting contacts are taken.

    Subclasses are dataclasses; their fields are the policy's parameters. The
    one required method is :meth:`key`. Optional hooks default to the plain
    behaviour: every first reply is an answer, no triage time, no bot.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def key(self, contact: ContactView) -> Any:
        """A sort key fixed when the contact joins a queue; smaller keys are served first.

        A key is a number (never NaN), a string, or a tuple of these, and every
        key of a run must be comparable with every other: keys of contacts on
        different channels are compared when an agent skilled for several
        channels picks the next contact, so use one scale. The engine checks
        each key as it enters a queue and stops with a :class:`PolicyError`
        otherwise.
        Ties are broken by arrival order by the engine. A term that grows at
        the same rate for every waiting contact (aging) is written as a
        function of ``queued_at``, which keeps the key fixed.
        """
        return contact.queued_at

    def first_reply(self, contact: ContactView) -> FirstReply:
        """How the first human reply to ``contact`` goes (default: a normal answer)."""
        return ANSWER

    def triage_seconds(self, contact: ContactView) -> float:
        """Extra agent seconds spent assessing a contact, added to its first human reply."""
        return 0.0

    def auto_acknowledge(self, contact: ContactView) -> bool:
        """Whether a bot acknowledges ``contact`` the moment it arrives (stops its SLA clock only)."""
        return False

    def backlog(self, channel: str, public: bool) -> BacklogRule | None:
        """The backlog regime of ``channel`` (asked once per run; None: a plain queue).

        ``public`` says whether the channel is public (Twitter, Facebook).
        """
        return None

    def channels_used(self) -> tuple[str, ...]:
        """Channel names this policy's parameters refer to (checked against the scenario)."""
        return ()

    def uses(self, hook: str) -> bool:
        """Whether ``hook`` (``'first_reply'``, ``'triage_seconds'``, ``'auto_acknowledge'``, ``'backlog'``) does anything.

        The engine skips hooks a policy leaves at their default, so a plain
        ordering policy costs nothing beyond its key.
        """
        return getattr(type(self), hook) is not getattr(PriorityPolicy, hook)


@dataclass(frozen=True)
class StaffingContext:
    """What a staffing policy may read when it plans the roster.

    ``scenario`` is the validated scenario (read-only); ``rate(channel, t)``
    the expected arrival rate per second at ``t`` (profiles, incidents and load
    shapes included); ``end`` the end of the run in seconds.
    """

    scenario: Any
    rate: Callable[[str, float], float]
    end: float


@dataclass(frozen=True)
class Callout:
    """Extra agents of ``pool`` on duty from ``start`` until ``end`` (seconds)."""

    pool: str
    agents: int
    start: float
    end: float


@dataclass(frozen=True)
class ChannelStateView:
    """A channel's queue at one instant."""

    waiting: int
    oldest_wait: float
    waiting_followers: float
    open: bool


@dataclass(frozen=True)
class PoolStateView:
    """A pool's agents at one instant."""

    headcount: int
    on_duty: int
    busy: int


@dataclass(frozen=True)
class SystemView:
    """A read-only snapshot given to reviewing staffing policies."""

    now: float
    channels: Mapping[str, ChannelStateView] = field(default_factory=dict)
    pools: Mapping[str, PoolStateView] = field(default_factory=dict)


class StaffingPolicy:
    """Decides how many agents of each pool are on duty when.

    :meth:`roster` returns, per pool, a step function as sorted ``(time,
    agents)`` pairs. A policy that reacts to the queue sets ``review_every``
    (seconds) and implements :meth:`review`, returning call-outs. The engine
    clips everything to ``[0, pool size]``.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    review_every: ClassVar[float | None] = None

    def roster(self, context: StaffingContext) -> dict[str, list[tuple[float, int]]]:
        """Agents on duty per pool over time, from each pool's declared shifts and breaks."""
        return shift_roster(context.scenario, context.end)

    def review(self, view: SystemView) -> list[Callout]:
        """Extra agents to call in given the state now (default: none)."""
        return []

    def reset(self) -> None:
        """Forget any state kept between reviews (called before every run)."""

    def pools_used(self) -> tuple[str, ...]:
        """Pool names this policy's parameters refer to (checked against the scenario)."""
        return ()

    def channels_used(self) -> tuple[str, ...]:
        """Channel names this policy's parameters refer to (checked against the scenario)."""
        return ()
