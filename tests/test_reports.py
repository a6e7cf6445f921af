"""report.html in every result directory, ``carebench report DIR``, ``--json`` and ``summary.txt``.

The reports are checked as files here (self-contained, deterministic, the
headline and sections present); tests/test_report_browser.py opens them in
a real browser.
"""

from __future__ import annotations

import json
import math
import re
import shutil

import numpy as np
import pytest
from report_results import document_of, inputs, invoke, kind_args, result_of

from carebench.output.html.build import KINDS, report_path, result_kind

ALL = ["run", "run-replicated", "compare", "sweep", "check", "baseline", "shop", "shop plan", "loadtest", "staff",
       "schedule", "fit", "calibrate"]


def test_every_kind_of_result_has_a_test():
    assert {k.replace("run-replicated", "run") for k in ALL} == set(KINDS)
    assert set(ALL) <= set(kind_args(result_of("run").parent))


@pytest.mark.parametrize("kind", ALL)
def test_every_command_leaves_a_self_contained_report_and_its_summary(kind):
    where = result_of(kind)
    page = report_path(where)
    text = page.read_text(encoding="utf-8")
    assert result_kind(where) == kind.replace("-replicated", "")
    if kind not in ("baseline", "fit", "calibrate"):  # these three are one file, not a directory
        assert (where / "summary.txt").read_text().strip()
    # Nothing fetched: no scripts, stylesheets, images or fonts from anywhere.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)", text)  # url(#id): a clip path
    assert not re.search(r"""(src|href)=["'](?!#)""", text)
    assert "default-src 'none'" in text
    doc, charts = document_of(kind)
    plain = re.sub(r"<[^>]+>", "", text)  # PASS and FAIL are coloured spans
    assert doc["headline"] and all(line in plain for line in _escaped(doc["headline"]))
    for s in doc["sections"]:
        assert f'<section id="{s["id"]}">' in text
        for t in s["tables"]:
            assert text.count("<th scope=\"col\">") >= len(t["header"])
    assert 'id="warnings"' in text and 'id="scenario"' in text
    for c in charts:
        assert f'<figure id="{c.id}">' in text and f"<desc id=\"{c.id}-d\">" in text
    assert page.stat().st_size < 600_000


def _escaped(lines):
    import html

    return [html.escape(line, quote=True) for line in lines]


@pytest.mark.parametrize("kind", ["run", "compare", "shop", "schedule", "fit", "calibrate"])
def test_carebench_report_rebuilds_the_same_bytes(kind, tmp_path):
    where = result_of(kind)
    if where.is_file():  # fit and calibrate: a JSON report beside its scenario, the page beside it
        shutil.copytree(where.parent, tmp_path / "copy")
        copy = tmp_path / "copy" / where.name
    else:
        shutil.copytree(where, tmp_path / "copy")
        copy = tmp_path / "copy"
    page = report_path(copy)
    before = page.read_bytes()
    page.unlink()
    result = invoke(["report", str(copy)])
    assert result.output.strip() == f"report: {page}"
    assert page.read_bytes() == before


def test_the_same_scenario_and_seed_give_the_same_report(tmp_path):
    invoke(["run", str(inputs() / "two.yaml"), "--out", str(tmp_path), "-q"])
    (again,) = tmp_path.iterdir()
    assert (again / "report.html").read_bytes() == (result_of("run") / "report.html").read_bytes()


def test_the_run_report_leads_with_each_channels_sla_against_its_goal():
    doc, charts = document_of("run-replicated")
    twitter, phone = doc["headline"][1:3]
    assert re.fullmatch(r"Twitter SLA [\d.]+% ± [\d.]+ against a goal of 80%: (PASS|FAIL|UNCLEAR)", twitter)
    assert phone.startswith("Phone SLA")
    goals = {g["channel"]: g for g in doc["data"]["sla_goals"]}
    e = doc["data"]["kpis"]["sla.twitter"]
    assert goals["twitter"]["verdict"] == ("PASS" if e["low"] >= 0.8 else "FAIL" if e["high"] < 0.8 else "UNCLEAR")
    assert [c.id for c in charts] == ["frt-distribution", "queue-length", "sla-by-hour", "exposure"]


