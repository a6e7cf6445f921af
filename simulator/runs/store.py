"""Finished tasks kept on disk, so an interrupted sweep resumes without rerunning them.

Each finished task is one small JSON file, ``<directory>/tasks/<key>.json``,
written atomically (a reader sees a whole file or none). A stored result is
reused only for the task it answers: same variant name and number, same
scenario fingerprint, same replication and seed. Anything else in the folder
is ignored and overwritten when that task runs.

Results are :class:`~carebench.runs.tasks.TaskResult` by default; any result
type with ``key``, ``to_dict``, ``from_dict`` and ``answers(task)`` is kept
the same way (a mystery-shopper study's brand runs are).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from carebench.load.yamlio import read_regular_file
from carebench.runs.tasks import Task, TaskResult
from carebench.util.atomic import atomic_write_text
from carebench.util.errors import UserError
from carebench.util.jsonio import to_json

__all__ = ["TaskStore", "MemoryStore"]


class TaskStore:
    """The ``tasks/`` folder of an output directory."""

    def __init__(self, directory: str | Path, result_type: Any = TaskResult):
        self.folder = Path(directory) / "tasks"
        self.result_type = result_type

    def path(self, key: str) -> Path:
        """Where the result of the task with ``key`` is kept."""
        return self.folder / f"{key}.json"

    def load(self, task: Task) -> Any:
        """The stored result of ``task``, or None if there is none that answers it.

        A file that cannot be read as a result (say, from an older layout) is
        treated as missing: the task simply runs again.
        """
        path = self.path(task.key)
        try:
            result = self.result_type.from_dict(json.loads(read_regular_file(path, 100_000_000, "task file")))
        except (UserError, OSError, ValueError, KeyError, TypeError):
            return None
        if not result.answers(task):
            return None
        if getattr(result, "frt_histograms", None) == {}:  # kept by a version that did not return them
            return None
        return result

    def save(self, result: Any) -> Path:
        """Keep ``result`` (atomically); return its path."""
        return atomic_write_text(self.path(result.key), to_json(result.to_dict()))


class MemoryStore:
    """Results already at hand, offered to :func:`carebench.runs.replicate.execute` like a ``TaskStore``.

    ``carebench run --replications`` runs its first replication in full (plots,
    time series) and hands that result over here, so it is not run twice.
    """

    def __init__(self, results: list[TaskResult] | None = None):
        self._results = {r.key: r for r in results or []}

    def load(self, task: Task) -> Any:
        """The kept result of ``task``, if any answers it."""
        result = self._results.get(task.key)
        return result if result is not None and result.answers(task) else None

    def save(self, result: TaskResult) -> None:
        """Keep ``result`` in memory."""
        self._results[result.key] = result
