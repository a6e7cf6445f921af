"""Fitting a runnable scenario to a trace: arrival profiles, incidents, distributions, the latency target.

What the trace holds is estimated (see :mod:`carebench.calibrate.profiles`
and :mod:`carebench.calibrate.distfit`); what it cannot hold is an explicit,
reported assumption the user can change (``handle``: the handle time when the
trace has none; the team is sized by Erlang C for the fitted peak hour as a
starting point for ``carebench calibrate``). Nothing read off one data set is
a default.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from carebench.analytic.erlang import agents_needed
from carebench.calibrate.distfit import DistFit, fit_distribution
from carebench.calibrate.profiles import ProfileFit, fit_profile, predicted
from carebench.trace.records import CountTrace, Trace, monday_before, weekday_hour
from carebench.trace.timeparse import wall_text
from carebench.util.errors import UserError
from carebench.util.units import DAY, HOUR, parse_duration

__all__ = ["Fitted", "fit_trace", "PUBLIC", "PICKUP"]

PUBLIC = frozenset({"twitter", "x", "facebook", "instagram", "social", "tiktok", "youtube", "reddit"})
"""Channel names taken as public (answered in view of others)."""
PICKUP = frozenset({"phone", "voice", "call", "calls", "chat", "webchat"})
"""Channel names whose first response is the pickup (synchronous channels)."""
_SLA = {"public": "1h", "phone": "20s", "chat": "1m", "other": "24h"}


@dataclass
class Fitted:
    """A fitted scenario (as plain data) and everything the fit report says."""

    scenario: dict
    profiles: dict[str, ProfileFit]
    distributions: dict[str, DistFit] = field(default_factory=dict)
    latency: np.ndarray | None = None
    assumptions: list[str] = field(default_factory=list)
    holdout: dict[str, dict] = field(default_factory=dict)
    bursts: dict[str, list] = field(default_factory=dict)
    support: dict[str, str] = field(default_factory=dict)
    source: str = ""


def _name(text: str, fallback: str) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()).strip("_")
    if not name:
        return fallback
    return name if name[0].isalpha() else f"c_{name}"


def _support_hours(reply_wall: np.ndarray, share: float = 0.2) -> str:
    """A daily window covering the hours in which replies are sent (hours below ``share`` of uniform closed)."""
    reply_wall = reply_wall[np.isfinite(reply_wall)]
    if reply_wall.size < 48:
        return "24/7"
    _, hour = weekday_hour(reply_wall)
    frac = np.bincount(hour, minlength=24) / reply_wall.size
    open_ = frac >= share / 24
    if open_.all() or not open_.any():
        return "24/7"
    # The longest closed run (circular) is the night; open from its end to its start.
    best, best_len = 0, 0
    for s in range(24):
        n = 0
        while n < 24 and not open_[(s + n) % 24]:
            n += 1
        if n > best_len:
            best, best_len = s, n
    start, end = (best + best_len) % 24, best
    return f"daily {start:02d}:00-{end if end else 24:02d}:00" if start < (end or 24) else "24/7"


def fit_trace(trace: Trace | CountTrace, *, name: str = "fitted", channel: str | None = None,
              handle: str = "6m", horizon_days: int = 7, min_count: float = 5.0,
              check_from: float | None = None) -> Fitted:
    """Fit a scenario to ``trace``; with ``check_from`` (wall-clock seconds) fit before it, check arrivals after."""
    check = None
    if check_from is not None:
        check = trace.between(check_from, None)
        trace = trace.between(None, check_from)
    if len(trace) == 0:
        raise UserError(f"{trace.source}: no contacts to fit" + (" before --check-from" if check_from else ""))
    fallback = "phone" if isinstance(trace, CountTrace) else "twitter" if trace.channels() == ["twitter"] else "contacts"
    names = {c: (channel or _name(c, fallback)) for c in trace.channels()}
    if len(set(names.values())) < len(names):
        raise UserError("--channel names one channel, but the trace has several: leave it out")
    out = Fitted({}, {}, source=trace.source)
    handle_spec = _handle_spec(handle)
    channels, peak = {}, {}
    start = monday_before(float(trace.start.min() if isinstance(trace, CountTrace) else trace.arrival.min()))
    incidents = []
    for tc, cname in names.items():
        hours, counts = trace.hourly(None if isinstance(trace, CountTrace) else tc)
        prof = fit_profile(hours, counts, min_count=min_count)
        out.profiles[cname] = prof
        out.bursts[cname] = prof.bursts
        mask = None if isinstance(trace, CountTrace) else trace.channel == tc
        chan = _channel(cname, prof, trace, mask, handle_spec, out)
        channels[cname] = chan
        peak[cname] = max(prof.rate(d, h) for d in range(7) for h in range(24))
        for b in prof.bursts:
            day = int((b.start - start) // DAY) + 1
            if day <= horizon_days:
                clock = b.start - start - (day - 1) * DAY
                incidents.append({"name": f"burst_{wall_text(b.start).replace(' ', '_').replace(':', '')}",
                                  "channels": [cname], "day": day, "start": f"{int(clock // HOUR):02d}:00",
                                  "duration": f"{b.hours}h", "multiplier": round(float(b.multiplier), 3)})
        if check is not None:
            out.holdout[cname] = _check(prof, check, None if isinstance(check, CountTrace) else tc)
    agents = 0
    for cname, chan in channels.items():
        mean = _mean_seconds(chan["handle_time"])
        goal = chan["sla_goal"]
        agents += agents_needed(peak[cname] / HOUR, mean, parse_duration(chan["sla"]), goal) if peak[cname] > 0 else 0
    out.assumptions.append(f"team sized by Erlang C for the fitted peak hour: {max(agents, 1)} agents "
                           "(a starting point; calibrate it against the trace)")
    out.scenario = {
        "name": name,
        "description": f"Fitted to {trace.source} ({len(trace):,} contacts, times in {trace.tz}).",
        "horizon": f"{horizon_days}d", "seed": 1, "channels": channels, "incidents": incidents,
        "pools": {"team": {"agents": max(agents, 1), "channels": list(channels)}},
    }
    if not isinstance(trace, CountTrace) and "followers" in trace.present:
        fol = trace.followers[np.isfinite(trace.followers) & (trace.followers > 0)]
        if fol.size >= 20:
            d = fit_distribution(fol)
            out.distributions["followers"] = d
            out.scenario["customers"] = {"followers": _count_spec(d)}
    return out


def _handle_spec(text: str) -> dict:
    try:
        return {"dist": "lognormal", "mean": f"{parse_duration(text)}s", "cv": 1.0}
    except (ValueError, UserError):
        raise UserError(f"--handle {text!r}: expected a duration such as 6m") from None


def _mean_seconds(spec: dict) -> float:
    if spec["dist"] == "empirical":
        return float(np.mean([parse_duration(v) for v in spec["values"]]))
    return parse_duration(spec["mean"])


def _channel(cname, prof: ProfileFit, trace, mask, handle_spec, out: Fitted) -> dict:
    public = cname in PUBLIC
    kind = "public" if public else "phone" if cname in ("phone", "voice", "call", "calls") else \
        "chat" if cname in PICKUP else "other"
    chan = {"public": public, "sla": _SLA[kind], "sla_goal": 0.8,
            "first_response": "pickup" if cname in PICKUP else "reply", "handle_time": handle_spec,
            "arrivals": {"per_hour": round(float(prof.per_hour), 4),
                         "hourly_profile": [round(float(v), 4) for v in prof.hourly],
                         "weekly_profile": [round(float(v), 4) for v in prof.weekly]}}
    if isinstance(trace, Trace):
        sub = trace.subset(mask)
        h = sub.handle[np.isfinite(sub.handle) & (sub.handle > 0)]
        if h.size >= 20:
            d = fit_distribution(h)
            out.distributions[f"{cname}.handle_time"] = d
            chan["handle_time"] = _time_spec(d)
        else:
            out.assumptions.append(f"{cname}: handle time not in the trace: assumed {handle_spec['mean']} "
                                   "(lognormal, cv 1; set --handle or calibrate it)")
        lat = sub.latency[np.isfinite(sub.latency)]
        if lat.size:
            out.latency = lat if out.latency is None else np.concatenate([out.latency, lat])
            if (lat > 0).sum() >= 20:
                out.distributions[f"{cname}.first_reply"] = fit_distribution(lat)
            hours = _support_hours(sub.reply)
            out.support[cname] = hours
            chan["support_hours"] = hours
    else:
        out.assumptions.append(f"{cname}: handle time not in counts: assumed {handle_spec['mean']} (lognormal, cv 1)")
    return chan


def _time_spec(d: DistFit) -> dict:
    if d.chosen == "empirical":
        return {"dist": "empirical", "values": [f"{round(float(v), 3)}s" for v in d.spec["values"]]}
    return {k: (f"{round(float(v), 3)}s" if k == "mean" else round(float(v), 4)) if k != "dist" else v
            for k, v in d.spec.items()}


def _count_spec(d: DistFit) -> dict:
    if d.chosen == "empirical":
        return {"dist": "empirical", "values": [round(float(v), 3) for v in d.spec["values"]]}
    return {k: (round(float(v), 4) if k != "dist" else v) for k, v in d.spec.items()}


def _check(prof: ProfileFit, check, tc) -> dict:
    """Observed against predicted arrivals per hour of day over the held-out part."""
    hours, counts = check.hourly(tc)
    mu = predicted(prof, hours)
    _, hour = weekday_hour(hours + 1.0)
    obs_h = np.bincount(hour, weights=counts, minlength=24)
    pred_h = np.bincount(hour, weights=mu, minlength=24)
    days = np.bincount(hour, minlength=24)
    busy = pred_h >= days  # hours predicted at least one arrival per hour
    mape = float(np.mean(np.abs(obs_h[busy] - pred_h[busy]) / pred_h[busy])) if busy.any() else math.nan
    level = counts.sum() / mu.sum() if mu.sum() > 0 else math.nan
    shape = float(np.mean(np.abs(obs_h[busy] - level * pred_h[busy]) / (level * pred_h[busy]))) if busy.any() else math.nan
    return {"level": float(level), "shape_mape_by_hour": shape, "hours": int(hours.size), "observed": float(counts.sum()), "predicted": float(mu.sum()),
            "observed_by_hour": (obs_h / np.maximum(days, 1)).tolist(),
            "predicted_by_hour": (pred_h / np.maximum(days, 1)).tolist(), "mape_by_hour": mape}