def test_check_json_says_pass_or_fail_and_why(tmp_path):
    args = kind_args(tmp_path)["check"]
    result = invoke([*args[:-1], "--json"], 1)
    doc = json.loads(result.output)
    assert doc["kind"] == "check" and doc["verdict"] == "FAIL"
    assert doc["data"]["passed"] is False and doc["data"]["exit_code"] == 1
    assert doc["data"]["exit_reason"] == "1 of 1 thresholds failed"
    assert doc["data"]["thresholds"][0]["threshold"] == "sla.phone >= 0.99"


@pytest.mark.parametrize("kind", ["run", "shop plan"])
def test_json_prints_one_document_the_same_as_the_report(kind, tmp_path):
    args = [a for a in kind_args(tmp_path)[kind] if a != "-q"] + ["--no-plots"] * (kind == "run")
    doc = json.loads(invoke([*args, "--json"]).output)
    assert doc["kind"] == kind
    again = json.loads(invoke(["report", doc["directory"], "--json"]).output)
    assert again == doc


@pytest.mark.parametrize("args", [["validate", "mmc"], ["scenarios"], ["policies"], ["kpis"], ["kpis", "mmc"],
                                  ["erlang", "--rate", "100/h", "--handle", "5m"]])
def test_json_on_the_commands_that_write_no_directory(args):
    data = json.loads(invoke([*args, "--json"]).output)
    assert data
    if args[0] == "erlang":
        from carebench.analytic.erlang import agents_needed

        assert data["agents_needed"] == agents_needed(100 / 3600, 300, 20, 0.8) and data["model"] == "Erlang C"
        assert [r["agents"] for r in data["rows"]] == list(range(data["agents_needed"] - 2, data["agents_needed"] + 3))


def test_report_of_something_else_is_one_line_and_exit_2(tmp_path):
    for target, words in ((tmp_path, "not a carebench result directory"),
                          (tmp_path / "missing", "no such directory")):
        result = invoke(["report", str(target)], 2)
        assert result.output.count("\n") == 1 and words in result.output and "Traceback" not in result.output
    damaged = tmp_path / "damaged"
    shutil.copytree(result_of("staff"), damaged)
    (damaged / "staffing.json").write_text("{}")
    result = invoke(["report", str(damaged)], 2)
    assert result.output.count("\n") == 1 and "missing or damaged" in result.output


def test_planners_axes():
    from carebench.output.axes import closed_spans, top_series, weekday_clock
    from carebench.model.calendar import parse_windows

    assert weekday_clock(0) == "Mon 00:00" and weekday_clock(86400 + 9 * 3600) == "Tue 09:00"
    assert weekday_clock(7 * 86400, clock=False) == "Mon (wk 2)"
    spans = closed_spans(parse_windows("daily 08:00-22:00"), 0, 86400)
    assert spans == [(0, 8 * 3600), (22 * 3600, 86400)]
    shown, others = top_series({f"b{i}": [i] for i in range(25)})
    assert len(shown) == 9 and len(others) == 16 and "b24" in shown and "b0" in others


def test_run_plots_read_at_a_glance():
    from carebench.output.html.run import run_result
    from carebench.output.plots import queue_figure, run_context, sla_by_hour_figure
    from carebench.output.html.common import scenario_of

    where = result_of("run")
    result, sc = run_result(where), scenario_of(where / "scenario.yaml")
    fig = queue_figure(result, run_context(sc))
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "Mon 00:00" and all(re.fullmatch(r"(Mon|Tue) \d\d:00", x) for x in labels)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "closed: twitter" in legend and "incident: incident" in legend
    assert ax.get_ylabel() and ax.get_xlabel()
    fig = sla_by_hour_figure(result, run_context(sc))
    ax = fig.axes[0]
    twitter = ax.get_lines()[0].get_ydata()
    assert all(math.isnan(v) for v in twitter[:8]) and not math.isnan(np.nanmax(twitter))  # closed till 08:00
    goal = ax.get_lines()[1]
    assert goal.get_label() == "twitter goal 80%" and list(goal.get_ydata()) == [0.8, 0.8]
    fig.canvas.draw()
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())


def test_no_plots_leaves_the_charts_out_of_the_report_too(tmp_path):
    invoke(["run", str(inputs() / "two.yaml"), "--no-plots", "--out", str(tmp_path), "-q"])
    (where,) = tmp_path.iterdir()
    text = (where / "report.html").read_text()
    assert "<svg" not in text and 'id="charts"' not in text
    assert "no charts: the command ran with --no-plots" in text


