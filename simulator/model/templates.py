"""Shift templates: the shifts a pool is allowed to work, from which a schedule picks headcounts.

A template is a family of shifts: start times on a grid (``start`` to
``latest_start`` every ``every``), one or more ``lengths``, the ``weekdays``
(and optionally the run ``days``) it may be used on, breaks placed relative
to the start, a price per agent-hour and limits on the agents of each shift
it produces. A roster chosen from templates is a count per shift instance
(template, start, length, run day), so a shift can be staffed differently on
every day, or used on one day only (``days: [5]`` for a Black Friday). The
engine never reads templates: a schedule writes its choice back as ordinary
``shifts`` with one ``days`` entry each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.functional_serializers import PlainSerializer
from pydantic.functional_validators import BeforeValidator

from carebench.model.calendar import WEEKDAYS, parse_days
from carebench.model.distributions import Duration, NonNegative
from carebench.util.units import DAY, HOUR, parse_clock

__all__ = ["TemplateBreak", "Template", "ShiftInstance", "clock_text"]


def clock_text(seconds: float) -> str:
    """``'HH:MM'`` for seconds after midnight (24:00 and later wrap to the next day)."""
    seconds = seconds % DAY
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def _weekdays(value: object) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return tuple(value)
    if not isinstance(value, str):
        raise ValueError(f"expected weekdays such as 'mon-fri' or 'daily', got {value!r}")
    return parse_days(value)


Weekdays = Annotated[tuple[int, ...], BeforeValidator(_weekdays)]
Clock = Annotated[float, BeforeValidator(parse_clock), PlainSerializer(clock_text, when_used="json")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class TemplateBreak(_Model):
    """Every agent of the shift off duty for ``duration``, ``after`` the shift starts (paid)."""

    after: Duration = Field(gt=0)
    duration: Duration = Field(gt=0)


class Template(_Model):
    """A family of allowed shifts of one pool (see the module doc).

    ``min_agents`` / ``max_agents`` bound each shift instance (one start,
    length and day); ``part_time`` marks shifts that count against the
    pool's ``max_part_time_share``; ``cost_per_hour`` defaults to the pool's.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    start: Clock
    latest_start: Clock | None = None
    every: Duration = Field(default="1h", gt=0)
    lengths: tuple[Duration, ...] = Field(min_length=1)
    weekdays: Weekdays = "daily"  # type: ignore[assignment]
    days: tuple[Annotated[int, Field(ge=1)], ...] = ()
    breaks: tuple[TemplateBreak, ...] = ()
    cost_per_hour: NonNegative | None = None
    min_agents: int = Field(default=0, ge=0)
    max_agents: int | None = Field(default=None, ge=0)
    part_time: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Template:
        if self.latest_start is not None and self.latest_start < self.start:
            raise ValueError("latest_start: expected a clock time at or after start")
        if self.max_agents is not None and self.max_agents < self.min_agents:
            raise ValueError(f"max_agents: expected at least min_agents ({self.min_agents}), got {self.max_agents}")
        for i, length in enumerate(self.lengths):
            if not 0 < length < DAY:
                raise ValueError(f"lengths.{i}: expected a length shorter than 24h, got {length:.0f}s")
            for j, brk in enumerate(self.breaks):
                if brk.after + brk.duration > length:
                    raise ValueError(f"breaks.{j}: expected the break to end within every length, "
                                     f"it ends {(brk.after + brk.duration) / HOUR:g}h in, after the {length / HOUR:g}h one")
        return self

    def starts(self) -> list[float]:
        """Start clock times (seconds after midnight) on the template's grid."""
        last = self.start if self.latest_start is None else self.latest_start
        out, t = [], self.start
        while t <= last + 1e-9 and t < DAY:
            out.append(t)
            t += self.every
        return out

    def instances(self, pool: str, horizon: float) -> list[ShiftInstance]:
        """Every shift this template allows on the run days that start before ``horizon``."""
        ndays = int(-(-horizon // DAY))
        out = []
        for day in range(1, ndays + 1):
            if (day - 1) % 7 not in self.weekdays or (self.days and day not in self.days):
                continue
            for start in self.starts():
                begin = (day - 1) * DAY + start
                if begin >= horizon:
                    continue
                out.extend(ShiftInstance(pool, self.name, day, start, length, self.part_time)
                           for length in self.lengths)
        return out


@dataclass(frozen=True)
class ShiftInstance:
    """One shift a template allows: a pool's template, started at ``start`` on run day ``day``."""

    pool: str
    template: str
    day: int
    start: float
    length: float
    part_time: bool

    @property
    def begin(self) -> float:
        """Absolute start in seconds from the run start."""
        return (self.day - 1) * DAY + self.start

    @property
    def label(self) -> str:
        """``pool/template day 3 (wed) 08:00+8h``."""
        return (f"{self.pool}/{self.template} day {self.day} ({WEEKDAYS[(self.day - 1) % 7]}) "
                f"{clock_text(self.start)}+{self.length / HOUR:g}h")

    def hours_text(self) -> str:
        """The shift as weekly hours in the scenario grammar, e.g. ``'wed 22:00-06:00'``."""
        end = clock_text(self.start + self.length)
        end = "24:00" if end == "00:00" else end
        return f"{WEEKDAYS[(self.day - 1) % 7]} {clock_text(self.start)}-{end}"
