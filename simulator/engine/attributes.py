"""Per-contact attributes drawn in blocks, each purpose from its own stream.

For every block of arrival times the handle times, patience, followers,
contact kind and urgency, and the behaviour draws (bumps, conversation
length, peer answers, viral offspring) are drawn together from their own
generators, in arrival order. So a contact has the same attributes whatever
the policy does with it (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carebench.engine.streams import Streams
from carebench.model.kinds import KIND_NAMES, URGENCY_NAMES, Kind, Urgency

__all__ = ["ChannelDraws", "Block"]

_INF = float("inf")
# Plain ints: an enum member looked up on its class costs a Python call per block.
_MENTION, _CRISIS = int(Kind.MENTION), int(Urgency.CRISIS)
_QUESTION, _COMPLAINT = int(Kind.QUESTION), int(Kind.COMPLAINT)


@dataclass
class Block:
    """Attributes of a block of contacts, as Python lists for fast indexing."""

    times: list[float]
    handle: list[float]
    abandon_at: list[float]
    followers: list[float]
    kind: list[int]
    urgency: list[int]
    bumps: list[tuple[float, ...]]
    needed: list[int]
    peer_at: list[float]
    offspring: list[tuple[float, ...]]


class ChannelDraws:
    """Draws the attributes of one channel's contacts; ``stream_prefix`` separates kinds of contacts."""

    def __init__(self, name: str, channel, scenario, streams: Streams, stream_prefix: str = ""):
        get = lambda purpose: streams.get(stream_prefix + purpose, name)  # noqa: E731
        self.name = name
        self.channel = channel
        self.customers = scenario.customers
        self.behaviour = scenario.behaviour
        self.rng = {p: get(p) for p in ("handle", "patience", "customers", "mix", "bumps",
                                        "conversation", "peer", "virality")}
        mix, urg = channel.contacts, channel.urgency
        # A draw's index into these is its Kind / Urgency code: the mixes' fields are the enums' words.
        self.kind_cdf = np.cumsum([getattr(mix, word) for word in KIND_NAMES])
        self.urgency_cdf = np.cumsum([getattr(urg, word) for word in URGENCY_NAMES])

    def block(self, times: np.ndarray, *, followers: float | None = None, kind: int | None = None,
              urgency: int | None = None, waiting_only: bool = False) -> Block:
        """Attributes for contacts arriving at ``times`` (sorted seconds).

        ``followers``, ``kind`` and ``urgency``, when given, replace the drawn
        values for every contact of the block (injected and probe contacts);
        the draws are made anyway so the streams advance the same way.
        ``waiting_only`` leaves out the peer answers and offspring (infinity and
        none): contacts created by behaviour never use them, and those two
        streams of such contacts feed nothing else, so skipping the draws
        changes no result and saves most of a one-contact block's cost.
        """
        n = times.size
        rng, ch, beh = self.rng, self.channel, self.behaviour
        handle = ch.handle_time.sample(rng["handle"], n)
        abandon = times + ch.patience.sample(rng["patience"], n) if ch.patience is not None else np.full(n, _INF)
        drawn_followers = np.floor(self.customers.followers.sample(rng["customers"], n))
        drawn_kind = np.minimum(np.searchsorted(self.kind_cdf, rng["mix"].random(n), side="right"), _MENTION)
        drawn_urgency = np.minimum(np.searchsorted(self.urgency_cdf, rng["mix"].random(n), side="right"),
                                   _CRISIS)
        followers = drawn_followers if followers is None else np.full(n, float(followers))
        kind = drawn_kind if kind is None else np.full(n, kind)
        urgency = drawn_urgency if urgency is None else np.full(n, urgency)
        bumps = self._bumps(times, abandon) if ch.public and beh.bumps is not None else [()] * n
        return Block(
            times=times.tolist(),
            handle=handle.tolist(),
            abandon_at=abandon.tolist(),
            followers=followers.tolist(),
            kind=kind.tolist(),
            urgency=urgency.tolist(),
            bumps=bumps,
            needed=self._needed(n),
            peer_at=[_INF] * n if waiting_only else self._peer(times, kind),
            offspring=[()] * n if waiting_only else self._offspring(times, kind, followers),
        )

    def _bumps(self, times: np.ndarray, abandon: np.ndarray) -> list[tuple[float, ...]]:
        """Bump times per contact; also moves ``abandon`` to when the customer gives up."""
        p, rng = self.behaviour.bumps, self.rng["bumps"]
        n = times.size
        bumper = rng.random(n) < p.share_who_bump
        gaps = p.interval.sample(rng, n * (p.max_bumps + 1)).reshape(n, p.max_bumps + 1)
        at = times[:, None] + np.cumsum(gaps, axis=1)
        give_up = np.where(bumper, np.minimum(at[:, -1], times + p.give_up_after), times + p.give_up_after)
        np.minimum(abandon, give_up, out=abandon)
        out: list[tuple[float, ...]] = [()] * n
        for i in np.nonzero(bumper)[0].tolist():
            out[i] = tuple(at[i, : p.max_bumps].tolist())
        return out

    def _needed(self, n: int) -> list[int]:
        """Agent replies each contact needs before it is resolved."""
        conv = self.behaviour.conversation
        if conv is None or (conv.channels is not None and self.name not in conv.channels):
            return [1] * n
        rng = self.rng["conversation"]
        first = rng.random(n) < conv.resolve_on_first_reply
        more = 1 + rng.geometric(conv.resolve_per_reply, n)
        return np.where(first, 1, np.minimum(more, conv.max_exchanges)).tolist()

    def _peer(self, times: np.ndarray, kind: np.ndarray) -> list[float]:
        """When a peer would answer each public question (infinity if never)."""
        peer = self.behaviour.peer_answers
        if peer is None or not self.channel.public:
            return [_INF] * times.size
        rng = self.rng["peer"]
        hit = (rng.random(times.size) < peer.share) & (kind == _QUESTION)
        return np.where(hit, times + peer.delay.sample(rng, times.size), _INF).tolist()

    def _offspring(self, times: np.ndarray, kind: np.ndarray, followers: np.ndarray) -> list[tuple[float, ...]]:
        """Times of the further complaints each public complaint would trigger if left unanswered."""
        vir = self.behaviour.virality
        n = times.size
        if vir is None or not self.channel.public:
            return [()] * n
        rng = self.rng["virality"]
        mean = vir.branching_ratio * (np.maximum(followers, 1.0) / 1000.0) ** vir.follower_elasticity
        counts = np.where(kind == _COMPLAINT, rng.poisson(mean), 0)
        delays = rng.exponential(vir.delay, int(counts.sum()))
        out: list[tuple[float, ...]] = [()] * n
        pos = 0
        for i in np.nonzero(counts)[0].tolist():
            k = int(counts[i])
            out[i] = tuple((times[i] + np.sort(delays[pos : pos + k])).tolist())
            pos += k
        return out
