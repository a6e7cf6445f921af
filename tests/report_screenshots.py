"""Write docs/img/report-<kind>.png: the top of each kind of report in headless Chromium.

Run from the repository: ``.venv/bin/python tests/report_screenshots.py docs/img``.
The results are the small ones the report tests use (tests/report_results.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from browser import INSTALL_HINT, Browser, find_chromium
from report_results import result_of

from carebench.output.html.build import report_path

KINDS = ["run", "compare", "sweep", "check", "baseline", "shop", "shop plan", "loadtest", "staff",
         "schedule", "fit", "calibrate"]


def main(out: Path) -> None:
    """Screenshot every kind of report into ``out``."""
    executable = find_chromium()
    if executable is None:
        raise SystemExit(INSTALL_HINT)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser(executable)
    try:
        for kind in KINDS:
            path = browser.screenshot(report_path(result_of(kind)), out / f"report-{kind.replace(' ', '-')}.png")
            print(path)
    finally:
        browser.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
