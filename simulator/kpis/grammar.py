"""Threshold expressions over KPIs (``sla.twitter >= 0.90``): their grammar and unit checks.

Judging a threshold on a confidence interval lives in :mod:`carebench.gate.thresholds`;
scenario files declare thresholds, so the loader parses them with this module.

Grammar: ``<kpi> <op> <value>`` with whitespace optional around the operator.

- ``kpi`` is a dotted name such as ``frt.p90.email``.
- ``op`` is one of ``<``, ``<=``, ``>``, ``>=``. ``==`` is refused: a KPI
  estimated from replications is never exactly equal to anything, so the test
  would fail at random.
- ``value`` is a number (``0.9``, ``-3``, ``2.0e6``, ``1_000`` with Python's
  underscore grouping), a percentage (``5%`` is 0.05) or a duration (``24h``,
  ``90m``, ``1h30m``, ``20s``; stored in seconds).

Values are checked against what the KPI measures, as the KPI catalogue
(:mod:`carebench.kpis.catalogue`) declares it, because a unit slip would
otherwise pass silently: times (``frt.*``, ``ttr.*``, ``frt_band.p90.*``) need
a duration, since a bare ``24`` would be 24 seconds; shares (``sla.*``,
``within_*``, ``abandon.*``, ``utilisation.*``, ``churn.rate.*``,
``exposure.top1_share``) lie between 0 and 1 and may be written as a
percentage; counts and amounts (``agent_hours.*`` is in hours, not seconds)
take plain numbers of at least 0. A name the catalogue does not know is
refused with close names suggested: no run would report it, and its unit
would be a guess.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field

import numpy as np

from carebench.kpis.catalogue import Family, Unit, find, kind, unknown
from carebench.util.errors import UserError
from carebench.util.units import format_duration, parse_duration

__all__ = ["Threshold", "parse_threshold", "show_value", "kpi_kind"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_KPI = re.compile(r"^[A-Za-z_][\w-]*(?:\.[\w-]+)*$", re.ASCII)
_NUM = r"[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_PERCENT = re.compile(rf"^({_NUM})\s*%$")
_SPLIT = re.compile(r"^(?P<kpi>[^<>=!≤≥]*)(?P<op>[<>=!≤≥]+)(?P<value>.*)$", re.DOTALL)
_OP_HINTS = {"=<": "<=", "=>": ">=", "≤": "<=", "≥": ">=", "<<": "<", ">>": ">"}
_EXPECTED_OP = "expected <, <=, > or >= between a KPI name and a value"


def kpi_kind(kpi: str) -> str:
    """What KPI ``kpi`` measures: ``'time'`` (seconds), ``'share'`` (0..1), ``'amount'`` or ``'other'`` (unknown)."""
    return kind(kpi)


def _range_problem(family: Family, kpi: str, value: float) -> str | None:
    low, high = family.bounds
    if low <= value <= high:
        return None
    if family.unit is Unit.SHARE:
        return f"{kpi!r} is a share between 0 and 1; write e.g. 0.9 or 90%"
    what = "a time" if family.unit is Unit.SECONDS else f"in {family.unit.label}"
    return f"{kpi!r} is {what} and cannot be negative"


def _duration_text(seconds: float) -> str:
    short = format_duration(seconds)
    try:
        if parse_duration(short) == seconds:
            return short
    except ValueError:
        pass
    return np.format_float_positional(seconds, trim="-") + "s"


def show_value(kpi: str, value: float) -> str:
    """Render a value of KPI ``kpi`` for people: a duration for times, 4 significant digits otherwise."""
    if kind(kpi) == "time" and math.isfinite(value):
        return format_duration(value)
    return f"{value:.4g}"


@dataclass(frozen=True)
class Threshold:
    """One gate ``kpi op value``; ``value`` is in the KPI's unit (seconds for times).

    ``text`` is the expression as the user wrote it (for messages) and takes no
    part in equality, so ``5%`` and ``0.05`` give equal thresholds. ``str()``
    gives a canonical expression that ``parse_threshold`` reads back to an
    equal threshold. Built directly, a bad field raises ``ValueError``.
    """

    kpi: str
    op: str
    value: float
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"op {self.op!r}: expected one of {sorted(_OPS)}")
        if not _KPI.match(self.kpi):
            raise ValueError(f"kpi {self.kpi!r}: expected a dotted name such as 'sla.twitter'")
        object.__setattr__(self, "value", float(self.value))
        family = find(self.kpi)
        if not math.isfinite(self.value):
            problem: str | None = "value must be finite"
        elif family is None:
            problem = f"{self.kpi!r} is not a KPI carebench reports (see carebench.kpis.catalogue)"
        else:
            problem = _range_problem(family, self.kpi, self.value)
        if problem:
            raise ValueError(f"threshold {self.kpi} {self.op} {self.value!r}: {problem}")
        if not self.text:
            object.__setattr__(self, "text", str(self))

    @property
    def wants_higher(self) -> bool:
        """Whether the gate asks the KPI to be above the value (``>`` or ``>=``)."""
        return self.op in (">", ">=")

    def holds(self, x: float) -> bool:
        """Return whether the single number ``x`` satisfies ``x op value``."""
        return bool(_OPS[self.op](x, self.value))

    def __str__(self) -> str:
        seconds = kind(self.kpi) == "time"
        shown = _duration_text(self.value) if seconds else repr(self.value)
        return f"{self.kpi} {self.op} {shown}"


def _fail(text: str, why: str) -> UserError:
    return UserError(f"threshold {text!r}: {why}")


def _read_value(raw: str) -> tuple[str, float] | None:
    if _NUMBER.match(raw):
        return "number", float(raw.replace("_", ""))
    percent = _PERCENT.match(raw)
    if percent:
        return "percent", float(percent.group(1).replace("_", "")) / 100.0
    try:
        return "duration", parse_duration(raw)
    except ValueError:
        return None


def _form_problem(family: Family, kpi: str, form: str, value: float) -> str | None:
    unit = family.unit
    if unit is Unit.SECONDS and (form == "percent" or (form == "number" and value != 0)):
        return f"{kpi!r} is a time; give a duration with a unit such as '24h', '90m' or '20s'"
    what = "a share between 0 and 1" if unit is Unit.SHARE else f"a count or amount in {unit.label}"
    if form == "duration" and unit is not Unit.SECONDS:
        return f"{kpi!r} is {what}, not a time in seconds; write a plain number"
    if form == "percent" and unit.kind == "amount":
        return f"{kpi!r} is {what}, not a share; write a plain number"
    return None


def _split(text: str) -> tuple[str, str, str]:
    match = _SPLIT.match(text)
    if not match:
        raise _fail(text, _EXPECTED_OP)
    kpi, op, raw = match.group("kpi").strip(), match.group("op"), match.group("value").strip()
    if op in ("=", "=="):
        raise _fail(
            text,
            f"{op!r} cannot gate a KPI estimated from replications (it is never exactly "
            "equal); use <, <=, > or >=",
        )
    if op not in _OPS:
        hint = f" (did you mean {_OP_HINTS[op]!r}?)" if op in _OP_HINTS else ""
        raise _fail(text, _EXPECTED_OP + hint)
    if not kpi:
        raise _fail(text, f"expected a KPI name such as 'sla.twitter' before {op!r}")
    if not _KPI.match(kpi):
        raise _fail(text, f"expected a dotted KPI name such as 'sla.twitter', got {kpi!r}")
    return kpi, op, raw


def parse_threshold(text: str) -> Threshold:
    """Parse ``'<kpi> <op> <value>'`` into a ``Threshold``; see the module docstring.

    Raises ``UserError`` with one line naming the expression and what was
    expected, e.g. ``threshold 'sla.twitter >> 0.9': expected <, <=, > or >=
    between a KPI name and a value (did you mean '>'?)``.
    """
    if not isinstance(text, str):
        raise UserError(f"threshold {text!r}: expected text such as 'sla.twitter >= 0.9'")
    text = text.strip()
    kpi, op, raw = _split(text)
    family = find(kpi)
    if family is None:
        raise unknown(kpi, f"threshold {text!r}")
    read = _read_value(raw) if raw else None
    if read is None:
        got = repr(raw) if raw else "nothing"
        raise _fail(
            text,
            f"expected a number (0.9, 2.0e6, 1_000), a percentage (5%) or a duration "
            f"(24h, 90m) after {op!r}, got {got}",
        )
    form, value = read
    if not math.isfinite(value):
        raise _fail(text, f"expected a finite value, got {raw!r}")
    problem = _form_problem(family, kpi, form, value) or _range_problem(family, kpi, value)
    if problem:
        raise _fail(text, problem)
    return Threshold(kpi, op, value, text)


