"""Rows to a pandas DataFrame, for notebooks; pandas stays an optional dependency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["to_frame"]


def to_frame(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None):
    """A ``pandas.DataFrame`` of ``rows`` (columns in ``columns`` order, if given).

    Raises ``ImportError`` naming the install command when pandas is missing:
    the rest of carebench works without it (use ``.rows()`` instead).
    """
    try:
        import pandas
    except ImportError:
        raise ImportError("to_frame() needs pandas, which carebench does not install by itself: "
                          "pip install pandas (or 'carebench[frames]'), or use .rows() for plain dicts") from None
    return pandas.DataFrame.from_records(list(rows), columns=list(columns) if columns is not None else None)
