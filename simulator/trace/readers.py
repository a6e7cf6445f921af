"""Reading traces: the twcs format, a generic CSV with a column mapping, and counts per interval.

A bad row (an unreadable time or number) is one :class:`UserError` line
naming the file, the line and the column; with ``skip_bad`` it is skipped
and counted instead. A column mapping role may join columns with ``+``
(``arrival=date+start`` reads ``"1999-01-01 00:06"``).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import replace
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from carebench.trace.records import CountTrace, Trace
from carebench.trace.timeparse import parse_instant, parse_times, wall_seconds, zone
from carebench.util.errors import UserError
from carebench.util.units import parse_duration

class _Zones:
    """The zone naive times are read in and the zone wall-clock times are given in."""

    def __init__(self, naive, local, origin: float = 0.0):
        self.naive, self.local, self.origin = naive, local, origin


__all__ = ["read_trace", "ROLES", "COUNT_ROLES", "FORMATS", "parse_columns", "parse_where"]

ROLES = ("arrival", "channel", "brand", "customer", "first_reply", "resolution", "handle", "followers", "id")
"""Column roles of a generic CSV trace; only ``arrival`` is required."""
COUNT_ROLES = ("start", "count", "channel")
FORMATS = ("auto", "csv", "twcs", "counts")
_TWCS_HEADER = ("tweet_id", "author_id", "inbound", "created_at")


def parse_columns(texts: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``('arrival=created', ...)`` from ``--column`` flags into a role → column mapping."""
    out = {}
    for text in texts:
        role, sep, col = text.partition("=")
        role = role.strip()
        if not sep or not col.strip():
            raise UserError(f"--column {text!r}: expected ROLE=COLUMN such as 'arrival=created_at'")
        if role not in ROLES + COUNT_ROLES:
            raise UserError(f"--column {text!r}: unknown role {role!r}, expected one of "
                            f"{', '.join(dict.fromkeys(ROLES + COUNT_ROLES))}")
        out[role] = col.strip()
    return out


