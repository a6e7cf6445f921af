"""The team in a scenario: pools of agents, their shifts and breaks, and the templates a schedule chooses from."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from carebench.model.calendar import daily_spans
from carebench.model.distributions import Duration, NonNegative
from carebench.model.fields import Clock, Model, Share, Windows
from carebench.model.fields import clock_text as _clock_text
from carebench.model.templates import Template
from carebench.util.units import DAY

__all__ = ["Break", "Shift", "Pool"]


class Break(Model):
    """``agents`` of a shift off duty for ``duration`` from ``start`` (a clock time) every shift day.

    A staggered lunch is several breaks: ``[{start: "12:00", duration: 30m,
    agents: 2}, {start: "12:30", duration: 30m, agents: 2}]``.
    """

    start: Clock
    duration: Duration = Field(gt=0, lt=DAY)
    agents: int = Field(ge=1)


class Shift(Model):
    """A weekly window when ``agents`` of a pool are on duty (default: the pool's size).

    ``breaks`` take some of them off duty each day the shift runs; a break
    must lie inside every window of ``hours``. ``days`` (run days, 1 = the
    first) limits the shift to the windows that start on those days, so a
    shift can run on one day only (an incident day); empty means every week.
    """

    hours: Windows
    agents: int | None = Field(default=None, ge=0)
    breaks: tuple[Break, ...] = ()
    days: tuple[Annotated[int, Field(ge=1)], ...] = ()

    def windows(self, end: float) -> list[tuple[float, float]]:
        """Absolute on-duty windows over ``[0, end)``, only those starting on ``days`` when given."""
        spans = self.hours.expand(0.0, end)
        if not self.days:
            return spans
        return [(a, b) for a, b in spans if int(a // DAY) + 1 in self.days]

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        for i, brk in enumerate(self.breaks):
            try:
                daily_spans(self.hours, brk.start, brk.duration)
            except ValueError as exc:
                raise ValueError(
                    f"breaks.{i}: expected the break at {_clock_text(brk.start)} inside every window of "
                    f"{self.hours.text!r}, got {exc}"
                ) from None
        return self

    def on_break(self, clock: float) -> int:
        """Agents of this shift on break at ``clock`` (seconds after midnight)."""
        return sum(b.agents for b in self.breaks if (clock - b.start) % DAY < b.duration)


class Pool(Model):
    """A group of agents skilled for some channels, on duty during its shifts."""

    agents: int = Field(ge=0, le=100_000)
    channels: tuple[str, ...] = Field(min_length=1)
    shifts: tuple[Shift, ...] = (Shift(hours="24/7"),)  # type: ignore[arg-type]
    cost_per_hour: NonNegative = 0.0
    prefer: tuple[str, ...] = ()
    templates: tuple[Template, ...] = ()
    max_part_time_share: Share = 1.0

    @model_validator(mode="after")
    def _prefer_within_skills(self) -> Pool:
        unknown = [c for c in self.prefer if c not in self.channels]
        if unknown:
            raise ValueError(f"prefer lists {unknown[0]!r}, expected one of the pool's channels {list(self.channels)}")
        return self

    @model_validator(mode="after")
    def _breaks_within_shift(self) -> Pool:
        for i, shift in enumerate(self.shifts):
            on_shift = self.agents_on_shift(shift)
            for brk in shift.breaks:
                off = shift.on_break(brk.start)
                if off > on_shift:
                    raise ValueError(
                        f"shifts.{i}.breaks: expected at most the shift's {on_shift} agents on break "
                        f"at {_clock_text(brk.start)}, got {off}"
                    )
        return self

    @model_validator(mode="after")
    def _shifts_within_headcount(self) -> Pool:
        for i, shift in enumerate(self.shifts):
            if shift.agents is not None and shift.agents > self.agents:
                raise ValueError(
                    f"shifts.{i}.agents: expected at most the pool's {self.agents} agents on duty, got "
                    f"{shift.agents}; raise the pool's agents (its headcount) or lower the shift's"
                )
        return self

    @model_validator(mode="after")
    def _template_names(self) -> Pool:
        names = [t.name for t in self.templates]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"templates: expected distinct names, got {twice[0]!r} more than once")
        return self

    def agents_on_shift(self, shift: Shift) -> int:
        """Agents on duty during ``shift``."""
        return self.agents if shift.agents is None else shift.agents