def test_json_on_the_real_data_commands(tmp_path):
    from helpers import mmc
    from trace_helpers import ORIGIN, simulated_log, write_trace

    from carebench.load.yamlio import dump_yaml

    sc = mmc(rate_per_hour=30, agents=2, horizon="1d", warmup="0s")
    cols, result = simulated_log(sc)
    path = write_trace(tmp_path / "log.csv", cols, tuple(sc.channels))
    (tmp_path / "mmc.yaml").write_text(dump_yaml(sc.as_data()))
    trace = [str(path), "--column", "arrival=arrival", "--column", "first_reply=first_reply",
             "--column", "channel=channel", "--origin", ORIGIN]
    replayed = json.loads(invoke(["replay", *trace, str(tmp_path / "mmc.yaml"), "--horizon", "1d", "--json"]).output)
    assert replayed["kpis"]["arrived.phone"] == result.kpis["arrived.phone"]
    fitted = json.loads(invoke(["fit", *trace, "-o", str(tmp_path / "fitted.yaml"), "--no-plots", "--json"]).output)
    assert fitted["scenario"] == str(tmp_path / "fitted.yaml") and fitted["fit"] and fitted["lines"]
    assert fitted["kind"] == "fit" and "no charts: the command ran with --no-plots" in fitted["warnings"]
    page = (tmp_path / "fitted-fit-report.html").read_text()
    assert fitted["html"] == str(tmp_path / "fitted-fit-report.html") and "<svg" not in page


def test_the_run_says_what_it_measured():
    from carebench.output.report import measured_window

    # The shipped default: a warm-up week, the measured week, a day's drain.
    assert measured_window(14 * 86400, 7 * 86400, 15 * 86400) == (
        "measured 7d, Mon 00:00 (wk 2) to Mon 00:00 (wk 3), after a 7d warm-up, then a 1d drain")
    assert measured_window(86400, 0) == "measured 1d, Mon 00:00 to Tue 00:00, from an empty start (no warm-up)"
    doc, _charts = document_of("run")
    assert "measured 1d, Mon 00:00 to Tue 00:00, from an empty start" in doc["headline"][0]
    assert doc["provenance"]["measured"] in doc["headline"][0]
    summary = (result_of("run") / "summary.txt").read_text().splitlines()[0]
    assert "1d simulated, warm-up 0s, measured 1d" in summary
    replicated, _charts = document_of("run-replicated")
    assert "3 replications, each measured 1d" in replicated["headline"][0]


def test_the_fit_and_calibration_reports_lead_with_rates_and_held_out_fit():
    fit, charts = document_of("fit")
    rate = r"twitter: [\d.]+ contacts/hour \(95% [\d.]+ to [\d.]+\); weekday × hour counts"
    assert re.match(rate, fit["headline"][1])
    assert "twitter.first_reply:" in fit["headline"][-1] and [c.id for c in charts] == ["arrival-profiles"]
    assert "fitted.yaml" in fit["provenance"]["scenario file"] and fit["scenario"].startswith("# fit of")
    cal, charts = document_of("calibrate")
    assert cal["headline"][0].startswith("Calibrated to the first replies of trace.csv: channels.twitter.handle_time")
    assert re.match(r"held-out KS D [\d.]+ \(p [\d.e-]+\) after, [\d.]+ before", cal["headline"][2])
    assert [c.id for c in charts] == ["search"] and cal["scenario"].startswith("# Calibrated to")


def test_the_schedule_report_compares_the_rosters():
    doc, charts = document_of("schedule")
    assert doc["verdict"] == "PASS" and "schedule found" in doc["headline"][0]
    assert any("than today" in line for line in doc["headline"])
    assert [s["id"] for s in doc["sections"]] == ["rosters", "shifts", "search"]
    assert [c.id for c in charts] == ["coverage"]


def test_every_kind_of_report_has_a_screenshot_in_the_docs():
    from pathlib import Path

    from report_screenshots import KINDS as SHOWN

    docs = Path(__file__).resolve().parents[1] / "docs"
    assert set(SHOWN) == set(KINDS)
    page = (docs / "reports.md").read_text()
    for kind in SHOWN:
        name = f"img/report-{kind.replace(' ', '-')}.png"
        assert (docs / name).stat().st_size > 10_000 and f"({name})" in page, name
