"""Rewrite the ``text output`` samples of doc pages with what their commands print now.

The suite checks that each sample's rows still appear in its command's output
(``tests/test_docs.py``), not that its numbers are current; after a change that
moves numbers, run this on the pages concerned and review the diff::

    .venv/bin/python tests/refresh_doc_outputs.py docs/replications.md docs/sweeps.md

Each ``sh`` or ``sh slow`` block followed by a ``text output`` block is run as the
suite runs it (a fresh directory with the shipped scenarios, the venv's
``carebench`` first on PATH), and the sample's text becomes the command's
standard output, with the timestamp of a result directory's name written
``<timestamp>``. Pages are rewritten atomically, one at a time.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_blocks import ROOT, parse  # noqa: E402
from test_docs import run_sh, workdir  # noqa: E402

from carebench.util.atomic import atomic_write_text  # noqa: E402

STAMP = re.compile(r"(?<=-)\d{8}-\d{6}\b")
"""A result directory's timestamp (``compare-default-20261207-201253``)."""


def refreshed(page: Path) -> str:
    """The page's text with every ``text output`` sample replaced by its command's output now."""
    text = page.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    blocks = parse(text, str(page.relative_to(ROOT)))
    # Replace from the bottom up so earlier line numbers stay valid.
    for before, sample in reversed(list(zip(blocks, blocks[1:]))):
        if sample.info != "text output" or before.info not in {"sh", "sh slow"}:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = STAMP.sub("<timestamp>", run_sh(before, workdir(Path(tmp))))
        start = sample.line  # the fence's line (1-based): the body starts on the next one
        end = start + len(sample.text.splitlines())
        lines[start:end] = [out if out.endswith("\n") else out + "\n"]
        print(f"{page.name}:{sample.line}: refreshed from the block at line {before.line}", flush=True)
    return "".join(lines)


def main(argv: list[str]) -> int:
    for name in argv:
        page = (ROOT / name).resolve()
        atomic_write_text(page, refreshed(page))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
