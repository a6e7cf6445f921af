"""Streaming accumulators: per-contact records in, fixed-size aggregates out.

The engine appends one row per finished contact (and one per waiting spell,
service and exposure interval) to flat buffers of doubles; every ``FLUSH`` rows they are
turned into numpy arrays, folded into per-channel aggregates and dropped, so
memory stays flat however many contacts a run has. A ``sink`` callable, when
given, receives every flushed batch of contact rows (the per-contact log).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from carebench.engine.binning import add_intervals, add_points
from carebench.engine.churn import churn_probability
from carebench.engine.histogram import LogHistogram
from carebench.model.behaviour import Churn
from carebench.model.kinds import Outcome
from carebench.util.units import DAY, HOUR

__all__ = ["Recorder", "ChannelAggregate", "CONTACT_COLUMNS", "FOLLOWER_BANDS", "WAIT_BANDS", "TO_LINK",
           "PROBE_COLUMNS"]

FLUSH = 1 << 15
"""Contacts whose rows are folded at a time (it fixes the order of float sums: never change it lightly)."""
CORE_COLUMNS = ("id", "channel", "arrival", "first_response", "outcome", "end", "followers",
                "exchanges", "exposure")
"""Columns of the row every finished contact appends."""
ROW_FLUSH = FLUSH * len(CORE_COLUMNS)
"""Length of :attr:`Recorder.rows` (a flat buffer) at which it is folded."""
EXTRA_COLUMNS = ("id", "kind", "urgency", "bumps", "deflections", "deflected_to", "bot", "probe",
                 "generation", "retry_of", "switched", "replied_at", "gave_up_at", "exposure_after_give_up")
"""Columns of the second row appended only by contacts that differ from these defaults.

