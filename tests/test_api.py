"""The public API is listed and documented; the core stays pure."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import carebench
import carebench.policies

PACKAGE = Path(carebench.__file__).parent
CORE = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "engine").glob("*.py")) + ["runs/simulate.py"]
FORBIDDEN = {"click", "matplotlib", "time", "datetime", "os", "faker", "random"}


def modules(package):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


@pytest.mark.parametrize("module", list(modules(carebench)), ids=lambda m: m.__name__)
def test_public_names_are_listed_and_documented(module):
    assert module.__doc__, f"{module.__name__} has no docstring"
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if callable(obj) or isinstance(obj, type):
            assert getattr(obj, "__doc__", None), f"{module.__name__}.{name} has no docstring"


@pytest.mark.parametrize("name", CORE)
def test_core_modules_import_no_io_clock_or_ui(name):
    path = PACKAGE / name
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN, f"{name} imports {imported & FORBIDDEN}"
    assert not re.search(r"(?<![\w.])print\(", path.read_text())


def test_importing_carebench_has_no_side_effects():
    code = ("import logging, random; state = random.getstate(); import carebench, carebench.policies, carebench.cli; "
            "assert random.getstate() == state; assert not logging.getLogger().handlers; "
            "import sys; assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_top_level_api():
    for name in carebench.__all__:
        assert hasattr(carebench, name)
