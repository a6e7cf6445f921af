"""JUnit XML for CI systems: one test case per threshold or regression check.

The layout is the common denominator that Jenkins, GitLab and GitHub test
reporters read: ``<testsuites>`` holding one ``<testsuite>`` of
``<testcase>`` elements, a failed case carrying ``<failure message=...>``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from carebench.util.atomic import atomic_write_text

__all__ = ["Case", "junit_xml", "write_junit"]

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Case:
    """One test case: ``passed`` or failed with ``message`` (one line for people).

    ``classname`` groups cases in CI reports (e.g. ``carebench.thresholds``);
    ``time`` is the wall time the case took, in seconds (0 for checks of
    results that were already computed).
    """

    name: str
    classname: str
    passed: bool
    message: str = ""
    time: float = 0.0


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _tree(suite_name: str, cases: Sequence[Case]) -> ET.Element:
    failures = sum(not c.passed for c in cases)
    total_time = f"{sum(c.time for c in cases):.3f}"
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": _clean(suite_name), **counts, "time": total_time})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": _clean(suite_name), **counts, "skipped": "0", "time": total_time},
    )
    for case in cases:
        attrs = {"name": _clean(case.name), "classname": _clean(case.classname)}
        element = ET.SubElement(suite, "testcase", {**attrs, "time": f"{case.time:.3f}"})
        if not case.passed:
            failure = ET.SubElement(element, "failure", {"message": _clean(case.message)})
            failure.text = _clean(case.message)
        elif case.message:
            ET.SubElement(element, "system-out").text = _clean(case.message)
    return root


def junit_xml(suite_name: str, cases: Sequence[Case]) -> str:
    """Return a JUnit XML document (with its XML declaration) for ``cases``.

    Markup characters are escaped by ElementTree; characters that XML 1.0
    cannot hold at all (most control characters) become U+FFFD. A passing
    case's message, if any, goes to ``<system-out>``.
    """
    root = _tree(suite_name, cases)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write_junit(path: str | os.PathLike[str], suite_name: str, cases: Sequence[Case]) -> Path:
    """Write ``junit_xml(suite_name, cases)`` to ``path`` atomically; return the path.

    The document goes to a temporary file in the same directory, which then
    replaces ``path`` in one step, so a reader sees the old file or the new
    one, never half of one. Missing parent directories are created; a
    ``path`` that is a symbolic link, a FIFO or a device is refused, never replaced.
    """
    return atomic_write_text(path, junit_xml(suite_name, cases))
