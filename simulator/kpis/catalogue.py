"""The KPI catalogue: every KPI family a run emits, declared once.

A family is a name pattern with its unit, whether a higher or a lower value is
better, its natural bounds and a one-line meaning. Everything that needs to
know what a KPI is reads it here: the threshold grammar (units and bounds),
regressions and comparisons (direction), the load test (direction of a
``--metric``), the terminal tables and plots (how to show a value) and the
docs' KPI page (``python -m carebench.kpis > docs/kpis.md``). A test
runs the shipped scenarios and fails when a run emits a KPI this catalogue
does not match, or when an entry here is never emitted.

Patterns are dotted names with placeholders: ``<channel>`` is a channel of the
scenario or ``all`` (every channel together), ``<pool>`` an agent pool,
``<target>`` a channel or ``link`` (a knowledge-base link), ``<band>`` one of
:data:`BANDS`; ``{p50,p90}`` lists the statistics a family is reported in.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import lru_cache
from itertools import product

from carebench.util.errors import UserError

__all__ = [
    "Unit",
    "Better",
    "Family",
    "CATALOGUE",
    "BANDS",
    "WAIT_BANDS",
    "PLACEHOLDERS",
    "find",
    "unknown",
    "direction",
    "kind",
    "names",
    "markdown",
]

BANDS = ("lt100", "100_1k", "1k_10k", "10k_100k", "100k_plus")
"""Follower bands of ``frt_band.*``: under 100 followers, 100 to 1,000, ..., 100,000 and more."""

WAIT_BANDS = ("lt1h", "1h_6h", "6h_24h", "gt24h")
"""Bands of the wait to the first human reply in ``bumped.*`` and ``answered_in.*``: under 1 h, 1-6 h, 6-24 h, over 24 h."""

PLACEHOLDERS = {
    "channel": "a channel of the scenario, or `all` for every channel together",
    "pool": "an agent pool of the scenario",
    "target": "a channel of the scenario, or `link` for a knowledge-base link",
    "band": "a follower band: " + ", ".join(f"`{b}`" for b in BANDS),
}
"""What each ``<placeholder>`` of a pattern stands for."""


class Unit(Enum):
    """What a KPI's number counts; ``kind`` is how thresholds and tables treat it."""

    SECONDS = ("seconds", "time")
    SHARE = ("share (0 to 1)", "share")
    CONTACTS = ("contacts", "amount")
    CONTACTS_PER_DAY = ("contacts per day", "amount")
    CUSTOMERS = ("customers", "amount")
    AGENT_HOURS = ("agent-hours", "amount")
    FOLLOWER_HOURS = ("follower-hours", "amount")
    MONEY = ("money", "amount")

    def __init__(self, label: str, kind: str) -> None:
        self.label = label
        self.kind = kind

    @property
    def bounds(self) -> tuple[float, float]:
        """The natural range of a value in this unit: shares lie in [0, 1], everything else is >= 0."""
        return (0.0, 1.0) if self is Unit.SHARE else (0.0, math.inf)


class Better(IntEnum):
    """Which way a KPI improves: +1 higher, -1 lower, 0 neither (a volume or a description)."""

    HIGHER = 1
    LOWER = -1
    NEITHER = 0


_TOKEN = re.compile(r"<(\w+)>|\{([\w,]+)\}")
_FREE = r"[\w-]+"  # a channel or pool name; the scenario model checks the names themselves


