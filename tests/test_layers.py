"""The layers point one way: a module imports only from its own layer or the ones below it.

From the top: the command line and the Python API (two shells over the same
library), output (the only layer that writes results),
the features (studies, load tests, the CI gate), many runs, statistics,
loading scenario files, the policy plug-ins, the engine, analytic formulas,
the scenario model, the KPI catalogue and small utilities. Policies see only
the policy interface of the engine, the scenario model and the layers below.
Imports inside functions count too, so a cycle cannot be hidden in one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import carebench

PACKAGE = Path(carebench.__file__).parent
POLICIES = Path(carebench.policies.__file__).parent if hasattr(carebench, "policies") else None

# Highest first. Packages on one line are independent of each other.
LAYERS = [
    ["cli", "api"],
    ["output"],
    ["study", "loadtest", "calibrate"],
    ["gate"],
    ["runs"],
    ["stats"],
    ["load"],
    ["policies"],
    ["engine"],
    ["analytic", "trace"],
    ["model"],
    ["kpis"],
    ["util"],
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
# What a policy may see of the engine: its interface, never its machinery.
POLICY_VIEW = {"carebench.engine.interface", "carebench.engine.roster"}


def _package_files():
    import carebench.policies as policies

    roots = {"policies": Path(policies.__file__).parent}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) > 1:
            yield rel.parts[0], ".".join(("carebench", *rel.with_suffix("").parts)), path
    for path in sorted(roots["policies"].glob("*.py")):
        yield "policies", f"carebench.policies.{path.stem}", path


def _imports(module: str, path: Path):
    """Absolute names of the carebench modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            if name == "carebench" or name.startswith("carebench."):
                yield node.lineno, name


FILES = list(_package_files())


def test_every_subpackage_has_a_layer():
    assert {top for top, _, _ in FILES} <= set(RANK), "add the new subpackage to LAYERS"


@pytest.mark.parametrize("top,module,path", FILES, ids=[m for _, m, _ in FILES])
def test_imports_point_down(top, module, path):
    bad = []
    for line, name in _imports(module, path):
        parts = name.split(".")
        if len(parts) < 2:
            bad.append(f"line {line}: imports the top-level carebench package")
            continue
        target = parts[1]
        if target not in RANK:
            continue  # carebench.__init__-level modules do not exist below the API
        if target != top and RANK[target] <= RANK[top]:
            bad.append(f"line {line}: {name} is not below {top}")
        if top == "policies" and target == "engine" and ".".join(parts[:3]) not in POLICY_VIEW:
            bad.append(f"line {line}: a policy sees only the policy interface, not {name}")
    assert not bad, f"{module}: " + "; ".join(bad)
