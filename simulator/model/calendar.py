"""The simulated week: weekday names, weekly opening windows and their expansion over a run.

Simulation time 0 is Monday 00:00 of day 1. Support hours and shifts are
written as weekly windows in one small grammar::

    "mon-fri 09:00-17:00"                 # weekdays, office hours
    "mon-fri 08:00-20:00, sat 09:00-13:00"
    "daily 22:00-06:00"                   # overnight: runs into the next day
    "24/7"

Named templates (the support hours the seed articles describe) expand to the
same grammar, see :data:`TEMPLATES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carebench.util.units import DAY, WEEK, parse_clock

__all__ = ["WEEKDAYS", "WEEKDAY_LABELS", "TEMPLATES", "WeeklyWindows", "parse_windows", "parse_days", "daily_spans"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = tuple(day.title() for day in WEEKDAYS)
"""The weekdays as tables and chart axes print them: Mon ... Sun."""

TEMPLATES: dict[str, str] = {
    "24/7": "daily 00:00-24:00",
    # "Business hours" as UK care teams declare them (BT Care in the seed article).
    "business": "mon-fri 08:00-18:00, sat 09:00-17:00",
    # Virgin Media: "team members support until 10 pm".
    "until_22": "daily 08:00-22:00",
    # TalkTalk: "9-5 on weekdays" only.
    "weekdays_9_17": "mon-fri 09:00-17:00",
    # Sky: "quite generous hours".
    "extended": "daily 07:00-23:00",
    "closed": "",
}

_DAY_ALIASES = {"daily": WEEKDAYS, "weekdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:]}
_ITEM = re.compile(r"^\s*(?P<days>[a-z,\-]+)\s+(?P<start>\d{1,2}:\d\d)\s*-\s*(?P<end>\d{1,2}:\d\d)\s*$")


def parse_days(text: str) -> tuple[int, ...]:
    """Return weekday indices (Mon=0) for ``'mon-fri'``, ``'sat,sun'``, ``'daily'``, ``'weekdays'``."""
    text = text.strip().lower()
    if text in _DAY_ALIASES:
        return tuple(WEEKDAYS.index(d) for d in _DAY_ALIASES[text])
    days: list[int] = []
    for part in text.split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(e not in WEEKDAYS for e in ends):
            raise ValueError(
                f"expected days such as 'mon-fri', 'sat,sun' or 'daily', got {text!r}"
            )
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        days.extend(d for d in span if d not in days)
    return tuple(days)


@dataclass(frozen=True)
class WeeklyWindows:
    """Disjoint, sorted ``(start, end)`` intervals in seconds since Monday 00:00, repeating weekly.

    ``text`` keeps what the user wrote so the scenario can be shown back.
    """

    intervals: tuple[tuple[float, float], ...]
    text: str

    @property
    def always(self) -> bool:
        """True when the windows cover the whole week."""
        return self.intervals == ((0.0, WEEK),)

    def weekly_seconds(self) -> float:
        """Open seconds per week."""
        return sum(b - a for a, b in self.intervals)

    def is_open(self, t: float) -> bool:
        """Whether time ``t`` (seconds from the run start) falls inside a window."""
        w = t % WEEK
        return any(a <= w < b for a, b in self.intervals)

    def expand(self, start: float, end: float) -> list[tuple[float, float]]:
        """Absolute open intervals overlapping ``[start, end)``, clipped to it."""
        out: list[tuple[float, float]] = []
        week = int(start // WEEK) * WEEK
        while week < end:
            for a, b in self.intervals:
                lo, hi = max(week + a, start), min(week + b, end)
                if lo < hi:
                    if out and out[-1][1] >= lo:
                        out[-1] = (out[-1][0], hi)
                    else:
                        out.append((lo, hi))
            week += WEEK
        return out


def _merge(raw: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Wrap intervals into one week, then sort and merge overlapping ones."""
    pieces: list[tuple[float, float]] = []
    for a, b in raw:
        if b <= WEEK:
            pieces.append((a, b))
        else:  # an overnight Sunday window continues on Monday
            pieces.extend([(a, WEEK), (0.0, b - WEEK)])
    pieces.sort()
    merged: list[tuple[float, float]] = []
    for a, b in pieces:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def parse_windows(text: str) -> WeeklyWindows:
    """Parse a template name or a comma-separated list of ``days HH:MM-HH:MM`` items.

    Raises ``ValueError`` naming the expected form; the scenario loader adds the place.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected weekly hours such as 'mon-fri 09:00-17:00' or '24/7', got {text!r}")
    source = TEMPLATES.get(text.strip(), text)
    raw: list[tuple[float, float]] = []
    for item in _split_items(source):
        match = _ITEM.match(item.lower())
        if not match:
            raise ValueError(
                f"expected weekly hours such as 'mon-fri 09:00-17:00' or one of "
                f"{', '.join(repr(k) for k in TEMPLATES)}, got {text!r}"
            )
        start, end = parse_clock(match["start"]), parse_clock(match["end"])
        if end == start:
            raise ValueError(f"expected a window with end after start, got {item.strip()!r}")
        length = end - start if end > start else end + DAY - start
        for day in parse_days(match["days"]):
            raw.append((day * DAY + start, day * DAY + start + length))
    if not raw and not text.strip():  # 'closed' says so; an empty text is more likely a slip
        raise ValueError(f"expected at least one weekly window such as 'mon-fri 09:00-17:00' or '24/7', got {text!r}"
                         " (write 'closed' if it is never meant to open)")
    return WeeklyWindows(_merge(raw), text.strip())


def _split_items(source: str) -> list[str]:
    """Split on the commas that separate items, not the ones inside a day list (``sat,sun``)."""
    items: list[str] = []
    for chunk in source.split(","):
        if items and not re.search(r"\d\d:\d\d\s*$", items[-1]):
            items[-1] += "," + chunk
        elif chunk.strip():
            items.append(chunk)
    return items


def daily_spans(windows: WeeklyWindows, clock: float, duration: float) -> tuple[tuple[float, float], ...]:
    """Weekly ``(start, end)`` offsets of something that happens daily at ``clock`` inside ``windows``.

    It happens on every day a window is open at ``clock`` (a lunch break in
    a shift). Raises ``ValueError`` naming the offending window when a window
    holds no occurrence or an occurrence runs past its window's end. Offsets may pass the end of the
    week when a window runs through Sunday midnight.
    """
    if windows.always:
        return tuple((day * DAY + clock, day * DAY + clock + duration) for day in range(7))
    intervals = list(windows.intervals)
    if len(intervals) > 1 and intervals[0][0] == 0.0 and intervals[-1][1] == WEEK:
        head = intervals.pop(0)  # Sunday night runs on into Monday morning
        intervals[-1] = (intervals[-1][0], WEEK + head[1])
    spans: list[tuple[float, float]] = []
    for a, b in intervals:
        t = -(-(a - clock) // DAY) * DAY + clock  # the first occurrence at or after a
        if t >= b:
            raise ValueError(f"a window that is closed at {_clock_text(clock)}")
        while t < b:
            if t + duration > b:
                raise ValueError("a window that ends before the break does")
            spans.append((t, t + duration))
            t += DAY
    return tuple(sorted(spans))


def _clock_text(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"