@dataclass(frozen=True)
class Family:
    """One KPI family: a name ``pattern``, its ``unit``, which way is ``better``, a ``meaning``.

    ``bounds`` are the natural range of a value (NaN aside: a KPI is NaN
    where it is undefined, e.g. the SLA of a channel nobody wrote to); None
    (the default) means the unit's.
    """

    pattern: str
    unit: Unit
    better: Better
    meaning: str
    bounds: tuple[float, float] | None = None
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.bounds is None:
            object.__setattr__(self, "bounds", self.unit.bounds)
        parts, last = [], 0
        for m in _TOKEN.finditer(self.pattern):
            parts.append(re.escape(self.pattern[last:m.start()]))
            if m.group(1) == "band":
                parts.append("(?:" + "|".join(BANDS) + ")")
            elif m.group(1):
                if m.group(1) not in PLACEHOLDERS:
                    raise ValueError(f"{self.pattern!r}: unknown placeholder <{m.group(1)}>")
                parts.append(_FREE)
            else:
                parts.append("(?:" + "|".join(m.group(2).split(",")) + ")")
            last = m.end()
        parts.append(re.escape(self.pattern[last:]))
        object.__setattr__(self, "regex", re.compile("".join(parts) + r"\Z", re.ASCII))

    @property
    def exact(self) -> bool:
        """Whether the pattern is one fixed name (``cost.total``) rather than a family of names."""
        return _TOKEN.search(self.pattern) is None

    def matches(self, name: str) -> bool:
        """Whether KPI ``name`` belongs to this family."""
        return self.regex.match(name) is not None

    def names(self, channels: Sequence[str], pools: Sequence[str]) -> list[str]:
        """Every name of this family in a run with these ``channels`` and ``pools``."""
        values = {"channel": [*channels, "all"], "pool": list(pools), "target": [*channels, "link"],
                  "band": list(BANDS)}
        pieces: list[list[str]] = []
        last = 0
        for m in _TOKEN.finditer(self.pattern):
            pieces.append([self.pattern[last:m.start()]])
            pieces.append(values[m.group(1)] if m.group(1) else m.group(2).split(","))
            last = m.end()
        pieces.append([self.pattern[last:]])
        return ["".join(p) for p in product(*pieces)]


_S, _SH, _C = Unit.SECONDS, Unit.SHARE, Unit.CONTACTS
_UP, _DOWN, _NONE = Better.HIGHER, Better.LOWER, Better.NEITHER

