"""Durations as people write them (``14d``, ``90m``, ``1h30m``, ``30s``) and back.

Simulation time is a float number of seconds from Monday 00:00 of day 1.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "SECOND",
    "MINUTE",
    "HOUR",
    "DAY",
    "WEEK",
    "parse_duration",
    "format_duration",
    "parse_clock",
    "parse_rate",
]

SECOND = 1.0
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY

_UNITS = {"w": WEEK, "d": DAY, "h": HOUR, "m": MINUTE, "s": SECOND}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([wdhms])")
_WHOLE = re.compile(r"^\s*(?:(?:\d+(?:\.\d*)?|\.\d+)\s*[wdhms]\s*)+$")
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def parse_duration(text: object) -> float:
    """Return the number of seconds in a duration such as ``'1h30m'`` or ``'14d'``.

    A bare ``0`` is accepted; any other bare number is refused because its unit
    would be a guess. Raises ``ValueError`` with the expected form otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a duration such as '1h', got {text!r}")
    if isinstance(text, (int, float)):
        if text == 0:
            return 0.0
        raise ValueError(
            f"expected a duration such as '1h' (with a unit: s, m, h, d, w), got {text!r}"
        )
    if not isinstance(text, str) or not _WHOLE.match(text.lower()):
        raise ValueError(f"expected a duration such as '1h', got {text!r}")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text.lower()))
    if not math.isfinite(seconds):
        raise ValueError(f"expected a finite duration, got {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds in the largest units that keep it short: ``5400 -> '1h30m'``."""
    if not math.isfinite(seconds):
        return "inf" if seconds > 0 else "-inf"
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 60:
        return f"{seconds:.3g}s"
    parts = []
    rest = round(seconds)
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND)):
        n, rest = divmod(rest, int(size))
        if n:
            parts.append(f"{n}{unit}")
        if len(parts) == 2:
            break
    return "".join(parts) or "0s"


def parse_clock(text: object) -> float:
    """Return seconds after midnight for a clock time ``'HH:MM'`` (``'24:00'`` is end of day)."""
    if not isinstance(text, str) or not _CLOCK.match(text.strip()):
        raise ValueError(f"expected a clock time such as '09:00', got {text!r}")
    hours, minutes = (int(p) for p in text.strip().split(":"))
    if hours == 24 and minutes:
        raise ValueError(f"expected a clock time up to '24:00', got {text!r}")
    return hours * HOUR + minutes * MINUTE


_RATE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*/\s*(\d*(?:\.\d*)?\s*[wdhms])\s*$")


def parse_rate(text: object) -> float:
    """Return a rate per second from ``'100/h'``, ``'2400/d'``, ``'30/30m'`` or ``'0.5/s'``."""
    match = _RATE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"expected a rate such as '100/h' or '2400/d', got {text!r}")
    count = float(text.split("/")[0])
    per = match.group(2).strip()
    seconds = parse_duration(per if per[0].isdigit() or per[0] == "." else "1" + per)
    if seconds <= 0:
        raise ValueError(f"expected a rate over a positive duration, got {text!r}")
    return count / seconds
