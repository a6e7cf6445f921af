"""Deflect complex: move complex public contacts to a private channel after a short reply."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import ANSWER, Action, ContactView, FirstReply
from carebench.model.distributions import Duration
from carebench.policies.compose import ActionPolicy
from carebench.policies.params import PARAMS

__all__ = ["DeflectComplex"]


@dataclass(config=PARAMS)
class DeflectComplex(ActionPolicy):
    """"Please DM us / call us / email us": complex cases leave the public timeline.

    On ``channels`` (default: every public channel) a contact that needs more
    than one agent reply (``complex``: a conversation, under the scenario's
    ``behaviour.conversation``) gets a short first reply taking
    ``reply_time`` that moves it to channel ``to`` (e.g. ``email``, ``phone``,
    a private DM channel) or to a knowledge-base ``link``, as Plusnet and
    Virgin Media do in the seed articles. The reply counts as the first
    response (SLA clock and exposure stop); the customer then re-contacts on
    the private channel after their reply delay and every exchange the case
    needs happens there, in that channel's queue and by the agents skilled
    for it. A link resolves it unless it fails
    (``behaviour.deflection.link_failure_share``), when the customer comes
    back later on the same channel. Simple contacts are answered normally.
    The queue is ordered by ``order`` (``fifo`` by default; see "Composing").
    When to use: a public team that wants sensitive or long cases (account
    details, faults) off the timeline and off its own desk.
    Cost: each deflection adds ``behaviour.churn.per_deflection`` churn risk
    (the customer has to repeat themselves elsewhere) and the receiving
    channel's load and wait; links often do not help.
    """

    name = "deflect_complex"
    summary = "complex public contacts get a short reply moving them to a private channel or a link"
    to: str = "link"
    channels: tuple[str, ...] = ()
    reply_time: Duration = Field(default="1m", gt=0)  # type: ignore[assignment]
    order: str = "fifo"

    def first_reply(self, contact: ContactView) -> FirstReply:
        """A deflection for complex contacts on the chosen channels; a normal answer otherwise."""
        chosen = contact.channel in self.channels if self.channels else contact.public
        if chosen and contact.complex and contact.channel != self.to:
            return FirstReply(Action.DEFLECT, to=self.to, work=self.reply_time)
        return ANSWER

    def channels_used(self) -> tuple[str, ...]:
        """The channels deflected from and the channel deflected to (``link`` is not a channel)."""
        return (*self.channels, self.to)
