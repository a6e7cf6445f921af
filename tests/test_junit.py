"""Tests for carebench.gate.junit: well-formed JUnit XML, escaping, atomic writes."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import carebench.gate.junit as junit
from carebench.gate.junit import Case, junit_xml, write_junit

CASES = [
    Case("sla.twitter >= 0.9", "carebench.thresholds", True, "mean 0.92: interval above 0.9"),
    Case("frt.p90.email < 24h", "carebench.thresholds", False, "interval straddles 1d"),
    Case("abandon.phone <= 5%", "carebench.thresholds", False, "interval above 0.05"),
    Case("churn.expected <= 120", "carebench.thresholds", True),
]


def test_public_api_is_listed_and_documented() -> None:
    for name in junit.__all__:
        assert getattr(junit, name).__doc__, name


def test_counts_cases_and_failures() -> None:
    root = ET.fromstring(junit_xml("carebench check", CASES))
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    for element in (root, suite):
        assert element.get("name") == "carebench check"
        counts = (element.get("tests"), element.get("failures"), element.get("errors"))
        assert counts == ("4", "2", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c.name for c in CASES]
    assert [c.get("classname") for c in cases] == ["carebench.thresholds"] * 4
    assert all(c.get("time") == "0.000" for c in cases)
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["frt.p90.email < 24h", "abandon.phone <= 5%"]
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.get("message") == failure.text == "interval straddles 1d"


def test_passing_message_goes_to_system_out() -> None:
    suite = ET.fromstring(junit_xml("s", CASES)).find("testsuite")
    assert suite is not None
    first, last = suite.findall("testcase")[0], suite.findall("testcase")[-1]
    assert first.findtext("system-out") == "mean 0.92: interval above 0.9"
    assert last.find("system-out") is None and last.find("failure") is None


def test_special_characters_are_escaped_and_survive_a_round_trip() -> None:
    nasty = "a < b && c > \"d\" 'e' ]]> <!-- x --> é ☃"
    text = junit_xml(nasty, [Case(nasty, nasty, False, nasty + "\nsecond line")])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case is not None and root.get("name") == nasty
    assert (case.get("name"), case.get("classname")) == (nasty, nasty)
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == failure.text == nasty + "\nsecond line"


def test_characters_xml_cannot_hold_are_replaced() -> None:
    text = junit_xml("s", [Case("bell\x07 nul\x00 esc\x1b", "k", False, "lone \ud800 surrogate")])
    case = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "bell\ufffd nul\ufffd esc\ufffd"
    assert case.findtext("failure") == "lone \ufffd surrogate"


def test_empty_suite_is_valid() -> None:
    root = ET.fromstring(junit_xml("empty", []))
    assert (root.get("tests"), root.get("failures")) == ("0", "0")


def test_write_junit_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "junit.xml"
    assert write_junit(target, "s", CASES) == target
    assert sorted(p.name for p in target.parent.iterdir()) == ["junit.xml"]
    assert target.read_text(encoding="utf-8") == junit_xml("s", CASES)
    write_junit(str(target), "s", CASES[:1])  # replaces the old report
    assert sorted(p.name for p in target.parent.iterdir()) == ["junit.xml"]
    assert ET.parse(target).getroot().get("tests") == "1"


def test_failed_write_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "junit.xml"
    write_junit(target, "old", CASES)
    before = target.read_bytes()

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_junit(target, "new", CASES[:1])
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml"]