CATALOGUE: tuple[Family, ...] = (
    Family("arrived.<channel>", _C, _NONE, "contacts that arrived after the warm-up"),
    Family("needs_reply.<channel>", _C, _NONE, "arrived contacts that need a reply from the brand "
           "(not mentions, not answered by peers)"),
    Family("mentions.<channel>", _C, _NONE, "mentions and praise: no reply needed, never an SLA miss"),
    Family("answered.<channel>", _C, _UP, "contacts that got a first response (resolved or still open)"),
    Family("resolved.<channel>", _C, _NONE, "contacts resolved by the end of the run"),
    Family("abandoned.<channel>", _C, _DOWN, "contacts that left before a first response (abandoned or gave up)"),
    Family("gave_up.<channel>", _C, _DOWN, "customers on public channels who gave up waiting unanswered; "
           "part of `abandoned` unless the channel keeps their post queued (`after_give_up: stay`)"),
    Family("waiting.<channel>", _C, _DOWN, "contacts still waiting for a first response when the run ends"),
    Family("peer.<channel>", _C, _NONE, "contacts answered by other customers before an agent replied"),
    Family("dropped.<channel>", _C, _DOWN, "posts a backlog regime dropped unanswered (drop-after, age cap); "
           "not counted as abandoned"),
    Family("expired.<channel>", _C, _DOWN, "contacts that reached the channel's `expire_after` unanswered"),
    Family("give_up.answered_after.<channel>", _C, _NONE, "posts an agent answered after their author gave up "
           "(channels with `after_give_up: stay`)"),
    Family("give_up.still_open.<channel>", _C, _DOWN, "posts whose author gave up, still unanswered in the queue "
           "when the run ends"),
    Family("give_up.exposure_after.<channel>", Unit.FOLLOWER_HOURS, _DOWN, "follower-hours of exposure accrued "
           "after the author gave up"),
    Family("still_open.public", _C, _DOWN, "unanswered posts still queued at the end, over every public channel"),
    Family("sla.<channel>", _SH, _UP, "first response within the channel's SLA target, over contacts "
           "that need a reply and can be judged: a contact that left unanswered is a miss; one still "
           "waiting at the end is a miss once older than the target and left out while younger (censored)"),
    Family("within_{1h,24h}.<channel>", _SH, _UP, "first response within 1 hour / 24 hours"),
    Family("abandon.<channel>", _SH, _DOWN, "abandoned (or gave up) over contacts that need a reply"),
    Family("frt.{mean,p50,p90,p99}.<channel>", _S, _DOWN, "first-response time of the answered contacts"),
    Family("ttr.{mean,p90}.<channel>", _S, _DOWN, "time to resolution of the resolved contacts"),
    Family("censored.<channel>", _C, _DOWN, "contacts needing a reply still without a first response when the run "
           "ends (censored: their response time is only known to exceed their age)"),
    Family("frt_km.{p50,p90}.<channel>", _S, _DOWN, "first-response time over every contact needing a reply "
           "(Kaplan-Meier: still-waiting contacts censored at their age, leavers never answered); NaN when never reached"),
    Family("sla_km.<channel>", _SH, _UP, "Kaplan-Meier share of every contact needing a reply answered within "
           "the channel's SLA target (the SLA rule, young still-waiting contacts weighted by their chance)"),
    Family("opened_per_day.<channel>", Unit.CONTACTS_PER_DAY, _NONE, "contacts needing a reply per simulated day "
           "(peer-answered included)"),
    Family("resolved_per_day.<channel>", Unit.CONTACTS_PER_DAY, _NONE, "contacts resolved per simulated day"),
    Family("exposure.total", Unit.FOLLOWER_HOURS, _DOWN, "follower-weighted time public complaints "
           "waited for a reply (follower-hours), all channels"),
    Family("exposure.top1_share", _SH, _DOWN, "share of the exposure carried by the top 1 % of complainers"),
    Family("exposure.<channel>", Unit.FOLLOWER_HOURS, _DOWN, "follower-hours of exposure on the channel "
           "(0 on private channels)"),
    Family("churn.expected", Unit.CUSTOMERS, _DOWN, "expected number of customers lost, all channels"),
    Family("churn.expected.<channel>", Unit.CUSTOMERS, _DOWN, "expected number of customers lost on the channel"),
    Family("churn.rate.<channel>", _SH, _DOWN, "expected churners over contacts needing a reply"),
    Family("revenue_at_risk", Unit.MONEY, _DOWN, "expected churners times the value of a customer"),
    Family("bumps.total", _C, _NONE, "follow-ups (bumps) customers posted while waiting for a reply"),
    Family("deflections.total", _C, _NONE, "contacts deflected to another channel or a link"),
    Family("deflections.to.<target>", _C, _NONE, "deflected contacts by where they were sent"),
    Family("peer_answers.total", _C, _NONE, "contacts answered by other customers (peer support)"),
    Family("bot_replies.total", _C, _NONE, "first responses sent by a bot"),
    Family("retries.total", _C, _NONE, "contacts that tried another channel after giving up on one"),
    Family("viral.total", _C, _NONE, "complaints set off by another customer's unanswered public complaint"),
    Family("frt_band.{p50,p90}.<band>", _S, _DOWN, "first-response time by the author's follower band, "
           "public channels only: the price of favouring influencers"),
    Family("frt_band.n.<band>", _C, _NONE, "answered contacts in the follower band, public channels only"),
    Family("bumped.{lt1h,1h_6h,6h_24h,gt24h}.<channel>", _SH, _NONE, "share of the contacts an agent answered "
           "that bumped before the first reply, by the wait to it; public channels (`all`: every public "
           "channel), NaN on private ones"),
    Family("answered_in.{lt1h,1h_6h,6h_24h,gt24h}.<channel>", _C, _NONE, "contacts an agent answered, by the "
           "wait to the first reply; public channels (`all`: every public channel), NaN on private ones"),
    Family("utilisation.<pool>", _SH, _NONE, "share of on-duty agent time spent serving contacts, "
           "over the measured window (warm-up and drain left out)"),
    Family("agent_hours.total", Unit.AGENT_HOURS, _DOWN, "agent-hours on duty in the measured window, all pools"),
    Family("agent_hours.<pool>", Unit.AGENT_HOURS, _DOWN, "agent-hours on duty in the measured window "
           "(after the warm-up, before the drain)"),
    Family("drain_busy_hours.<pool>", Unit.AGENT_HOURS, _NONE, "agent-hours spent serving during the drain "
           "after the horizon (kept out of utilisation)"),
    Family("cost.total", Unit.MONEY, _DOWN, "agent-hours times each pool's cost per hour"),
)
"""Every KPI family, in the order the docs list them."""

_EXACT = {f.pattern: f for f in CATALOGUE if f.exact}
_PATTERNS = tuple(f for f in CATALOGUE if not f.exact)


@lru_cache(maxsize=4096)  # tables and comparisons look the same few hundred names up per cell
def find(name: str) -> Family | None:
    """The family KPI ``name`` belongs to, or None; a fixed name (``exposure.total``) wins over a pattern."""
    if name in _EXACT:
        return _EXACT[name]
    return next((f for f in _PATTERNS if f.matches(name)), None)


def direction(name: str) -> int:
    """+1 when a higher value of KPI ``name`` is better, -1 when lower is, 0 for neither or unknown."""
    family = find(name)
    return int(family.better) if family else 0


