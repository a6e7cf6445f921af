"""Timestamps of a trace as explicit-time-zone instants.

A trace's times are read as ISO 8601 (``2020-05-01 14:02:37``, with or
without an offset), the twcs format (``Wed Oct 04 13:59:33 +0000 2017``) or
seconds: Unix epoch seconds, or seconds after an ``origin`` date (a
carebench contact log's times are seconds after a Monday midnight). A time without an offset is a wall-clock time in the
trace's time zone (``--tz``, UTC unless given). Each instant is kept twice:
as UTC epoch seconds (so durations across a daylight-saving change are
right) and as wall-clock seconds in the trace's zone (so hour-of-day and
weekday profiles are the local ones the support hours are written in).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from carebench.util.errors import UserError

__all__ = ["zone", "parse_instant", "parse_times", "wall_seconds", "wall_text", "parse_wall"]

_TWCS = "%a %b %d %H:%M:%S %z %Y"
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)\s*$")
_EPOCH = datetime(1970, 1, 1)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``'UTC'``, ``'Africa/Nairobi'``), or a one-line error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"--tz {name!r}: expected an IANA time zone such as 'UTC' or 'Europe/London'") from None


def parse_instant(text: str, tz) -> tuple[float, float]:
    """``(utc_epoch_seconds, wall_seconds_in_tz)`` of one timestamp; ``ValueError`` if unreadable.

    ``tz`` is a zone, or an object with ``naive`` (the zone of times without an
    offset) and ``local`` (the zone of the wall-clock result).
    """
    origin = getattr(tz, "origin", 0.0)
    naive, tz = (tz.naive, tz.local) if hasattr(tz, "naive") else (tz, tz)
    text = text.strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.strptime(text, _TWCS)
        except ValueError:
            seconds = float(text)  # raises ValueError when not a number
            if origin:  # seconds after a wall-clock origin in the naive zone (a simulated log's times)
                dt = datetime.fromtimestamp(origin + seconds, timezone.utc).replace(tzinfo=naive)
            else:
                dt = datetime.fromtimestamp(seconds, timezone.utc)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=naive)
    epoch = dt.timestamp()
    local = dt.astimezone(tz)
    return epoch, epoch + local.utcoffset().total_seconds()


def wall_seconds(text: str) -> float:
    """Wall-clock seconds since 1970-01-01 of a date or naive time such as ``2020-05-01``."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"expected a date such as 2020-05-01 or 2020-05-01T08:00, got {text!r}") from None
    return (dt.replace(tzinfo=None) - _EPOCH).total_seconds()


def parse_wall(text: str | None, place: str) -> float | None:
    """:func:`wall_seconds` of an optional command-line date, naming the flag in an error."""
    if text is None:
        return None
    try:
        return wall_seconds(text)
    except UserError as exc:
        raise UserError(f"{place}: {exc}") from None


def wall_text(seconds: float) -> str:
    """Wall-clock seconds since 1970-01-01 as ``2020-05-01 14:02``."""
    return datetime.fromtimestamp(float(seconds), timezone.utc).strftime("%Y-%m-%d %H:%M")


def _offsets(seconds: np.ndarray, tz) -> np.ndarray:
    """UTC offsets (seconds) of ``tz`` at each UTC epoch second, looked up once per distinct hour."""
    hours = np.floor(seconds / 3600.0)
    uniq, inv = np.unique(hours, return_inverse=True)
    offs = np.array([datetime.fromtimestamp(h * 3600.0, timezone.utc).astimezone(tz).utcoffset().total_seconds()
                     for h in uniq.tolist()])
    return offs[inv] if uniq.size else np.zeros(0)


def parse_times(texts: list[str], tz, allow_empty: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(utc_epoch, wall, failed)`` arrays of many timestamps (NaN where empty and ``allow_empty``).

    Naive ISO times, the common case, are converted by numpy as a block and
    shifted by offsets looked up once per hour; anything else goes one by one
    through :func:`parse_instant`.
    """
    n = len(texts)
    naive, local = (tz.naive, tz.local) if hasattr(tz, "naive") else (tz, tz)
    epoch, wall, fails = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, bool)
    arr = np.asarray(texts, dtype=object)
    empty = np.array([not t.strip() for t in texts], bool) if n else np.zeros(0, bool)
    if empty.any() and not allow_empty:
        fails |= empty
    todo = ~empty
    try:
        given = arr[todo].tolist()
        if any(_OFFSET.search(t) or "-" not in t for t in given):
            raise ValueError("offsets, plain numbers and other formats go one by one")
        stamps = np.array(given, dtype="datetime64[s]") if given else np.zeros(0, "datetime64[s]")
        block = stamps.astype("int64").astype(float)
    except (ValueError, TypeError, OverflowError):
        for i in np.nonzero(todo)[0].tolist():
            try:
                epoch[i], wall[i] = parse_instant(texts[i], tz)
            except (ValueError, OverflowError, OSError):
                fails[i] = True
        return epoch, wall, fails
    # ``block`` is wall-clock seconds in the naive zone: to UTC, then to the local zone's wall clock.
    utc = block - _offsets(block, naive)
    utc = block - _offsets(utc, naive)  # once more, so instants near a clock change use their own offset
    epoch[todo], wall[todo] = utc, utc + _offsets(utc, local)
    return epoch, wall, fails
