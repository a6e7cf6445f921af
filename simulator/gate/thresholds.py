"""Threshold expressions that gate a build (``sla.twitter >= 0.90``), judged on an interval.

Regression checks against a baseline live in :mod:`carebench.gate.regression`.

Grammar: ``<kpi> <op> <value>`` with whitespace optional around the operator.

- ``kpi`` is a dotted name such as ``frt.p90.email``.
- ``op`` is one of ``<``, ``<=``, ``>``, ``>=``. ``==`` is refused: a KPI
  estimated from replications is never exactly equal to anything, so the test
  would fail at random.
- ``value`` is a number (``0.9``, ``-3``, ``2.0e6``, ``1_000`` with Python's
  underscore grouping), a percentage (``5%`` is 0.05) or a duration (``24h``,
  ``90m``, ``1h30m``, ``20s``; stored in seconds).

Values are checked against what the KPI measures, because a unit slip would
otherwise pass silently: times (``frt.*``, ``ttr.*``) need a duration, since a
bare ``24`` would be 24 seconds; shares (``sla.*``, ``within_*``,
``abandon.*``, ``utilisation.*``, ``churn.rate.*``, ``exposure.top1_share``)
lie between 0 and 1 and may be written as a percentage; counts and amounts
(``agent_hours.*`` is in hours, not seconds) take plain numbers. KPIs not in
the naming scheme accept any form.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum

import numpy as np

from carebench.util.errors import UserError
from carebench.stats.intervals import Estimate, unknown_kpi
from carebench.util.units import format_duration, parse_duration

__all__ = [
    "Threshold",
    "Rule",
    "Verdict",
    "parse_threshold",
    "evaluate",
    "evaluate_all",
    "show_value",
    "kpi_kind",
]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_KPI = re.compile(r"^[A-Za-z_][\w-]*(?:\.[\w-]+)*$", re.ASCII)
_NUM = r"[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?"
_NUMBER = re.compile(rf"^{_NUM}$")
_PERCENT = re.compile(rf"^({_NUM})\s*%$")
_SPLIT = re.compile(r"^(?P<kpi>[^<>=!≤≥]*)(?P<op>[<>=!≤≥]+)(?P<value>.*)$", re.DOTALL)
_OP_HINTS = {"=<": "<=", "=>": ">=", "≤": "<=", "≥": ">=", "<<": "<", ">>": ">"}
_EXPECTED_OP = "expected <, <=, > or >= between a KPI name and a value"


class _Unit(Enum):
    SECONDS = "a time in seconds"
    SHARE = "a share between 0 and 1"
    AMOUNT = "a count or amount"
    ANY = "not in the naming scheme"


_SHARES = frozenset({"sla", "abandon", "utilisation"})
_AMOUNTS = frozenset(
    {"arrived", "answered", "abandoned", "waiting", "agent_hours", "cost", "exposure", "churn"}
    | {"revenue_at_risk", "bumps", "deflections", "peer_answers"}
)


def _unit(kpi: str) -> _Unit:
    family = kpi.split(".", 1)[0]
    if family in ("frt", "ttr"):
        return _Unit.SECONDS
    if (
        family in _SHARES
        or family.startswith("within_")
        or kpi.startswith("churn.rate.")
        or kpi == "exposure.top1_share"
    ):
        return _Unit.SHARE
    return _Unit.AMOUNT if family in _AMOUNTS else _Unit.ANY


def kpi_kind(kpi: str) -> str:
    """What KPI ``kpi`` measures: ``'time'`` (seconds), ``'share'`` (0..1), ``'amount'`` or ``'other'``."""
    return {_Unit.SECONDS: "time", _Unit.SHARE: "share", _Unit.AMOUNT: "amount"}.get(_unit(kpi), "other")


def _range_problem(kpi: str, value: float) -> str | None:
    unit = _unit(kpi)
    if unit is _Unit.SECONDS and value < 0:
        return f"{kpi!r} is a time and cannot be negative"
    if unit is _Unit.SHARE and not 0.0 <= value <= 1.0:
        return f"{kpi!r} is a share between 0 and 1; write e.g. 0.9 or 90%"
    return None


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
    if _unit(kpi) is _Unit.SECONDS and math.isfinite(value):
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
        problem = None if math.isfinite(self.value) else "value must be finite"
        problem = problem or _range_problem(self.kpi, self.value)
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
        seconds = _unit(self.kpi) is _Unit.SECONDS
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


def _form_problem(kpi: str, form: str, value: float) -> str | None:
    unit = _unit(kpi)
    if unit is _Unit.SECONDS and (form == "percent" or (form == "number" and value != 0)):
        return f"{kpi!r} is a time; give a duration with a unit such as '24h', '90m' or '20s'"
    if form == "duration" and unit in (_Unit.SHARE, _Unit.AMOUNT):
        return f"{kpi!r} is {unit.value}, not a time in seconds; write a plain number"
    if form == "percent" and unit is _Unit.AMOUNT:
        return f"{kpi!r} is {unit.value}, not a share; write a plain number"
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
    problem = _form_problem(kpi, form, value) or _range_problem(kpi, value)
    if problem:
        raise _fail(text, problem)
    return Threshold(kpi, op, value, text)


class Rule(StrEnum):
    """How a threshold is judged against a confidence interval.

    ``INTERVAL`` (the default, conservative): the whole confidence interval
    must lie on the required side, so a pass is statistically convincing; it
    needs at least two replications, and with one every threshold fails with a
    detail saying so. ``MEAN``: the mean alone must lie on the required side,
    which passes about half the time for a system sitting exactly on the
    threshold; use it for single runs or exploration.
    """

    INTERVAL = "interval"
    MEAN = "mean"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one threshold on one estimate.

    ``margin`` is in the KPI's unit: how far the judged point (the interval's
    worse end under ``Rule.INTERVAL``, the mean under ``Rule.MEAN``) lies on
    the required side of the value; negative when it lies on the wrong side.
    ``detail`` is one line for people.
    """

    threshold: Threshold
    estimate: Estimate
    rule: Rule
    passed: bool
    margin: float
    detail: str


