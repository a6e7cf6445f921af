"""Writing tables of rows (CSV, and Parquet when pyarrow is installed), atomically.

Rows are dicts with the same keys; the first row's keys give the columns.
Floats are written in full (``repr``) so a table read back gives the same
numbers; NaN is an empty CSV field and a Parquet null.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from carebench.util.atomic import atomic_write, atomic_write_text

__all__ = ["write_csv", "write_parquet", "have_pyarrow", "csv_text"]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(float(value))  # numpy floats repr as np.float64(...)
    return value


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """The CSV text of ``rows`` (header first); ``columns`` picks and orders the columns."""
    names = list(columns if columns is not None else (rows[0].keys() if rows else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name, math.nan)) for name in names])
    return buffer.getvalue()


def write_csv(path: str | os.PathLike, rows: Sequence[Mapping[str, Any]],
              columns: Sequence[str] | None = None) -> Path:
    """Write ``rows`` as CSV to ``path`` atomically; return the path."""
    return atomic_write_text(path, csv_text(rows, columns))


def have_pyarrow() -> bool:
    """Whether pyarrow is installed (Parquet tables are written only then)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_parquet(path: str | os.PathLike, rows: Sequence[Mapping[str, Any]],
                  columns: Sequence[str] | None = None) -> Path:
    """Write ``rows`` as a Parquet file to ``path`` atomically (needs pyarrow); return the path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    names = list(columns if columns is not None else (rows[0].keys() if rows else []))
    data = {n: [None if isinstance(r.get(n), float) and math.isnan(r[n]) else r.get(n) for r in rows]
            for n in names}
    return atomic_write(target, lambda tmp: pq.write_table(pa.table(data), str(tmp)))