def parse_where(texts: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``('reply_to_own_handle=0', ...)`` from ``--where`` flags: keep only rows with these values."""
    out = {}
    for text in texts:
        col, sep, value = text.partition("=")
        if not sep or not col.strip():
            raise UserError(f"--where {text!r}: expected COLUMN=VALUE such as 'reply_to_own_handle=0'")
        out[col.strip()] = value.strip()
    return out


def read_trace(path: str | Path, fmt: str = "auto", *, columns: Mapping[str, str] | None = None, tz: str = "UTC",
               brand: str | None = None, where: Mapping[str, str] | None = None,
               skip_bad: bool = False, naive_tz: str | None = None,
               origin: str | None = None) -> Trace | CountTrace:
    """Read a trace file of format ``fmt`` (``auto`` tells twcs and counts files by their header).

    Profiles are in ``tz``; times without an offset are read as wall-clock
    times in ``naive_tz`` (default: ``tz``), e.g. UTC times reported in Nairobi time.
    ``origin`` (a date) makes plain numbers seconds after that wall-clock
    instant rather than Unix epoch seconds.
    """
    path = Path(path)
    if not path.is_file():  # checked before opening: opening a FIFO would block
        what = "expected a regular trace file, got a FIFO, device or directory" if os.path.lexists(path) \
            else "no such trace file"
        raise UserError(f"{path}: {what}")
    zinfo = _Zones(zone(naive_tz or tz), zone(tz), _origin(origin))
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise UserError(f"{path}: empty file, expected a header row")
        header = [h.strip() for h in header]
        fmt = _detect(header, fmt, columns or {})
        rows = _filtered(reader, header, where or {}, path)
        if fmt == "twcs":
            from carebench.trace.twcs import read_twcs

            return read_twcs(path, header, rows, zinfo, tz, brand, skip_bad)
        cols = dict(columns or {})
        if fmt == "counts":
            return _read_counts(path, header, rows, cols, zinfo, tz, skip_bad)
        trace = _read_csv(path, header, rows, cols, zinfo, tz, skip_bad)
    if brand is not None:
        trace = _one_brand(trace, brand, path)
    return trace


def _origin(text: str | None) -> float:
    if text is None:
        return 0.0
    try:
        return wall_seconds(text) or 1e-9  # 1970-01-01 itself: a tiny non-zero marks "given"
    except UserError as exc:
        raise UserError(f"--origin: {exc}") from None


def _detect(header: list[str], fmt: str, columns: Mapping[str, str]) -> str:
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if fmt != "auto":
        return fmt
    if tuple(header[:4]) == _TWCS_HEADER:
        return "twcs"
    if "count" in columns or ("calls" in header and "arrival" not in columns):
        return "counts"
    return "csv"


def _filtered(reader, header, where: Mapping[str, str], path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line, row)`` pairs of the rows matching every ``where`` condition."""
    idx = {}
    for col, value in where.items():
        if col not in header:
            raise UserError(f"{path}: --where {col}={value}: no column {col!r}; columns: {', '.join(header)}")
        idx[header.index(col)] = value
    if not idx:
        yield from enumerate(reader, start=2)
        return
    for line, row in enumerate(reader, start=2):
        if all(i < len(row) and row[i].strip() == v for i, v in idx.items()):
            yield line, row


def _getter(path: Path, header: list[str], role: str, spec: str):
    parts = [p.strip() for p in spec.split("+")]
    missing = [p for p in parts if p not in header]
    if missing:
        raise UserError(f"{path}: --column {role}={spec}: no column {missing[0]!r}; columns: {', '.join(header)}")
    idx = [header.index(p) for p in parts]
    if len(idx) == 1:
        (i,) = idx
        return lambda row: row[i].strip() if i < len(row) else ""
    return lambda row: " ".join(row[i].strip() if i < len(row) else "" for i in idx)


def _bad(path: Path, line: int, column: str, expected: str, got: str) -> UserError:
    return UserError(f"{path}:{line}: column {column!r}: expected {expected}, got {got!r}")


_TIME = "a time such as 2020-05-01 14:02:37"
_PLAIN = re.compile(r"^-?\d+(\.\d*)?$")  # a bare number of seconds


def _read_csv(path, header, rows, cols, zinfo, tz, skip_bad) -> Trace:
    if "arrival" not in cols:
        if "arrival" in header:
            cols["arrival"] = "arrival"
        else:
            raise UserError(f"{path}: expected an arrival column: name it with --column arrival=COLUMN "
                            f"(columns: {', '.join(header)})")
    get = {role: _getter(path, header, role, spec) for role, spec in cols.items() if role in ROLES}
    pairs = list(rows)
    lines = [line for line, _ in pairs]
    raw = {role: [fn(row) for _, row in pairs] for role, fn in get.items()}
    # Whole columns are converted at once; a row that fails is found by its own mask.
    values, bad = {}, np.zeros(len(lines), bool)
    first_bad: tuple[int, str, str, str] | None = None
    for role in get:
        vals, fails, expected = _column(role, raw[role], zinfo)
        values[role] = vals
        if fails.any():
            i = int(np.argmax(fails))
            if first_bad is None or lines[i] < first_bad[0]:
                first_bad = (lines[i], cols[role], expected, raw[role][i])
            bad |= fails
    if first_bad is not None and not skip_bad:
        raise _bad(path, *first_bad)
    keep = ~bad
    out = {role: (v[0][keep], v[1][keep]) if isinstance(v, tuple) else v[keep] for role, v in values.items()}
    return _assemble(str(path), tz, out, int(bad.sum()))


def _column(role: str, texts: list[str], zinfo):
    """One column converted: ``(values, failed_mask, what_was_expected)``."""
    if role in ("arrival", "first_reply", "resolution"):
        epoch, wall, fails = parse_times(texts, zinfo, allow_empty=role != "arrival")
        return (epoch, wall), fails, _TIME
    if role in ("handle", "followers"):
        out = np.full(len(texts), np.nan)
        fails = np.zeros(len(texts), bool)
        for i, text in enumerate(texts):
            try:
                out[i] = _number(role, text, duration=role == "handle")
            except _BadCell:
                fails[i] = True
        expected = "a duration such as 300 (seconds) or 5m" if role == "handle" else "a non-negative number"
        return out, fails, expected
    return np.asarray(texts, dtype=object), np.zeros(len(texts), bool), ""


class _BadCell(Exception):
    def __init__(self, role: str, expected: str, got: str):
        self.role, self.expected, self.got = role, expected, got


def _number(role: str, text: str, duration: bool = False) -> float:
    if not text:
        return np.nan
    try:
        value = float(text) if (not duration or _PLAIN.match(text)) else parse_duration(text)
    except (ValueError, UserError):
        raise _BadCell(role, "a duration such as 300 (seconds) or 5m" if duration else "a number", text) from None
    if not value >= 0:
        raise _BadCell(role, "a non-negative value", text)
    return float(value)


def _assemble(source: str, tz: str, out: dict[str, list], skipped: int) -> Trace:
    epoch, arrival = out["arrival"]
    cols: dict = {}
    present = set()
    for role in ("channel", "brand", "customer"):
        if role in out:
            cols[role], _ = out[role], present.add(role)
    for role, name in (("first_reply", "latency"), ("resolution", "resolution")):
        if role in out:
            t, wall = out[role]
            cols[name] = t - epoch
            present.add(name)
            if role == "first_reply":
                cols["reply"] = wall
    for role in ("handle", "followers"):
        if role in out:
            cols[role], _ = out[role], present.add(role)
    notes = []
    if "latency" in cols and (cols["latency"] < 0).any():
        bad = int((cols["latency"] < 0).sum())
        notes.append(f"{bad} first replies earlier than their contact were dropped as unknown")
        cols["latency"] = np.where(cols["latency"] < 0, np.nan, cols["latency"])
    trace = Trace.build(source, tz, arrival, present=present, skipped=skipped, notes=notes, **cols)
    if "id" in out:
        trace = _dedupe(trace, np.asarray(out["id"], dtype=object)[np.argsort(arrival, kind="stable")])
    return trace


def _dedupe(trace: Trace, ids: np.ndarray) -> Trace:
    """Merge rows with the same contact id: the first row (earliest arrival) with the earliest reply kept."""
    order = np.lexsort((np.nan_to_num(trace.latency, nan=np.inf), ids))
    first = np.ones(order.size, bool)
    first[1:] = ids[order][1:] != ids[order][:-1]
    keep = np.zeros(len(trace), bool)
    keep[order[first]] = True
    merged = trace.subset(keep)
    dropped = len(trace) - len(merged)
    note = f"{dropped} rows repeating a contact id merged into their contact"
    return replace(merged, notes=merged.notes + (note,)) if dropped else merged


def _one_brand(trace: Trace, brand: str, path: Path) -> Trace:
    brands = sorted(set(trace.brand.tolist()) - {""})
    if brand not in brands:
        raise UserError(f"{path}: --brand {brand!r}: not in the trace; brands: {', '.join(brands) or 'none'}")
    return trace.subset(trace.brand == brand)


def _read_counts(path, header, rows, cols, zinfo, tz, skip_bad) -> CountTrace:
    start_spec = cols.get("start") or ("date+start" if {"date", "start"} <= set(header) else "start")
    count_spec = cols.get("count") or ("calls" if "calls" in header else "count")
    get_start = _getter(path, header, "start", start_spec)
    get_count = _getter(path, header, "count", count_spec)
    starts, counts, skipped = [], [], 0
    for line, row in rows:
        text, ctext = get_start(row), get_count(row)
        try:
            wall = parse_instant(text, zinfo)[1]
        except (ValueError, OverflowError, OSError):
            if not skip_bad:
                raise _bad(path, line, start_spec, _TIME, text) from None
            skipped += 1
            continue
        if not re.fullmatch(r"\d+(\.0*)?", ctext):
            if not skip_bad:
                raise _bad(path, line, count_spec, "a whole number of arrivals", ctext) from None
            skipped += 1
            continue
        starts.append(wall)
        counts.append(float(ctext))
    if not starts:
        raise UserError(f"{path}: no intervals read")
    start = np.array(starts)
    order = np.argsort(start, kind="stable")
    start, count = start[order], np.array(counts)[order]
    gaps = np.diff(start)
    gaps = gaps[gaps > 0]
    interval = float(gaps.min()) if gaps.size else 3600.0
    return CountTrace(str(path), tz, start, interval, count, cols.get("channel", "phone"), skipped)