def kind(name: str) -> str:
    """How KPI ``name`` is treated: ``'time'`` (seconds), ``'share'`` (0..1), ``'amount'``; ``'other'`` if unknown."""
    family = find(name)
    return family.unit.kind if family else "other"


def names(channels: Sequence[str], pools: Sequence[str]) -> list[str]:
    """Every KPI name a run with these ``channels`` and ``pools`` emits, in catalogue order."""
    return list(dict.fromkeys(n for f in CATALOGUE for n in f.names(channels, pools)))


def _candidates(name: str) -> Iterable[str]:
    """Names to suggest for a misspelt ``name``: each family filled with the user's own last part."""
    parts = name.split(".")
    fill = parts[-1] if len(parts) > 1 else "twitter"
    for family in CATALOGUE:
        filled = _TOKEN.sub(lambda m: fill if m.group(1) else "{" + m.group(2) + "}", family.pattern)
        yield from family.names([fill], [fill]) if "{" in filled or "<band>" in family.pattern else [filled]


def unknown(name: str, place: str, among: Iterable[str] | None = None) -> UserError:
    """Return (not raise) the one-line ``UserError`` for a KPI ``name`` that no family matches.

    With ``among`` (the names one scenario reports, from :func:`names`), for a
    name that is not among them. The message names ``place``, the name and up
    to three close names (only those nearly as close as the closest).
    """
    pool = dict.fromkeys(_candidates(name) if among is None else among)
    scored = sorted(((difflib.SequenceMatcher(None, name, c).ratio(), c) for c in pool if c != name), reverse=True)
    best = scored[0][0] if scored else 0.0
    close = [c for score, c in scored[:3] if score >= max(0.5, best - 0.1)]
    if close:
        hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        hint = "expected a name such as 'sla.twitter' or 'frt.p90.email' (see docs/kpis.md)"
    what = "a KPI carebench reports" if among is None else "a KPI of this scenario"
    return UserError(f"{place}: {name!r} is not {what}; {hint}")


def _bounds_text(low: float, high: float) -> str:
    def one(x: float) -> str:
        return "∞" if math.isinf(x) else f"{x:g}"
    return f"[{one(low)}, {one(high)}]" if math.isfinite(high) else f"≥ {one(low)}"


_BETTER_TEXT = {Better.HIGHER: "higher", Better.LOWER: "lower", Better.NEITHER: "neither"}


def markdown() -> str:
    """The docs' KPI page (``docs/kpis.md``), generated from the catalogue."""
    lines = [
        "# KPIs",
        "",
        "<!-- Generated from simulator/kpis/catalogue.py; do not edit by hand. -->",
        "",
        "This page is generated from the KPI catalogue (`carebench.kpis.catalogue`): after changing",
        "the catalogue, regenerate it with `python -m carebench.kpis > docs/kpis.md`. A test fails",
        "when the page differs from what the catalogue generates, and another when a run emits a",
        "KPI the catalogue does not declare (or the catalogue declares one no run emits).",
        "",
        "Every run reports a flat dictionary of KPIs named `<measure>[.<statistic>].<channel>`.",
        "Contacts arriving during the warm-up are left out. A KPI is NaN (empty in CSV files) where",
        "it is undefined, e.g. the SLA of a channel nobody wrote to. *Better* is the direction that",
        "`carebench compare` calls better and `carebench check` guards against regressions;",
        "KPIs that are better neither way are volumes or descriptions and are never called better or",
        "worse. Thresholds (`sla.twitter >= 90%`, `frt.p90.email < 24h`) are checked against the",
        "unit and bounds: times need a duration with a unit, shares lie between 0 and 1 (or are",
        "written as percentages), other amounts are plain numbers of at least 0.",
        "",
        "`carebench kpis` prints this table in the terminal; `carebench kpis SCENARIO` lists every",
        "KPI name a run of that scenario reports.",
        "",
        "In the names below:",
        "",
        *[f"- `<{k}>` is {v}" for k, v in PLACEHOLDERS.items()],
        "- `{a,b}` is one of the listed statistics, e.g. `frt.p90.email`",
        "",
        "| KPI | unit | better | bounds | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in CATALOGUE:
        lines.append(f"| `{f.pattern}` | {f.unit.label} | {_BETTER_TEXT[f.better]} | "
                     f"{_bounds_text(*f.bounds)} | {f.meaning} |")
    return "\n".join(lines) + "\n"
