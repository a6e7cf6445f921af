"""carebench owns one import name: the old top-level names are gone and a user's modules cannot shadow it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[1]


def _run(code: str, cwd: Path, extra_path: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if extra_path is not None:
        env["PYTHONPATH"] = extra_path
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name", ["simulator", "policies"])
def test_generic_top_level_names_are_not_installed(name, tmp_path):
    # Run away from the repository so its source folders are not on sys.path.
    done = _run(f"import {name}", tmp_path)
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, done.stderr


def test_the_card_folders_import_under_carebench():
    from carebench import policies, scenarios

    assert policies.__name__ == "carebench.policies" and policies.PRIORITY_POLICIES
    assert scenarios.__name__ == "carebench.scenarios"
    assert (Path(scenarios.__file__).parent / "default.yaml").is_file()


def test_a_users_own_policies_module_does_not_shadow_carebench(tmp_path):
    # What a user following the policies page does: their own policies.py next to where they run carebench.
    (tmp_path / "policies.py").write_text("raise RuntimeError('the user module was imported')\n")
    (tmp_path / "simulator.py").write_text("raise RuntimeError('the user module was imported')\n")
    code = ("import sys; from carebench.cli import main; sys.argv = ['carebench', 'policies']; "
            "main()")
    done = _run(code, tmp_path, extra_path=".")
    assert done.returncode == 0, done.stderr
    assert "fifo" in done.stdout and "channel_priority" in done.stdout
    assert "the user module was imported" not in done.stderr


def test_every_package_folder_is_installed():
    # pyproject.toml lists packages by hand (the folders are mapped onto carebench), so a new
    # subpackage left out of the list works in an editable install and is missing from `pip install .`.
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(("carebench", *p.parent.relative_to(REPO / "simulator").parts)).rstrip(".")
               for p in (REPO / "simulator").rglob("__init__.py")}
    assert folders - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {"carebench.policies", "carebench.scenarios"} <= listed