def _as_rule(rule: Rule | str) -> Rule:
    try:
        return Rule(rule)
    except ValueError:
        raise UserError(f"rule {rule!r}: expected 'interval' or 'mean'") from None


def _relation(low: float, high: float, value: float) -> str:
    if low > value:
        return "above"
    if high < value:
        return "below"
    return "equal to" if low == high == value else "straddles"


def _judged_point(t: Threshold, e: Estimate, rule: Rule) -> tuple[float, str]:
    if rule is Rule.MEAN:
        return e.mean, f"mean {_relation(e.mean, e.mean, t.value)}"
    point = e.low if t.wants_higher else e.high
    return point, f"interval {_relation(e.low, e.high, t.value)}"


def evaluate(threshold: Threshold, estimate: Estimate, rule: Rule | str = Rule.INTERVAL) -> Verdict:
    """Judge ``threshold`` on ``estimate`` under ``rule`` (interval by default).

    A KPI undefined in every replication (``n == 0``) fails: a gate must not
    pass on no data. Under ``Rule.INTERVAL`` an estimate from one replication
    fails with margin ``-inf`` and a detail suggesting more replications or
    ``Rule.MEAN``.
    """
    rule = _as_rule(rule)
    t, e, kpi = threshold, estimate, threshold.kpi
    if e.n == 0:
        return Verdict(t, e, rule, False, math.nan, f"{kpi} is undefined in every replication")
    if rule is Rule.INTERVAL and e.n < 2:
        why = (
            "1 replication: the interval rule needs 2 or more; add replications or use rule 'mean'"
        )
        return Verdict(t, e, rule, False, -math.inf, why)
    point, where = _judged_point(t, e, rule)
    margin = point - t.value if t.wants_higher else t.value - point
    detail = (
        f"mean {show_value(kpi, e.mean)}, {e.confidence:.0%} CI [{show_value(kpi, e.low)}, "
        f"{show_value(kpi, e.high)}], n={e.n}: {where} {show_value(kpi, t.value)}"
    )
    return Verdict(t, e, rule, t.holds(point), margin, detail)


def evaluate_all(
    thresholds: Sequence[Threshold],
    estimates: Mapping[str, Estimate],
    rule: Rule | str = Rule.INTERVAL,
) -> list[Verdict]:
    """Judge every threshold on the estimate of its KPI, in order.

    Raises ``UserError`` for a threshold whose KPI is not among ``estimates``,
    naming it and suggesting close names.
    """
    verdicts = []
    for t in thresholds:
        if t.kpi not in estimates:
            raise unknown_kpi(t.kpi, estimates, place=f"threshold {t.text!r}")
        verdicts.append(evaluate(t, estimates[t.kpi], rule))
    return verdicts
