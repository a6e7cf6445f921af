"""The docs are tested: every shell and Python example in README.md and docs/*.md runs.

The convention (which fence runs how) is in ``docs_blocks``; a doc that drifts from
the code fails here: a renamed flag, a moved module, a broken link, an output sample
whose rows no longer exist.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from docs_blocks import ROOT, all_blocks, pages, parse, row_labels

from carebench.cli import cli

BLOCKS = all_blocks()
BIN = Path(sys.executable).parent
# Pages other work is still writing: links to them may dangle until they land.
PENDING = {ROOT / "docs" / "kpis.md", ROOT / "docs" / "api.md"}
TIMEOUT = 300


def workdir(tmp_path: Path) -> Path:
    """A fresh directory holding a scenarios/ symlink, as every example expects."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    return tmp_path


def environment() -> dict[str, str]:
    """The venv's bin first on PATH, so `carebench` is the one under test."""
    import os

    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "200"
    return env


def run_sh(block, cwd: Path) -> str:
    """Run one sh block with bash -euo pipefail; its stdout, or a failure naming the block."""
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text], cwd=cwd, env=environment(),
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{block.id} exited {done.returncode}:\n{block.text}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def sample_after(block):
    """The ``text output`` block right after ``block`` on its page, if any."""
    index = BLOCKS.index(block)
    if index + 1 < len(BLOCKS):
        following = BLOCKS[index + 1]
        if following.page == block.page and following.info == "text output":
            return following
    return None


SH = [
    pytest.param(b, id=b.id, marks=[pytest.mark.slow] if b.info == "sh slow" else [])
    for b in BLOCKS if b.info in {"sh", "sh slow"}
]
PYTHON_PAGES = sorted({b.page for b in BLOCKS if b.info == "python"})


@pytest.mark.parametrize("block", SH)
def test_shell_example_runs(block, tmp_path):
    out = run_sh(block, workdir(tmp_path))
    sample = sample_after(block)
    if sample is not None:
        missing = [label for label in row_labels(sample.text) if label not in set(row_labels(out))]
        assert not missing, f"{sample.id}: rows {missing} of the sample are not in the output of {block.id}:\n{out}"


DRIVER = """
import json, sys
namespace = {"__name__": "__main__"}
for block in json.load(sys.stdin):
    exec(compile(block["text"], block["id"], "exec"), namespace)
"""


@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_python_examples_of_a_page_run_in_order(page, tmp_path):
    blocks = [{"id": b.id, "text": b.text} for b in BLOCKS if b.page == page and b.info == "python"]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER], input=json.dumps(blocks), cwd=workdir(tmp_path), env=environment(),
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{page}: python examples failed:\n{done.stdout}\n{done.stderr}"


def test_every_page_is_tested_and_shows_no_untagged_fence():
    assert len(pages()) > 5 and SH, "the docs test found no pages or no shell examples"
    assert {b.info for b in BLOCKS} <= {"sh", "sh slow", "python", "text", "yaml", "console", "text output", "sh skip-install"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```bash\necho hi\n```\n", "unknown fence info string 'bash'"),
        ("```\necho hi\n```\n", "unknown fence info string ''"),
        ("```sh\necho hi\n\n## A heading swallowed\n", "never closed"),
    ],
)
def test_the_collector_refuses_what_it_would_not_run(text, message):
    with pytest.raises(ValueError, match=message):
        parse(text, "page.md")


def test_the_collector_reads_info_strings_and_bodies():
    blocks = parse("x\n```sh\na\nb\n```\n\n````text output\n```\n````\n", "p.md")
    assert [(b.line, b.info, b.text) for b in blocks] == [(2, "sh", "a\nb\n"), (7, "text output", "```\n")]


def readme_installs():
    installs = [b.text.strip() for b in BLOCKS if b.page == "README.md" and b.info == "sh skip-install"]
    assert len(installs) == 2, "the README's quick start has two set-up commands"
    return installs


def test_ci_runs_exactly_the_readme_test_command():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#") and line.split()[0] not in {"set", "cd"}]
    # Before the tests, CI installs the headless Chromium the report tests open reports in.
    browser = "command -v chromium || (apt-get update && apt-get install -y chromium)"
    assert commands == [browser, readme_installs()[1]]


def test_the_readme_default_run_names_the_installed_entry_point():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    words = shlex.split(readme_installs()[0].split("&&")[-1])
    assert words[0] == ".venv/bin/carebench" and Path(words[0]).name in scripts
    assert words[1:] == ["run"] and "run" in cli.list_commands(click.Context(cli))


def test_the_readme_summary_sample_has_the_rows_of_a_real_default_run(tmp_path):
    sample = next(b for b in BLOCKS if b.page == "README.md" and b.info == "text")
    result = CliRunner().invoke(cli, ["run", "--no-plots", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert row_labels(sample.text) == [w for w in row_labels(result.output) if w != "results:"]
    assert sample.text.splitlines()[0] == result.output.splitlines()[0], "the sample is not the default seed's run"


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors of a markdown page (fenced text is not a heading)."""
    text = "\n".join(line for b in [path.read_text()] for line in strip_fences(b).splitlines())
    found = set()
    for heading in re.findall(r"^#+\s+(.*)$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def strip_fences(text: str) -> str:
    return re.sub(r"^```.*?^```[^\n]*$", "", text, flags=re.M | re.S)


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_links_between_pages_resolve(path):
    for target in LINK.findall(strip_fences(path.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if resolved in PENDING and not resolved.exists():
            continue
        assert resolved.exists(), f"{path.name}: link to {target}: no such file"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{path.name}: link to {target}: no such heading"


NAME = re.compile(r"`(carebench(?:\.\w+)+)")
PATH = re.compile(r"`((?:simulator|policies|tests|benchmarks|scenarios)/[\w/.]*)`")


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def is_literal(name: str) -> bool:
    """A name carebench writes as data (a JUnit class name such as ``carebench.thresholds``)."""
    return any(f'"{name}"' in p.read_text() for p in (ROOT / "simulator").rglob("*.py"))


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_names_and_paths_in_the_docs_exist(path):
    text = path.read_text()
    stale = [n for n in NAME.findall(text) if not resolves(n) and not is_literal(n)]
    assert not stale, f"{path.name} names what carebench does not have: {stale}"
    missing = [p for p in PATH.findall(text) if "<" not in p and not (ROOT / p).exists()]
    assert not missing, f"{path.name} names paths that do not exist: {missing}"
    old = re.findall(
        r"\bfrom (?:simulator|policies)(?:\.\w+)* import\b|^\s*import (?:simulator|policies)\b|`simulator\.\w+|`policies\.base",
        text, flags=re.M,
    )
    assert not old, f"{path.name} uses the old top-level import names: {old}"
