"""Writers of run results: ``kpis.json``, ``timeseries.csv`` and the per-contact log.

Writers take a directory and plain data; they are used inside an atomic
result directory (see :mod:`carebench.util.atomic`), so a run that fails or is
interrupted leaves no half-written result behind.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from carebench.engine.recorder import CONTACT_COLUMNS, TO_LINK
from carebench.engine.results import RunResult
from carebench.model.kinds import OUTCOME_NAMES
from carebench.output.identities import IdentityPool
from carebench.util.jsonio import to_json

__all__ = ["write_kpis", "write_timeseries", "ContactLog"]


def write_kpis(directory: Path, result: RunResult, extra: dict[str, Any] | None = None) -> Path:
    """``kpis.json``: the run's identity, every KPI, SLA by hour, daily counts and extras."""
    data = result.to_dict()
    data.pop("timeseries")
    data.update(extra or {})
    path = directory / "kpis.json"
    path.write_text(to_json(data), encoding="utf-8")
    return path


def write_timeseries(directory: Path, result: RunResult) -> Path:
    """``timeseries.csv``: one row per time bin, one column per series and channel or pool."""
    ts = result.timeseries
    columns = {"time_s": ts["time"]["start"], "day": [int(t // 86400) + 1 for t in ts["time"]["start"]]}
    for series, per in ts.items():
        if series == "time":
            continue
        for name, values in per.items():
            columns[f"{series}.{name}"] = values
    path = directory / "timeseries.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(zip(*(_fmt(v) for v in columns.values())))
    return path


def _fmt(values: list) -> list:
    """Floats to 10 significant digits; NaN (undefined) as an empty field."""
    return ["" if isinstance(v, float) and v != v else f"{v:.10g}" if isinstance(v, float) else v for v in values]


class ContactLog:
    """A streaming per-contact log (CSV, or Parquet when pyarrow is installed).

    Called with each batch of contact rows the recorder flushes; memory stays
    flat. Adds the channel name, outcome name and a Faker identity.
    """

    def __init__(self, directory: Path, fmt: str, channels: tuple[str, ...], seed: int):
        self.fmt = fmt
        self.channels = channels
        self.identities = IdentityPool(seed)
        self.path = directory / f"contacts.{fmt}"
        self._writer: Any = None
        self._fh: Any = None

    def __call__(self, cols: dict[str, np.ndarray]) -> None:
        """Append one batch of rows."""
        table = self._table(cols)
        if self.fmt == "csv":
            self._write_csv(table)
        else:
            self._write_parquet(table)

    def _table(self, cols: dict[str, np.ndarray]) -> dict[str, list]:
        customer = np.where(cols["retry_of"] >= 0, cols["retry_of"], cols["id"])
        names, handles = self.identities.lookup(customer)
        table: dict[str, list] = {}
        for name in CONTACT_COLUMNS:
            values = cols[name]
            if name == "channel":
                table[name] = [self.channels[i] for i in values.tolist()]
            elif name == "outcome":
                table[name] = [OUTCOME_NAMES[i] for i in values.tolist()]
            elif name == "deflected_to":
                table[name] = ["" if i == -1 else "link" if i == TO_LINK else self.channels[i] for i in values.tolist()]
            else:
                table[name] = values.tolist()
        table["customer"], table["name"], table["handle"] = customer.tolist(), names, handles
        return table

    def _write_csv(self, table: dict[str, list]) -> None:
        if self._fh is None:
            self._fh = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(table)
        self._writer.writerows(zip(*(_fmt(v) for v in table.values())))

    def _write_parquet(self, table: dict[str, list]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        batch = pa.table(table)
        if self._writer is None:
            self._writer = pq.ParquetWriter(str(self.path), batch.schema)
        self._writer.write_table(batch)

    def close(self) -> None:
        """Finish the file (an empty run still gets a header-only CSV)."""
        if self.fmt == "csv":
            if self._fh is None:
                self._fh = self.path.open("w", newline="", encoding="utf-8")
                csv.writer(self._fh).writerow([*CONTACT_COLUMNS, "customer", "name", "handle"])
            self._fh.close()
        elif self._writer is not None:
            self._writer.close()