``replied_at`` is the first human reply; it differs from ``first_response``
only for contacts a bot acknowledged (elsewhere it is filled from it).
``gave_up_at`` is when the customer of a post that stayed queued gave up
(NaN if they did not, or if the post left the queue then: see ``outcome``);
``exposure_after_give_up`` the follower-hours of exposure after that time.
``deflected_to`` is the channel a deflected contact ended on, :data:`TO_LINK`
for a knowledge-base link, -1 when it was not deflected.
"""
TO_LINK = -2
_EXTRA_DEFAULTS = {"kind": 0, "urgency": 0, "bumps": 0, "deflections": 0, "deflected_to": -1, "bot": 0,
                   "probe": -1, "generation": 0, "retry_of": -1, "switched": 0}
CONTACT_COLUMNS = CORE_COLUMNS + EXTRA_COLUMNS[1:] + ("churn",)
"""Every column of the per-contact log, in order."""
_INTEGER_COLUMNS = ("id", "channel", "outcome", "exchanges", *_EXTRA_DEFAULTS)
PROBE_COLUMNS = ("probe", "arrival", "first_response", "human_reply", "outcome", "end", "followers", "bot",
                 "deflections")
"""What is kept about each mystery-shopper probe: its index, when it was sent (``arrival``),
the first response of any kind (a bot's included), the first reply by an agent, how it stood
at the end, and whether a bot acknowledged or an agent deflected it. Times are seconds, NaN
when it did not happen."""
FOLLOWER_BANDS = (0.0, 100.0, 1_000.0, 10_000.0, 100_000.0)
"""Lower edges of the follower bands first-response times are reported by."""
WAIT_BANDS = (HOUR, 6 * HOUR, DAY)
"""Upper edges of the wait bands (< 1 h, 1-6 h, 6-24 h, > 24 h) bump shares are reported by."""


def _table(rows: list, width: int) -> np.ndarray:
    """Move a flat buffer of ``width``-value rows into a 2-D float array and empty the buffer.

    The buffer is emptied in place because the engine holds a reference to it.
    """
    flat = np.array(rows, dtype=float)
    rows.clear()
    return flat.reshape(-1, width)


def _groups(cols: dict[str, np.ndarray], mask: np.ndarray):
    """Yield ``(channel, columns)`` for the rows selected by ``mask``, one channel at a time."""
    channel = cols["channel"]
    chans = np.unique(channel[mask])
    if chans.size == 1 and mask.all():  # the usual batch: nothing to select
        yield int(chans[0]), cols
        return
    for ch in chans.tolist():
        sel = mask & (channel == ch)
        yield ch, {k: v[sel] for k, v in cols.items()}


class ChannelAggregate:
    """Everything kept about one channel's contacts (those arriving after the warm-up)."""

    def __init__(self, days: int):
        self.counts = np.zeros(len(Outcome), dtype=np.int64)
        self.sla_met = 0
        self.sla_total = 0
        self.within = {HOUR: [0, 0], DAY: [0, 0]}
        self.frt = LogHistogram()
        self.censored = LogHistogram()  # ages at the end of contacts still without a first response
        self.never = 0  # contacts needing a reply that left without one
        self.ttr = LogHistogram()
        self.sla_by_hour = np.zeros((2, 24), dtype=np.int64)
        self.opened = np.zeros(days, dtype=np.int64)
        self.resolved = np.zeros(days, dtype=np.int64)
        self.exposure = 0.0
        self.exposure_hist = LogHistogram()
        self.churn = 0.0
        self.bumps = 0
        self.deflections = 0
        self.deflected_to: dict[int, int] = {}  # channel index (or TO_LINK) -> contacts
        self.bot_replies = 0
        self.retries = 0
        self.viral = 0
        self.gave_up_stayed = 0  # customers who gave up on a post that stayed queued
        self.answered_after_give_up = 0
        self.open_after_give_up = 0
        self.exposure_after_give_up = 0.0
        self.band_answered = np.zeros(len(WAIT_BANDS) + 1, dtype=np.int64)  # public, by wait to the human reply
        self.band_bumped = np.zeros(len(WAIT_BANDS) + 1, dtype=np.int64)


class Recorder:
    """Collects rows during a run and folds them into aggregates."""

    def __init__(self, channels: list[str], sla: list[float], pools: list[str], warmup: float,
                 horizon: float, end: float, bin_width: float, churn: Churn,
                 sink: Callable[[dict[str, np.ndarray]], None] | None = None,
                 public: list[bool] | None = None, batches: int = 0):
        self.channels, self.sla, self.pools = channels, sla, pools
        # Follower bands are about being seen: only public channels count (all when not told).
        self.public = public if public is not None else [True] * len(channels)
        self.churn_params = churn
        self.warmup, self.horizon, self.end = warmup, horizon, end
        self.width = bin_width
        self.nbins = max(1, int(np.ceil(end / bin_width)))
        self.sink = sink
        days = max(1, int(np.ceil(end / DAY)))
        self.agg = [ChannelAggregate(days) for _ in channels]
        # Batch means: the measured window cut into ``batches`` equal spans, contacts by arrival.
        self.batch_width = (horizon - warmup) / batches if batches >= 2 else 0.0
        self.batch_agg = [[ChannelAggregate(days) for _ in channels] for _ in range(batches if batches >= 2 else 0)]
        self.band_frt = [LogHistogram() for _ in FOLLOWER_BANDS]
        nc = len(channels)
        self.ts = {
            "arrivals": np.zeros((nc, self.nbins)),
            "first_responses": np.zeros((nc, self.nbins)),
            "queue": np.zeros((nc, self.nbins)),
            "exposure": np.zeros((nc, self.nbins)),
            # first responses within the SLA, and contacts judged, by arrival bin (after the warm-up)
            "sla_met": np.zeros((nc, self.nbins)),
            "sla_counted": np.zeros((nc, self.nbins)),
        }
        # Flat lists of numbers, one row after another (the engine ``extend``s them with a
        # tuple per row), turned into float arrays when folded. A list takes a tuple's items
        # in one copy where an ``array('d')`` parses every item on its own (0.17 against
        # 0.56 µs a row), and a batch of rows waiting to be folded costs no new tuple per
        # row. ``rows`` holds :data:`CORE_COLUMNS`, ``extras`` :data:`EXTRA_COLUMNS`,
        # ``spells`` ``(channel, start, end)``, ``exposures`` ``(channel, start, end, weight)``.
        self.rows: list[float] = []
        self.extras: list[float] = []
        self.spells: list[float] = []
        self.exposures: list[float] = []
        self.probes: list[tuple] = []

    # -- appending (hot path: the engine extends the buffers itself) ----------------
    # A finished contact extends ``rows`` (and ``extras``) and calls :meth:`flush`
    # once ``rows`` reaches :data:`ROW_FLUSH`; waiting spells ``(channel, start,
    # end)`` and exposure intervals ``(channel, start, end, weight)`` go to
    # ``spells`` and ``exposures`` and are folded whenever contact rows are,
    # which bounds them (a contact has at most ``max_exchanges`` waiting spells).
    def probe(self, c, outcome: int, end: float) -> None:
        """A finished (or, at the end of the run, unfinished) probe contact, kept apart from the KPIs."""
        nan = float("nan")
        self.probes.append((c.probe, c.arrival, nan if c.first_response is None else c.first_response,
                            nan if c.replied_at is None else c.replied_at, outcome, end, c.followers,
                            int(c.bot), c.deflections))

    # -- folding ------------------------------------------------------------------
    def flush(self) -> None:
        """Fold every pending row into the aggregates."""
        if self.rows:
            self._flush_rows()
        self._flush_spells()
        self._flush_exposures()

    def _flush_rows(self) -> None:
        cols = self._columns()
        cols["churn"] = churn_probability(cols, np.asarray(self.sla)[cols["channel"]], self.churn_params)
        if self.sink is not None:
            self.sink(cols)
        background = cols["probe"] < 0  # probe rows went to ``self.probes`` when they were recorded
        for ch, part in _groups(cols, background):
            add_points(self.ts["arrivals"][ch], self.width, part["arrival"])
            first = part["first_response"]
            add_points(self.ts["first_responses"][ch], self.width, first[~np.isnan(first)])
        measured = background & (cols["arrival"] >= self.warmup)
        for ch, part in _groups(cols, measured):
            self._fold_channel(self.agg[ch], ch, part)
        if self.batch_agg:
            batch = np.floor((cols["arrival"] - self.warmup) / self.batch_width)
            for k, aggs in enumerate(self.batch_agg):
                for ch, part in _groups(cols, measured & (batch == k)):
                    self._fold_channel(aggs[ch], ch, part, bands=False)

    def _columns(self) -> dict[str, np.ndarray]:
        """The pending rows as named columns, extras filled in (defaults where absent)."""
        table = _table(self.rows, len(CORE_COLUMNS))
        cols = {name: table[:, i] for i, name in enumerate(CORE_COLUMNS)}
        n = table.shape[0]
        for name, default in _EXTRA_DEFAULTS.items():
            cols[name] = np.full(n, default, dtype=np.int64)
        cols["replied_at"] = np.full(n, np.nan)
        cols["gave_up_at"] = np.full(n, np.nan)
        cols["exposure_after_give_up"] = np.zeros(n)
        if self.extras:  # appended together with their core rows, so all are in this batch
            extra = _table(self.extras, len(EXTRA_COLUMNS))
            order = np.argsort(cols["id"], kind="stable")
            rows = order[np.searchsorted(cols["id"], extra[:, 0], sorter=order)]
            for i, name in enumerate(EXTRA_COLUMNS[1:], start=1):
                cols[name][rows] = extra[:, i]
        for name in _INTEGER_COLUMNS:
            cols[name] = cols[name].astype(np.int64)
        cols["replied_at"] = np.where(cols["bot"] > 0, cols["replied_at"], cols["first_response"])
        return cols

    def _fold_channel(self, agg: ChannelAggregate, ch: int, c: dict[str, np.ndarray], bands: bool = True) -> None:
        sla = self.sla[ch]
        outcome = c["outcome"]
        agg.counts += np.bincount(outcome, minlength=len(Outcome))
        frt = c["first_response"] - c["arrival"]
        answered = ~np.isnan(frt)
        agg.frt.add(frt[answered])
        needs_reply = (outcome != Outcome.MENTION) & (outcome != Outcome.PEER)
        age_at_end = self.end - c["arrival"]
        unanswered_open = outcome == Outcome.WAITING
        unanswered = needs_reply & ~answered
        agg.censored.add(age_at_end[unanswered & unanswered_open])
        agg.never += int((unanswered & ~unanswered_open).sum())
        met, counted = self._within(frt, answered, needs_reply, unanswered_open, age_at_end, sla)
        agg.sla_met += int(met.sum())
        agg.sla_total += int(counted.sum())
        hours = ((c["arrival"] % DAY) // HOUR).astype(np.int64)
        agg.sla_by_hour[0] += np.bincount(hours[met], minlength=24)
        agg.sla_by_hour[1] += np.bincount(hours[counted], minlength=24)
        add_points(self.ts["sla_met"][ch], self.width, c["arrival"][met])
        add_points(self.ts["sla_counted"][ch], self.width, c["arrival"][counted])
        for limit, pair in agg.within.items():
            m, n = self._within(frt, answered, needs_reply, unanswered_open, age_at_end, limit)
            pair[0] += int(m.sum())
            pair[1] += int(n.sum())
        resolved = outcome == Outcome.RESOLVED
        agg.ttr.add((c["end"] - c["arrival"])[resolved])
        add_points(agg.opened, DAY, c["arrival"][needs_reply])
        add_points(agg.resolved, DAY, c["end"][resolved])
        agg.exposure += float(c["exposure"].sum())
        agg.exposure_hist.add(c["exposure"][c["exposure"] > 0])
        agg.churn += float(c["churn"].sum())
        agg.bumps += int(c["bumps"].sum())
        agg.deflections += int(c["deflections"].sum())
        moved = c["deflected_to"][c["deflected_to"] != -1]
        for to, count in zip(*np.unique(moved, return_counts=True)):
            agg.deflected_to[int(to)] = agg.deflected_to.get(int(to), 0) + int(count)
        agg.bot_replies += int(c["bot"].sum())
        agg.retries += int((c["retry_of"] >= 0).sum())
        agg.viral += int((c["generation"] > 0).sum())
        gave_up = ~np.isnan(c["gave_up_at"])
        human = ~np.isnan(c["replied_at"])
        agg.gave_up_stayed += int(gave_up.sum())
        agg.answered_after_give_up += int((gave_up & human).sum())
        agg.open_after_give_up += int((gave_up & unanswered_open).sum())
        agg.exposure_after_give_up += float(c["exposure_after_give_up"].sum())
        if not self.public[ch]:
            return
        band = np.searchsorted(WAIT_BANDS, (c["replied_at"] - c["arrival"])[human], side="left")
        agg.band_answered += np.bincount(band, minlength=len(WAIT_BANDS) + 1)
        agg.band_bumped += np.bincount(band[c["bumps"][human] > 0], minlength=len(WAIT_BANDS) + 1)
        if not bands:  # batch aggregates carry no follower-band histograms
            return
        band = np.searchsorted(FOLLOWER_BANDS, c["followers"], side="right") - 1
        for b in range(len(FOLLOWER_BANDS)):
            self.band_frt[b].add(frt[answered & (band == b)])

    @staticmethod
    def _within(frt, answered, needs_reply, unanswered_open, age_at_end, limit):
        """Which contacts count for "first response within ``limit``", and which met it.

        A contact still unanswered at the end counts as a miss once its wait
        exceeds ``limit``; if it is younger than ``limit`` the outcome is not
        known yet and it is left out (censored), never counted as met.
        """
        met = answered & (frt <= limit) & needs_reply
        # A bot-acknowledged contact still waiting for a human has its first response.
        censored = unanswered_open & ~answered & (age_at_end <= limit)
        counted = needs_reply & ~censored
        return met, counted

    def _flush_spells(self) -> None:
        if self.spells:
            table = _table(self.spells, 3)
            ch, start, end = table[:, 0].astype(np.int64), table[:, 1], table[:, 2]
            for c in np.unique(ch):
                sel = ch == c
                add_intervals(self.ts["queue"][c], self.width, start[sel], end[sel])

    def _flush_exposures(self) -> None:
        if self.exposures:
            table = _table(self.exposures, 4)
            ch, start, end, weight = table[:, 0].astype(np.int64), table[:, 1], table[:, 2], table[:, 3]
            for c in np.unique(ch):
                sel = ch == c
                add_intervals(self.ts["exposure"][c], self.width, start[sel], end[sel], weight[sel] / HOUR)
