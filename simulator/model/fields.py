"""Building blocks every scenario block shares: the frozen base model, names, clock times, windows, shares."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.functional_serializers import PlainSerializer
from pydantic.functional_validators import BeforeValidator

from carebench.model.calendar import WeeklyWindows, parse_windows
from carebench.util.units import parse_clock

__all__ = ["Model", "Windows", "Clock", "Share", "check_name", "clock_text"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Model(BaseModel):
    """Base of every scenario block: frozen, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _windows(value: object) -> WeeklyWindows:
    return value if isinstance(value, WeeklyWindows) else parse_windows(value)  # type: ignore[arg-type]


Windows = Annotated[WeeklyWindows, BeforeValidator(_windows), PlainSerializer(lambda w: w.text)]
def _clock_text(seconds: float) -> str:
    """Seconds after midnight as ``HH:MM``."""
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


Clock = Annotated[float, BeforeValidator(parse_clock), PlainSerializer(_clock_text, when_used="json")]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _check_name(name: str, what: str) -> str:
    """Return ``name`` if it is a valid scenario name (lower-case, digits, ``_``); else raise ``ValueError``."""
    if not _NAME.match(name):
        raise ValueError(
            f"expected a {what} name of lower-case letters, digits and '_' "
            f"starting with a letter, got {name!r}"
        )
    return name


check_name = _check_name
clock_text = _clock_text
