"""Every kind of report opened in headless Chromium: it renders, fetches nothing, shows every section.

One browser serves the whole module. Without Chromium these tests fail with
how to install it (CI's .ci/run installs Debian's ``chromium``): a report
nobody opened in a browser is not tested.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from browser import INSTALL_HINT, Browser, find_chromium
from matplotlib.image import imread
from report_results import document_of, result_of

from carebench.output.html.build import report_path

KINDS = ["run", "run-replicated", "compare", "sweep", "check", "baseline", "shop", "shop plan", "loadtest", "staff",
         "schedule", "fit", "calibrate"]


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    b = Browser(executable)
    yield b
    b.close()


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_renders_offline_with_every_section(browser, kind):
    where = result_of(kind)
    page = browser.open(report_path(where))
    assert page["errors"] == []
    # The only request is the page itself: no CDN, font, script or image from anywhere.
    assert page["requests"] == [report_path(where).resolve().as_uri()]
    doc, charts = document_of(kind)
    text = " ".join(page["text"].split())
    for line in doc["headline"]:
        assert " ".join(line.split()) in text
    expected = [s["id"] for s in doc["sections"]] + (["charts"] if charts else []) + ["warnings", "scenario"]
    assert page["sections"] == expected
    svgs = browser.evaluate("Array.from(document.querySelectorAll('figure svg')).map(s => "
                            "[s.getBoundingClientRect().width, s.getBoundingClientRect().height])")
    assert len(svgs) == len(charts) and all(w > 200 and h > 100 for w, h in svgs)
    pixels = imread(io.BytesIO(page["screenshot"]), format="png")[..., :3]
    assert pixels.shape[0] >= 600 and pixels.shape[1] >= 1000
    ink = (pixels.min(axis=2) < 0.6).mean()  # share of pixels darker than a light grey
    assert 0.01 < ink < 0.6, f"screenshot looks blank or broken ({ink:.1%} dark pixels)"
    # More than a few colours (text, rules, chart lines); packing RGB into one integer keeps np.unique fast.
    rgb = (pixels * 255).astype(np.uint32)
    assert np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]).size > 20


def test_the_report_prints(browser):
    browser.open(report_path(result_of("run")))
    pdf = browser.call("Page.printToPDF", session=browser.session)["data"]
    assert len(pdf) > 10_000
    hidden = browser.evaluate("(() => { const s = document.createElement('style'); return "
                              "Array.from(document.styleSheets).some(x => Array.from(x.cssRules).some("
                              "r => r.media && r.media.mediaText === 'print')) })()")
    assert hidden
