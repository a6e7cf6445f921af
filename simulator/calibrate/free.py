"""Free parameters of a calibration: ``PATH=LOW..HIGH`` over a scenario's dotted paths.

Any path ``--set`` accepts can be free: a pool's headcount
(``pools.team.agents=1..30``, whole numbers since both ends are), a handle
time (``channels.twitter.handle_time.mean=2m..2h``, a duration since the
ends have units), a policy's or a behaviour's parameter
(``behaviour.bumps.share_who_bump=0..0.6``). A positive range spanning a
factor of ten or more is searched on a log scale, so ``1m..12h`` gives the
minutes as much room as the hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carebench.util.errors import UserError
from carebench.util.units import parse_duration

__all__ = ["FreeParameter", "parse_free"]

_NUMBER = re.compile(r"^-?\d+(\.\d*)?([eE]-?\d+)?$")


@dataclass(frozen=True)
class FreeParameter:
    """One searched parameter: a path, its range and how its values are written."""

    path: str
    low: float
    high: float
    kind: str  # "int", "float" or "duration"

    @property
    def log_scale(self) -> bool:
        """Whether the range is searched on a log scale (positive, spanning at least a factor of 10)."""
        return self.kind != "int" and self.low > 0 and self.high >= 10 * self.low

    def value(self, unit: float):
        """The scenario value at position ``unit`` in [0, 1] of the range (geometric for wide ranges)."""
        u = min(max(unit, 0.0), 1.0)
        x = self.low * (self.high / self.low) ** u if self.log_scale else self.low + u * (self.high - self.low)
        if self.kind == "int":
            return int(round(x))
        return f"{x:.6g}s" if self.kind == "duration" else float(f"{x:.6g}")

    def text(self, value) -> str:
        """``path=value`` as ``--set`` would take it."""
        return f"{self.path}={value}"


def parse_free(text: str) -> FreeParameter:
    """Parse ``--free PATH=LOW..HIGH``."""
    path, sep, rng = text.partition("=")
    low, dots, high = rng.partition("..")
    path, low, high = path.strip(), low.strip(), high.strip()
    if not sep or not dots or not path or not low or not high:
        raise UserError(f"--free {text!r}: expected PATH=LOW..HIGH such as 'pools.team.agents=1..30'")
    if _NUMBER.match(low) and _NUMBER.match(high):
        kind = "int" if re.fullmatch(r"-?\d+", low) and re.fullmatch(r"-?\d+", high) else "float"
        lo, hi = float(low), float(high)
    else:
        try:
            lo, hi, kind = parse_duration(low), parse_duration(high), "duration"
        except (ValueError, UserError):
            raise UserError(f"--free {text!r}: expected numbers or durations such as 2m..2h") from None
    if not hi > lo:
        raise UserError(f"--free {text!r}: expected LOW below HIGH")
    return FreeParameter(path, lo, hi, kind)
