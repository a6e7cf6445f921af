"""Fenced blocks of the README and docs/*.md, and the convention that says which ones run.

A fence's info string decides what happens to it:

- ``sh``: run with ``bash -euo pipefail`` in a fresh directory holding a
  ``scenarios/`` symlink to the shipped scenarios, the venv's ``bin`` first on PATH;
- ``sh slow``: as ``sh``, but only in the slow selection (``-m slow``; CI runs it): the few
  examples that run a study or several replicated variants and take some seconds;
- ``sh skip-install``: the README's quick-start set-up commands (a venv and a pip
  install cannot be re-run inside the suite); tests compare them with ``.ci/run``
  and ``pyproject.toml`` instead;
- ``python``: the page's python blocks run in order in one process, in such a directory;
- ``text output``: what the ``sh`` block just before it prints; that block's real output
  is checked to have the same row labels;
- ``text``, ``yaml``, ``console``: shown, not run.

Any other info string (an empty one included) is an error, so nothing escapes
execution by a typo; so is a fence left open, which would swallow the page after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = {"sh", "sh slow", "python"}
SHOWN = {"text", "yaml", "console", "text output", "sh skip-install"}
INFO_STRINGS = RUN | SHOWN
FENCE = re.compile(r"^(`{3,})(.*)$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its info string and its text."""

    page: str
    line: int
    info: str
    text: str

    @property
    def id(self) -> str:
        """``page:line``, the block's name in test ids and error messages."""
        return f"{self.page}:{self.line}"


def parse(text: str, page: str) -> list[Block]:
    """The fenced blocks of one markdown text; ValueError on an unknown info string or an open fence."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        ticks, info = match.group(1), " ".join(match.group(2).split())
        if info not in INFO_STRINGS:
            raise ValueError(
                f"{page}:{i + 1}: unknown fence info string {info!r}; expected one of {sorted(INFO_STRINGS)}"
            )
        start, body = i + 1, []
        i += 1
        while i < len(lines) and lines[i].rstrip() != ticks:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{page}:{start}: the fence opened here is never closed")
        blocks.append(Block(page, start, info, "\n".join(body) + "\n"))
        i += 1
    return blocks


def pages() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def all_blocks() -> list[Block]:
    """Every fenced block of every page, in page order."""
    return [b for path in pages() for b in parse(path.read_text(), str(path.relative_to(ROOT)))]


def row_labels(text: str) -> list[str]:
    """The first word of each line that carries one without a digit: a table's row and column labels."""
    labels = []
    for line in text.splitlines():
        words = line.split()
        if words and words[0] != "..." and not any(c.isdigit() for c in words[0]):
            labels.append(words[0])
    return labels
