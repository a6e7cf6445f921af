"""The examples of docs/real-data.md run as written (sh blocks in bash, python blocks in one process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import carebench.scenarios

PAGE = Path(__file__).resolve().parents[1] / "docs" / "real-data.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(PAGE.read_text()) if lang == kind]


def _workdir(tmp_path: Path) -> Path:
    (tmp_path / "scenarios").symlink_to(Path(carebench.scenarios.__file__).parent)
    return tmp_path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("index", range(len(_blocks("sh"))))
def test_shell_example_runs(index, tmp_path):
    body = _blocks("sh")[index]
    res = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=_workdir(tmp_path), env=_env(),
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, f"{body}\n--- stdout\n{res.stdout}\n--- stderr\n{res.stderr}"


def test_python_examples_run(tmp_path):
    code = "\n\n".join(_blocks("python"))
    res = subprocess.run([sys.executable, "-c", code], cwd=_workdir(tmp_path), env=_env(), capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
