"""The result of one run as plain data, and the flat KPI dictionary.

:class:`RunResult` holds no numpy arrays and no references to the engine; it
converts to JSON as is. KPI names follow ``<measure>[.<statistic>].<channel|pool>``
(declared in :mod:`carebench.kpis.catalogue`); times are seconds, shares fractions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from carebench.engine.binning import step_area
from carebench.engine.histogram import EDGES, LogHistogram
from carebench.engine.recorder import PROBE_COLUMNS, TO_LINK, ChannelAggregate, Recorder
from carebench.kpis.catalogue import BANDS, WAIT_BANDS
from carebench.kpis.tidy import COLUMNS, kpi_rows
from carebench.model.kinds import Outcome
from carebench.util.frames import to_frame
from carebench.engine.survival import KaplanMeier
from carebench.util.units import DAY, HOUR

__all__ = ["RunResult", "build_result", "BAND_LABELS", "WAIT_BAND_LABELS"]

BAND_LABELS = BANDS
"""Labels of the follower bands in ``frt_band.*`` KPI names (declared in the KPI catalogue)."""
WAIT_BAND_LABELS = WAIT_BANDS
"""Labels of the wait bands (:data:`carebench.engine.recorder.WAIT_BANDS`) in ``bumped.*`` KPI names."""


@dataclass(frozen=True)
class RunResult:
    """Everything one run reports, as plain data."""

    scenario: str
    fingerprint: str
    seed: int
    version: str
    channels: tuple[str, ...]
    pools: tuple[str, ...]
    horizon: float
    warmup: float
    end: float
    kpis: dict[str, float]
    bin_width: float
    timeseries: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    frt_histograms: dict[str, dict] = field(default_factory=dict)
    sla_by_hour: dict[str, list[float]] = field(default_factory=dict)
    daily: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    probes: list[dict[str, Any]] = field(default_factory=list)
    """One dict per mystery-shopper probe (keys: :data:`carebench.engine.recorder.PROBE_COLUMNS`)."""
    batches: list[dict[str, float]] = field(default_factory=list)
    """With batch means: the contact KPIs of each equal span of the measured window, in time order."""
    warmup_rule: str = "fixed"
    """How ``warmup`` was chosen: ``'fixed'`` (the scenario's) or ``'MSER-5'`` (``warmup: auto``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON-ready; NaN stays NaN)."""
        return asdict(self)

    def rows(self) -> list[dict[str, Any]]:
        """The KPIs as tidy long rows (:mod:`carebench.kpis.tidy`); ``replication`` is None."""
        return kpi_rows(self.kpis, self.channels)

    def to_frame(self):
        """The KPIs as a pandas DataFrame of :meth:`rows` (needs pandas)."""
        return to_frame(self.rows(), COLUMNS)


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def _channel_kpis(name: str, agg: ChannelAggregate, out: dict[str, float], days: float,
                  sla: float | None = None) -> None:
    n = agg.counts
    needs = int(n.sum() - n[Outcome.MENTION])
    abandoned = int(n[Outcome.ABANDONED] + n[Outcome.GAVE_UP])
    answered = int(n[Outcome.RESOLVED] + n[Outcome.OPEN])
    out[f"arrived.{name}"] = float(n.sum())
    out[f"needs_reply.{name}"] = float(needs - n[Outcome.PEER])
    out[f"mentions.{name}"] = float(n[Outcome.MENTION])
    out[f"answered.{name}"] = float(answered)
    out[f"resolved.{name}"] = float(n[Outcome.RESOLVED])
    out[f"abandoned.{name}"] = float(abandoned)
    out[f"gave_up.{name}"] = float(n[Outcome.GAVE_UP] + agg.gave_up_stayed)
    out[f"waiting.{name}"] = float(n[Outcome.WAITING])
    out[f"dropped.{name}"] = float(n[Outcome.DROPPED])
    out[f"expired.{name}"] = float(n[Outcome.EXPIRED])
    out[f"give_up.answered_after.{name}"] = float(agg.answered_after_give_up)
    out[f"give_up.still_open.{name}"] = float(agg.open_after_give_up)
    out[f"give_up.exposure_after.{name}"] = agg.exposure_after_give_up
    out[f"peer.{name}"] = float(n[Outcome.PEER])
    out[f"sla.{name}"] = _ratio(agg.sla_met, agg.sla_total)
    out[f"within_1h.{name}"] = _ratio(*agg.within[HOUR])
    out[f"within_24h.{name}"] = _ratio(*agg.within[DAY])
    out[f"abandon.{name}"] = _ratio(abandoned, needs - n[Outcome.PEER])
    for stat, value in agg.frt.statistics().items():
        out[f"frt.{stat}.{name}"] = value
    # With the contacts still waiting at the end as censored (see carebench.engine.survival).
    km = KaplanMeier(agg.frt, agg.censored, agg.never)
    out[f"censored.{name}"] = float(agg.censored.n)
    out[f"frt_km.p50.{name}"] = km.quantile(0.5)
    out[f"frt_km.p90.{name}"] = km.quantile(0.9)
    if sla is not None:
        out[f"sla_km.{name}"] = km.share_within(sla)
    out[f"ttr.mean.{name}"] = agg.ttr.mean
    out[f"ttr.p90.{name}"] = agg.ttr.quantile(0.9)
    out[f"exposure.{name}"] = agg.exposure
    out[f"churn.expected.{name}"] = agg.churn
    out[f"churn.rate.{name}"] = _ratio(agg.churn, needs)
    out[f"opened_per_day.{name}"] = _ratio(float(needs), days)
    out[f"resolved_per_day.{name}"] = _ratio(float(n[Outcome.RESOLVED]), days)


def _pooled_km_sla(aggs: list[ChannelAggregate], targets: list[float]) -> float:
    """Every channel's Kaplan-Meier share within its own target, pooled by contacts needing a reply."""
    kms = [KaplanMeier(a.frt, a.censored, a.never) for a in aggs]
    n = sum(km.n for km in kms)
    return sum(km.n * km.share_within(t) for km, t in zip(kms, targets) if km.n) / n if n else math.nan


def _bump_bands(name: str, agg: ChannelAggregate | None, out: dict[str, float]) -> None:
    """Share of answered public contacts that bumped before the first human reply, by wait band (NaN if private)."""
    for i, label in enumerate(WAIT_BAND_LABELS):
        if agg is None:
            out[f"bumped.{label}.{name}"] = out[f"answered_in.{label}.{name}"] = math.nan
            continue
        answered = int(agg.band_answered[i])
        out[f"bumped.{label}.{name}"] = _ratio(int(agg.band_bumped[i]), answered)
        out[f"answered_in.{label}.{name}"] = float(answered)


def _merged(aggs: list[ChannelAggregate]) -> ChannelAggregate:
    total = ChannelAggregate(len(aggs[0].opened))
    for a in aggs:
        total.counts += a.counts
        total.sla_met += a.sla_met
        total.sla_total += a.sla_total
        for k in total.within:
            total.within[k][0] += a.within[k][0]
            total.within[k][1] += a.within[k][1]
        total.frt.merge(a.frt)
        total.censored.merge(a.censored)
        total.never += a.never
        total.ttr.merge(a.ttr)
        total.exposure_hist.merge(a.exposure_hist)
        total.opened += a.opened
        total.resolved += a.resolved
        total.band_answered += a.band_answered
        total.band_bumped += a.band_bumped
        for attr in ("exposure", "churn", "bumps", "deflections", "bot_replies", "retries", "viral", "gave_up_stayed",
                     "answered_after_give_up", "open_after_give_up", "exposure_after_give_up"):
            setattr(total, attr, getattr(total, attr) + getattr(a, attr))
    return total


def top_share(h: LogHistogram, share: float = 0.01) -> float:
    """Share of the histogram's total carried by its largest ``share`` of values."""
    if not h.n or h.total <= 0:
        return math.nan
    mids = np.sqrt(EDGES[:-1] * EDGES[1:])
    want = share * h.n
    taken, mass = 0.0, 0.0
    for i in range(h.counts.size - 1, -1, -1):
        c = h.counts[i]
        if not c:
            continue
        use = min(c, want - taken)
        mass += use * mids[i]
        taken += use
        if taken >= want:
            break
    approx_total = float((h.counts * mids).sum())
    return min(1.0, mass / approx_total) if approx_total else math.nan


def build_result(rec: Recorder, engine, seed: int, version: str, presence: dict, busy: dict,
                 drain_busy: dict | None = None) -> RunResult:
    """Fold a finished recorder into a :class:`RunResult`."""
    sc = engine.scenario
    kpis: dict[str, float] = {}
    days = max(sc.horizon - sc.warmup, 1.0) / DAY
    for name, agg, sla in zip(rec.channels, rec.agg, rec.sla):
        _channel_kpis(name, agg, kpis, days, sla)
    total = _merged(rec.agg)
    _channel_kpis("all", total, kpis, days)
    kpis["sla_km.all"] = _pooled_km_sla(rec.agg, rec.sla)
    batch_days = rec.batch_width / DAY
    batches = []
    for aggs in rec.batch_agg:
        one: dict[str, float] = {}
        for name, agg, sla in zip(rec.channels, aggs, rec.sla):
            _channel_kpis(name, agg, one, batch_days, sla)
        _channel_kpis("all", _merged(aggs), one, batch_days)
        one["sla_km.all"] = _pooled_km_sla(aggs, rec.sla)
        batches.append(one)
    public = [(n, a) for n, a, p in zip(rec.channels, rec.agg, rec.public) if p]
    for name, agg, is_public in zip(rec.channels, rec.agg, rec.public):
        _bump_bands(name, agg if is_public else None, kpis)
    _bump_bands("all", _merged([a for _, a in public]) if public else None, kpis)
    kpis["still_open.public"] = float(sum(a.counts[Outcome.WAITING] for _, a in public))
    kpis["exposure.total"] = total.exposure
    kpis["exposure.top1_share"] = top_share(total.exposure_hist)
    kpis["churn.expected"] = total.churn
    kpis["revenue_at_risk"] = total.churn * sc.customers.value
    kpis["bumps.total"] = float(total.bumps)
    kpis["deflections.total"] = float(total.deflections)
    for to, name in [*enumerate(rec.channels), (TO_LINK, "link")]:
        kpis[f"deflections.to.{name}"] = float(sum(a.deflected_to.get(to, 0) for a in rec.agg))
    kpis["peer_answers.total"] = float(total.counts[Outcome.PEER])
    kpis["bot_replies.total"] = float(total.bot_replies)
    kpis["retries.total"] = float(total.retries)
    kpis["viral.total"] = float(total.viral)
    for label, h in zip(BAND_LABELS, rec.band_frt):
        kpis[f"frt_band.p50.{label}"] = h.quantile(0.5)
        kpis[f"frt_band.p90.{label}"] = h.quantile(0.9)
        kpis[f"frt_band.n.{label}"] = float(h.n)
    timeseries = _timeseries(rec, engine, presence, busy, kpis)
    for name in rec.pools:
        kpis[f"drain_busy_hours.{name}"] = (drain_busy or {}).get(name, 0.0) / HOUR
    return RunResult(
        scenario=sc.name, fingerprint=sc.fingerprint(), seed=seed, version=version,
        channels=tuple(rec.channels), pools=tuple(rec.pools), horizon=sc.horizon, warmup=sc.warmup,
        end=sc.end_time, kpis=kpis, bin_width=rec.width, timeseries=timeseries,
        frt_histograms={n: a.frt.to_dict() for n, a in zip(rec.channels, rec.agg)},
        sla_by_hour={n: [_ratio(m, t) for m, t in zip(*a.sla_by_hour.tolist())] for n, a in zip(rec.channels, rec.agg)},
        daily={n: {"opened": a.opened.tolist(), "resolved": a.resolved.tolist()} for n, a in zip(rec.channels, rec.agg)},
        probes=[dict(zip(PROBE_COLUMNS, p)) for p in rec.probes], batches=batches,
    )


def _timeseries(rec: Recorder, engine, presence: dict, busy: dict, kpis: dict[str, float]) -> dict:
    sc, width, nbins = engine.scenario, rec.width, rec.nbins
    ts: dict[str, dict[str, list[float]]] = {"time": {"start": (np.arange(nbins) * width).tolist()}}
    for key in ("arrivals", "first_responses", "sla_met", "sla_counted"):
        ts[key] = {n: rec.ts[key][i].tolist() for i, n in enumerate(rec.channels)}
    ts["queue"] = {n: (rec.ts["queue"][i] / width).tolist() for i, n in enumerate(rec.channels)}
    ts["exposure"] = {n: rec.ts["exposure"][i].tolist() for i, n in enumerate(rec.channels)}
    ts["on_duty"] = {}
    hours_total, cost_total = 0.0, 0.0
    for i, name in enumerate(rec.pools):
        area = step_area(presence[name], sc.end_time, nbins, width)
        ts["on_duty"][name] = (area / width).tolist()
        # The measured window only: a drain (nothing arriving) would pull utilisation down.
        on_after = _after(presence[name], sc.warmup, sc.horizon)
        # busy time is cut at the horizon in pieces: round-off must not read as over 100 %
        kpis[f"utilisation.{name}"] = min(_ratio(busy[name], on_after), 1.0)
        kpis[f"agent_hours.{name}"] = on_after / HOUR
        hours_total += on_after / HOUR
        cost_total += on_after / HOUR * sc.pools[name].cost_per_hour
    kpis["agent_hours.total"] = hours_total
    kpis["cost.total"] = cost_total
    return ts


def _after(steps: list[tuple[float, int]], start: float, end: float) -> float:
    """Integral of a step function over ``[start, end)``."""
    total = 0.0
    for (t, level), nxt in zip(steps, [s[0] for s in steps[1:]] + [end]):
        lo, hi = max(t, start), min(nxt, end)
        if hi > lo:
            total += level * (hi - lo)
    return total
