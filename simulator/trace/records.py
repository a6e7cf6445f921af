"""What a trace holds once read: contacts with their times, or counts per interval.

Times are wall-clock seconds since 1970-01-01 in the trace's time zone (see
:mod:`carebench.trace.timeparse`); durations (latency, resolution, handle)
are true elapsed seconds. Missing values are NaN (numbers) or ``''`` (text).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from carebench.util.units import DAY, HOUR

__all__ = ["Trace", "CountTrace", "hour_counts", "monday_before"]

_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; weekday 0 is Monday


@dataclass(frozen=True)
class Trace:
    """Contacts of a trace, one array element per contact, sorted by arrival.

    ``present`` names the optional fields the trace really has (``latency``,
    ``handle``, ``followers``, ``bumps``...); ``skipped`` counts bad rows
    skipped under ``--skip-bad``; ``threads`` counts customer messages that
    continued an existing contact rather than opening one.
    """

    source: str
    tz: str
    arrival: np.ndarray
    channel: np.ndarray
    brand: np.ndarray
    customer: np.ndarray
    latency: np.ndarray
    reply: np.ndarray
    resolution: np.ndarray
    handle: np.ndarray
    followers: np.ndarray
    bumps: np.ndarray
    present: frozenset[str] = frozenset()
    skipped: int = 0
    threads: int = 0
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def build(cls, source: str, tz: str, arrival, *, present=(), skipped=0, threads=0, notes=(), **columns):
        """A trace from an arrival array and any optional columns (missing ones filled), sorted by arrival."""
        arrival = np.asarray(arrival, dtype=float)
        n = arrival.size
        order = np.argsort(arrival, kind="stable")
        filled = {}
        for name in ("channel", "brand", "customer"):
            filled[name] = np.asarray(columns.get(name, [""] * n), dtype=object)[order]
        for name in ("latency", "reply", "resolution", "handle", "followers"):
            filled[name] = np.asarray(columns.get(name, np.full(n, np.nan)), dtype=float)[order]
        filled["bumps"] = np.asarray(columns.get("bumps", np.full(n, -1)), dtype=int)[order]
        return cls(source, tz, arrival[order], present=frozenset(present), skipped=skipped, threads=threads,
                   notes=tuple(notes), **filled)

    def __len__(self) -> int:
        return int(self.arrival.size)

    def subset(self, mask: np.ndarray) -> Trace:
        """The contacts selected by a boolean ``mask``."""
        cols = {name: getattr(self, name)[mask] for name in _ARRAYS}
        return replace(self, **cols)

    def between(self, start: float | None = None, end: float | None = None) -> Trace:
        """Contacts arriving in ``[start, end)`` (wall-clock seconds; None: unbounded)."""
        mask = np.ones(len(self), bool)
        if start is not None:
            mask &= self.arrival >= start
        if end is not None:
            mask &= self.arrival < end
        return self.subset(mask)

    def reply_window(self) -> Trace:
        """Only the contacts that arrived after the trace's first reply (per brand).

        A trace sampled by reply time (a care handle's timeline: its last N
        replies) holds a contact that arrived before the first sampled reply
        only if it was answered late, which biases latencies upwards; after
        the first reply every answered contact is in (until near the end,
        where the slowest are still missing).
        """
        if "latency" not in self.present:
            return self
        keep = np.zeros(len(self), bool)
        answered_at = self.arrival + self.latency
        for brand in set(self.brand.tolist()):
            mine = self.brand == brand
            first = np.nanmin(answered_at[mine]) if np.isfinite(answered_at[mine]).any() else -np.inf
            keep |= mine & (self.arrival >= first)
        return self.subset(keep)

    def answer_limits(self) -> np.ndarray:
        """Seconds from each contact's arrival to its brand's last reply in the trace.

        In a reply-sampled trace a contact is present only if answered within
        this limit, so a simulation is compared with it through the same limits.
        """
        limits = np.full(len(self), np.inf)
        answered_at = self.arrival + self.latency
        for brand in set(self.brand.tolist()):
            mine = self.brand == brand
            if np.isfinite(answered_at[mine]).any():
                limits[mine] = np.nanmax(answered_at[mine]) - self.arrival[mine]
        return limits

    def channels(self) -> list[str]:
        """Channel names in the trace (``''`` when it has no channel column)."""
        return sorted(set(self.channel.tolist()))

    def hourly(self, channel: str | None = None, start: float | None = None,
               end: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(hour_starts, counts)`` over the whole hours from ``start`` (or the first arrival) to ``end``."""
        times = self.arrival if channel is None else self.arrival[self.channel == channel]
        return hour_counts(times, self.arrival, start, end)


