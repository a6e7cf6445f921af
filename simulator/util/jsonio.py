"""Strict JSON text for every file carebench writes: no NaN, numpy scalars as Python numbers."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

__all__ = ["to_json"]


def _clean(value: Any) -> Any:
    """NaN and infinity become ``null`` so the JSON is strict; numpy scalars become Python."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def to_json(data: Any) -> str:
    """Strict JSON text (no NaN) with stable key order."""
    return json.dumps(_clean(data), indent=2, allow_nan=False) + "\n"
