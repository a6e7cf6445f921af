"""Safe YAML loading with YAML 1.2 core-schema scalars.

PyYAML follows YAML 1.1, where ``12:00`` is the integer 720 (base 60), ``no``
is ``False`` and ``1e3`` is a string. Scenario files are full of clock times
and scientific numbers, so carebench resolves plain scalars the YAML 1.2 way:
only ``true``/``false`` are booleans, ``12:00`` stays a string and ``1e3`` is a
float. The loader derives from ``yaml.SafeLoader``: no tags that build Python
objects, so a scenario file can never run code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from carebench.util.errors import UserError

__all__ = ["load_yaml_text", "load_yaml_file", "dump_yaml"]


class _CoreLoader(yaml.SafeLoader):
    """SafeLoader whose implicit scalar types follow the YAML 1.2 core schema."""


_CoreLoader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),  # "<<: *anchor" merges a shared mapping
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
]
for _tag, _pattern, _first in _RESOLVERS:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml_text(text: str, source: str = "<text>") -> Any:
    """Parse YAML text safely; a syntax error becomes a one-line ``UserError``."""
    try:
        return yaml.load(text, Loader=_CoreLoader)  # noqa: S506 - _CoreLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise UserError(f"{where}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: not valid YAML: {exc}") from None


def load_yaml_file(path: str | Path) -> Any:
    """Read and parse a YAML file; a missing or unreadable file is a ``UserError``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: expected a YAML file, got a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    return load_yaml_text(text, str(path))


def dump_yaml(data: Any) -> str:
    """Render plain data as block-style YAML that :func:`load_yaml_text` reads back."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)
