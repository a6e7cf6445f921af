"""Churn risk: the probability that a customer switches provider after a contact.

The model is documented on :class:`carebench.model.behaviour.Churn`. It is
evaluated for a whole batch of finished contacts at once (numpy), from the
columns of the per-contact record.
"""

from __future__ import annotations

import numpy as np

from carebench.model.behaviour import Churn
from carebench.model.kinds import Outcome

__all__ = ["churn_probability", "bumps_before"]


def churn_probability(cols: dict[str, np.ndarray], sla: np.ndarray, params: Churn) -> np.ndarray:
    """Churn probability of each contact in a batch of records.

    ``cols`` holds the record columns (``arrival``, ``first_response``,
    ``replied_at``, ``outcome``, ``bumps``, ``deflections``, ``bot``,
    ``retry_of``, ``switched``); ``sla`` each contact's first-response target
    in seconds. Lateness is judged on the first *human* reply (``replied_at``):
    a bot's acknowledgement stops the SLA clock but not the customer's wait,
    and adds ``per_bot_reply`` on top.
    A customer who gave up counts as ignored even when the post that stayed
    queued was answered later (``gave_up_at``), as do dropped and expired posts.
    Mentions carry no risk; a customer who went on to retry on another
    channel (``switched``) carries the risk on the retry, not here.
    """
    outcome = cols["outcome"]
    ignored = np.isin(outcome, (Outcome.ABANDONED, Outcome.GAVE_UP, Outcome.WAITING, Outcome.DROPPED,
                                Outcome.EXPIRED))
    if "gave_up_at" in cols:  # a customer who gave up was ignored, whatever a later answer did
        ignored |= ~np.isnan(cols["gave_up_at"])
    w = (cols.get("replied_at", cols["first_response"]) - cols["arrival"]) / sla
    late = np.nan_to_num(w, nan=0.0) > 1.0
    h = np.where(late, -np.expm1(-(np.where(late, w, 1.0) - 1.0) / params.tolerance), 0.0)
    h = np.where(ignored, 1.0, h)
    p = params.baseline + (params.ignored - params.baseline) * h
    p += params.per_bump * cols["bumps"] + params.per_deflection * cols["deflections"]
    p += params.per_bot_reply * cols["bot"] + params.per_channel_switch * (cols["retry_of"] >= 0)
    p += params.unresolved * (outcome == Outcome.OPEN)
    p = np.minimum(p, params.cap)
    return np.where((outcome == Outcome.MENTION) | (cols["switched"] > 0), 0.0, p)


def bumps_before(bump_times: tuple[float, ...], t: float) -> int:
    """How many bumps the customer posted before time ``t``."""
    return sum(1 for b in bump_times if b < t)
