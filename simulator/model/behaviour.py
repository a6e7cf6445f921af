"""Scenario blocks for customer behaviour on social and traditional channels.

Each dynamic behaviour (conversations, bumps, switching, virality, peer
answers, deflection costs) is *off* unless its block is present in the
scenario's ``behaviour:`` section; a present block is on with the documented
defaults below. With no behaviour block at all a scenario is the plain queue
of the foundation. Exposure and churn are measures that change nothing in the
simulation; their parameters are always in force.

Defaults and where they come from are listed in the README ("Social
dynamics"); docstrings here say what each number means.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from carebench.model.distributions import Duration, NonNegative, Positive, TimeDist

__all__ = [
    "ContactMix",
    "UrgencyMix",
    "Conversation",
    "Exposure",
    "Bumps",
    "Switching",
    "Virality",
    "PeerAnswers",
    "Deflection",
    "Churn",
    "Behaviour",
]

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class _Switch(_Block):
    """A behaviour block that can be switched off with ``enabled: false``."""

    enabled: StrictBool = True


class _Mix(_Block):
    """Shares that must add up to one."""

    @model_validator(mode="after")
    def _sums_to_one(self):
        total = sum(getattr(self, f) for f in type(self).model_fields)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"expected shares that add up to 1, got {total:g}")
        return self


class ContactMix(_Mix):
    """What arrives on a channel: complaints and questions need a reply; mentions do not.

    Mentions (casual mentions, praise) are counted but never queued and never an SLA miss.
    """

    complaint: Share = 1.0
    question: Share = 0.0
    mention: Share = 0.0


class UrgencyMix(_Mix):
    """How urgent the contacts needing a reply are (triage policies act on it)."""

    normal: Share = 1.0
    high: Share = 0.0
    crisis: Share = 0.0


class Conversation(_Switch):
    """A contact as a conversation: the first reply stops the SLA clock; more exchanges may follow.

    After each agent reply the contact is resolved with probability
    ``resolve_per_reply`` (``resolve_on_first_reply`` for the first one); if not,
    the customer answers after ``customer_reply`` and the contact queues again
    for a follow-up taking ``followup_handle_factor`` × the channel's handle time.
    ``max_exchanges`` agent replies resolve it at the latest. ``channels``
    limits conversations to the listed channels (default: every channel).
    """

    channels: tuple[str, ...] | None = None
    resolve_on_first_reply: Share = 0.6
    resolve_per_reply: Share = 0.7
    customer_reply: TimeDist = Field(default_factory=lambda: {"dist": "lognormal", "mean": "40m", "cv": 1.5})  # type: ignore[arg-type]
    followup_handle_factor: Positive = 0.6
    max_exchanges: int = Field(default=8, ge=1, le=100)


class Exposure(_Block):
    """Follower-weighted reputational exposure of public contacts, in follower-hours.

    A public contact exposes its author's followers for every hour it waits for a
    first response (``until: resolution`` extends that to resolution). While it
    waits it is shared at ``share_rate_per_hour × (followers / 1000) ** share_elasticity``
    per hour, each share adding an audience of ``share_audience`` followers for the
    rest of the wait. Each bump re-exposes the author's followers for ``bump_boost``.
    """

    until: Literal["first_response", "resolution"] = "first_response"
    share_rate_per_hour: NonNegative = 0.02
    share_elasticity: NonNegative = 0.5
    share_audience: NonNegative = 300.0
    bump_boost: Duration = "1h"  # type: ignore[assignment]


class Bumps(_Switch):
    """Customers waiting on a public channel post again ("bump"), then give up.

    A share ``share_who_bump`` of authors bump at all; their first and further
    bumps come after ``interval`` each. After ``max_bumps`` bumps and one more
    interval, or after ``give_up_after`` in total, the customer gives up on the
    channel (counted as abandoned). The defaults match answered Twitter care
    threads: about 4 % of contacts answered within 1 h and about 16 % of those
    answered after 24 h had a bump before the answer (see README).
    """

    share_who_bump: Share = 0.16
    interval: TimeDist = Field(default_factory=lambda: {"dist": "lognormal", "mean": "77m", "cv": 2.9})  # type: ignore[arg-type]
    max_bumps: int = Field(default=3, ge=0, le=50)
    give_up_after: Duration = Field(default="3d", gt=0)


class Switching(_Switch):
    """Customers who abandon a channel (or give up on social) may retry on another one.

    ``share`` of them retry after ``delay`` on a channel drawn from ``to``
    (weights by channel name; the channel they left is never chosen), entering
    that channel's queue as a new contact of the same customer.
    """

    share: Share = 0.3
    to: dict[str, NonNegative] = Field(min_length=1)
    delay: TimeDist = Field(default_factory=lambda: {"dist": "exponential", "mean": "20m"})  # type: ignore[arg-type]


class Virality(_Switch):
    """Unanswered public complaints trigger further complaints (a self-exciting process).

    Each public complaint spawns on average ``branching_ratio × (followers /
    1000) ** follower_elasticity`` further complaints (just ``branching_ratio``
    with the default elasticity 0), each after an exponential delay of mean
    ``delay``, but only those falling while the parent is still unanswered
    materialise — so a slow response makes an incident bigger.
    ``max_generations`` and ``max_total`` cap the cascade. A branching ratio
    below 1 keeps the process from exploding; with a positive elasticity a
    popular author can spawn many more, and the caps keep that bounded.
    """

    branching_ratio: Annotated[float, Field(ge=0, lt=1)] = 0.3
    follower_elasticity: Annotated[float, Field(ge=0, le=2)] = 0.0
    delay: Duration = Field(default="2h", gt=0)
    max_generations: int = Field(default=3, ge=1, le=20)
    max_total: int = Field(default=100_000, ge=0)


class PeerAnswers(_Switch):
    """Other customers answer some public questions before an agent does.

    A share ``share`` of public questions gets a peer answer after ``delay``;
    if no agent has replied by then, the question leaves the queue as
    peer-answered (counted, not a brand response, not an SLA miss).
    """

    share: Share = 0.15
    delay: TimeDist = Field(default_factory=lambda: {"dist": "exponential", "mean": "2h"})  # type: ignore[arg-type]


class Deflection(_Switch):
    """What moving a public contact elsewhere costs (the policy decides when to do it).

    A knowledge-base link fails to resolve for ``link_failure_share`` of customers,
    who come back after ``link_return_delay`` as a follow-up on the same channel.
    """

    link_failure_share: Share = 0.5
    link_return_delay: TimeDist = Field(default_factory=lambda: {"dist": "exponential", "mean": "3h"})  # type: ignore[arg-type]


class Churn(_Block):
    """Probability that a customer switches provider because of how the contact went.

    ``p = baseline + (ignored − baseline) × h(w)`` with ``w`` the time to the
    first human reply over the channel's SLA target (a bot's acknowledgement
    does not count here) and ``h(w) = 1 − exp(−(w − 1) / tolerance)``
    for ``w > 1`` (0 otherwise); a contact never answered (abandoned, given up,
    still waiting at the end) has ``h = 1``. Each bump adds ``per_bump``, each
    deflection ``per_deflection``, an automatic acknowledgement ``per_bot_reply``,
    having had to try another channel ``per_channel_switch``, and being
    answered but left unresolved at the end ``unresolved``; the result is capped
    at ``cap``. ``ignored = 0.33``: about one in three customers switch when ignored.
    """

    baseline: Share = 0.02
    ignored: Share = 0.33
    tolerance: Positive = 12.0
    per_bump: Share = 0.03
    per_deflection: Share = 0.03
    per_bot_reply: Share = 0.02
    per_channel_switch: Share = 0.05
    unresolved: Share = 0.05
    cap: Share = 0.6


_SWITCHABLE = ("conversation", "bumps", "switching", "virality", "peer_answers", "deflection")


class Behaviour(_Block):
    """Which behaviours are on (present blocks) and the outcome measures' parameters.

    A dynamic behaviour's block may carry ``enabled: false`` to switch it off
    while keeping its parameters in the file; it then counts as absent.
    """

    conversation: Conversation | None = None
    bumps: Bumps | None = None
    switching: Switching | None = None
    virality: Virality | None = None
    peer_answers: PeerAnswers | None = None
    deflection: Deflection | None = None
    exposure: Exposure = Exposure()
    churn: Churn = Churn()

    @model_validator(mode="before")
    @classmethod
    def _drop_disabled(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            for name in _SWITCHABLE:
                block = data.get(name)
                if isinstance(block, dict) and block.get("enabled") is False:
                    data[name] = None
        return data

    def reference_problems(self, channels: dict):
        """Yield one message per channel name this block refers to that the scenario lacks."""
        if self.conversation is not None:
            for name in self.conversation.channels or ():
                if name not in channels:
                    yield (
                        f"behaviour.conversation.channels: unknown channel {name!r}, "
                        f"expected one of {sorted(channels)}"
                    )
        if self.switching is not None:
            for name in self.switching.to:
                if name not in channels:
                    yield (
                        f"behaviour.switching.to: unknown channel {name!r}, "
                        f"expected one of {sorted(channels)}"
                    )

    @property
    def plain(self) -> bool:
        """True when no dynamic behaviour is on (the plain queue)."""
        return all(getattr(self, name) is None for name in _SWITCHABLE)