_ARRAYS = ("arrival", "channel", "brand", "customer", "latency", "reply", "resolution", "handle", "followers",
           "bumps")


def hour_counts(times: np.ndarray, span: np.ndarray, start: float | None, end: float | None):
    """Counts of ``times`` per whole hour over ``[start, end)`` (default: the hours ``span`` covers)."""
    if start is None:
        start = float(np.floor(span.min() / HOUR) * HOUR) if span.size else 0.0
    if end is None:
        end = float(np.floor(span.max() / HOUR) * HOUR + HOUR) if span.size else start
    hours = np.arange(start, end, HOUR)
    idx = np.floor((times - start) / HOUR).astype(int)
    idx = idx[(idx >= 0) & (idx < hours.size)]
    return hours, np.bincount(idx, minlength=hours.size).astype(float)


@dataclass(frozen=True)
class CountTrace:
    """Arrivals counted per fixed interval (e.g. calls per 6 minutes), one channel."""

    source: str
    tz: str
    start: np.ndarray
    interval: float
    count: np.ndarray
    channel: str = ""
    skipped: int = 0

    def __len__(self) -> int:
        return int(self.count.sum())

    def between(self, start: float | None = None, end: float | None = None) -> CountTrace:
        """Intervals starting in ``[start, end)``."""
        mask = np.ones(self.start.size, bool)
        if start is not None:
            mask &= self.start >= start
        if end is not None:
            mask &= self.start < end
        return replace(self, start=self.start[mask], count=self.count[mask])

    def channels(self) -> list[str]:
        """The one channel of the counts."""
        return [self.channel]

    def hourly(self, channel: str | None = None, start: float | None = None,
               end: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(hour_starts, counts)``: intervals summed into the whole hours they start in.

        Hours with no interval recorded are left out (not counted as zero), so
        a gap in the data is not read as a quiet hour.
        """
        first = float(np.floor(self.start.min() / HOUR) * HOUR) if start is None else start
        hour = np.floor((self.start - first) / HOUR).astype(int)
        keep = hour >= 0
        if end is not None:
            keep &= self.start < end
        hour, count = hour[keep], self.count[keep]
        sums = np.bincount(hour, weights=count)
        seen = np.bincount(hour) > 0
        starts = first + np.arange(sums.size) * HOUR
        return starts[seen], sums[seen]

    def to_times(self, seed: int = 0) -> np.ndarray:
        """Arrival times spread uniformly inside their intervals (a seeded draw), sorted."""
        rng = np.random.default_rng(seed)
        n = self.count.astype(int)
        base = np.repeat(self.start, n)
        return np.sort(base + rng.uniform(0.0, self.interval, base.size))


def monday_before(seconds: float) -> float:
    """Midnight of the Monday on or before wall-clock ``seconds`` (where a simulated week starts)."""
    day = np.floor(seconds / DAY)
    return float((day - (day + _EPOCH_WEEKDAY) % 7) * DAY)


def weekday_hour(seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekday (0 = Monday) and hour of day of wall-clock seconds."""
    day = np.floor(seconds / DAY).astype(int)
    return (day + _EPOCH_WEEKDAY) % 7, (np.floor(seconds / HOUR).astype(int)) % 24
