"""The pydantic configuration every policy's parameter dataclass uses."""

from pydantic import ConfigDict

__all__ = ["PARAMS"]

PARAMS = ConfigDict(extra="forbid", frozen=True, validate_default=True)
"""Unknown parameters are errors; parameters never change after construction."""
