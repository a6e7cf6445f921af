"""Auto-acknowledgement bot: an instant automatic reply on chosen channels."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView
from carebench.policies.compose import ActionPolicy
from carebench.policies.params import PARAMS

__all__ = ["AutoAckBot"]


@dataclass(config=PARAMS)
class AutoAckBot(ActionPolicy):
    """A bot replies to every new contact on ``channels`` the moment it arrives.

    ("Thanks for your message, an agent will be with you shortly.") The bot's
    reply stops the SLA clock at arrival, so ``sla.<ch>`` on those channels
    goes to about 100 %. Nothing else changes: the contact waits for a human
    like before, stays publicly exposed until the first human reply, may bump
    and give up, and its churn risk is judged on the wait for the human reply
    plus ``behaviour.churn.per_bot_reply`` (customers dislike canned replies;
    default 0.02 per contact). ``channels`` defaults to every public channel.
    The queue is ordered by ``order`` (``fifo`` by default; see "Composing").
    When to use: a team whose SLA is defined as "any response"; to see how
    much of an SLA figure is a bot.
    Cost: ``churn.expected`` rises by about ``per_bot_reply`` per
    acknowledged contact while exposure and real waiting time stay as they
    were — an SLA that looks perfect and customers who are not happier.
    """

    name = "auto_ack_bot"
    summary = "an instant automatic reply stops the SLA clock; the customer still waits for a human"
    channels: tuple[str, ...] = ()
    order: str = "fifo"

    def auto_acknowledge(self, contact: ContactView) -> bool:
        """True for every contact on the chosen channels (default: public ones)."""
        return contact.channel in self.channels if self.channels else contact.public

    def channels_used(self) -> tuple[str, ...]:
        """The channels the bot answers on."""
        return self.channels
