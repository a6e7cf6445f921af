"""Safe YAML loading with YAML 1.2 core-schema scalars.

PyYAML follows YAML 1.1, where ``12:00`` is the integer 720 (base 60), ``no``
is ``False`` and ``1e3`` is a string. Scenario files are full of clock times
and scientific numbers, so carebench resolves plain scalars the YAML 1.2 way:
only ``true``/``false`` are booleans, ``12:00`` stays a string and ``1e3`` is a
float. The loader derives from ``yaml.SafeLoader``: no tags that build Python
objects, so a scenario file can never run code.

It is also bounded: a document may not be larger than ``max_bytes``, nest
deeper than ``max_depth`` or expand (aliases counted each time they are
used) to more than ``max_nodes`` nodes; the count is kept as nodes are
composed, so an alias bomb of a few hundred bytes is refused after a few
thousand steps instead of growing past the machine's memory. A key repeated
in one mapping is an error (YAML leaves it undefined; PyYAML keeps the last),
and so is a number with more than ``MAX_DIGITS`` digits. Files must be
regular files: a FIFO, a device or a directory is refused without blocking.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from carebench.util.errors import UserError

__all__ = ["load_yaml_text", "load_yaml_file", "read_regular_file", "dump_yaml", "YamlBudget", "yaml_budget",
           "env_int", "MAX_DIGITS"]

MAX_DIGITS = 100
"""The most digits a number in a YAML file or a ``--set`` value may have."""


@dataclass(frozen=True)
class YamlBudget:
    """How big a YAML document may be: bytes, nodes after alias expansion, nesting depth.

    Raise them with ``CAREBENCH_MAX_YAML_BYTES``, ``CAREBENCH_MAX_YAML_NODES``
    and ``CAREBENCH_MAX_YAML_DEPTH`` (see :func:`yaml_budget`).
    """

    max_bytes: int = 4_000_000
    max_nodes: int = 1_000_000
    max_depth: int = 64


def env_int(name: str, default: int) -> int:
    """A whole number of 1 or more from environment variable ``name``, else ``default``."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(text) if len(text) <= MAX_DIGITS else -1
    except ValueError:
        raise UserError(f"{name}={text[:40]!r}: expected a whole number") from None
    if value < 1:
        raise UserError(f"{name}={text[:40]!r}: expected a whole number of 1 or more")
    return value


def yaml_budget() -> YamlBudget:
    """The defaults of :class:`YamlBudget`, each replaced by its environment variable when set."""
    base = YamlBudget()
    return YamlBudget(
        max_bytes=env_int("CAREBENCH_MAX_YAML_BYTES", base.max_bytes),
        max_nodes=env_int("CAREBENCH_MAX_YAML_NODES", base.max_nodes),
        max_depth=env_int("CAREBENCH_MAX_YAML_DEPTH", base.max_depth),
    )


class _Refused(yaml.MarkedYAMLError):
    """A budget or a rule broken while composing; carries the place."""



class _CoreLoader(yaml.SafeLoader):
    """SafeLoader whose implicit scalar types follow the YAML 1.2 core schema, within a budget."""

    budget = YamlBudget()

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}

    def _refuse(self, problem: str, mark) -> None:
        raise _Refused(problem=problem, problem_mark=mark)

    def compose_node(self, parent, index):
        """Compose one node, counting it (and every node an alias repeats) against the budget."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                self._refuse(f"the alias *{event.anchor} is used inside its own anchor (a structure that "
                             "contains itself)", event.start_mark)
            self._count(self._sizes[id(node)], event.start_mark)
            return node
        self._depth += 1
        if self._depth > self.budget.max_depth:
            self._refuse(f"nested deeper than {self.budget.max_depth} levels "
                         "(raise CAREBENCH_MAX_YAML_DEPTH if this is meant)", self.peek_event().start_mark)
        before = self._nodes
        self._count(1, self.peek_event().start_mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, n: int, mark) -> None:
        self._nodes += n
        if self._nodes > self.budget.max_nodes:
            self._refuse(f"expands to more than {self.budget.max_nodes:,} nodes (aliases counted each time "
                         "they are used); raise CAREBENCH_MAX_YAML_NODES if this is meant", mark)

    def construct_mapping(self, node, deep=False):
        """Build a mapping, refusing a key that appears twice in it (merged ``<<`` keys may be overridden)."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the base class reports it
                if duplicate:
                    self._refuse(f"the key {key!r} appears twice in this mapping; keep one", key_node.start_mark)
        return super().construct_mapping(node, deep)


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


def _digits_checked(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    text = loader.construct_scalar(node)
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise _Refused(problem=f"a number with more than {MAX_DIGITS} digits", problem_mark=node.start_mark)
    return text


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = _digits_checked(loader, node).replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
    _digits_checked(loader, node)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def load_yaml_text(text: str, source: str = "<text>", budget: YamlBudget | None = None) -> Any:
    """Parse YAML text safely within ``budget`` (default: :func:`yaml_budget`); any problem is one ``UserError`` line."""
    budget = budget or yaml_budget()
    if len(text) > budget.max_bytes:
        raise UserError(f"{source}: {len(text):,} characters; expected at most {budget.max_bytes:,} "
                        "(raise CAREBENCH_MAX_YAML_BYTES if this is meant)")
    loader_class = type("_BudgetLoader", (_CoreLoader,), {"budget": budget})
    loader = None
    try:
        loader = loader_class(text)  # the reader checks the characters here
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = " ".join(str(exc.problem).split())
        verb = "" if isinstance(exc, _Refused) else "not valid YAML: "
        raise UserError(f"{where}: {verb}{problem}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{source}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise UserError(f"{source}: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_regular_file(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else a one-line ``UserError``.

    The file is opened without blocking and checked before it is read, so a
    FIFO, a device or a directory is refused at once instead of hanging or
    reading for ever.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: expected a {what}, got a directory") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"{path}: expected a {what}, got a directory")
        if not stat.S_ISREG(info.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or other special file"
            raise UserError(f"{path}: expected a regular {what}, got {kind}")
        if info.st_size > limit:
            raise UserError(f"{path}: {info.st_size:,} bytes; expected at most {limit:,} "
                            "(raise CAREBENCH_MAX_YAML_BYTES if this is meant)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UserError(f"{path}: more than {limit:,} bytes (raise CAREBENCH_MAX_YAML_BYTES if this is meant)")
    return data


def load_yaml_file(path: str | Path, budget: YamlBudget | None = None) -> Any:
    """Read and parse a YAML file within ``budget``; a missing, special or unreadable file is a ``UserError``."""
    budget = budget or yaml_budget()
    data = read_regular_file(path, budget.max_bytes, "YAML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_yaml_text(text, str(path), budget)


def dump_yaml(data: Any) -> str:
    """Render plain data as block-style YAML that :func:`load_yaml_text` reads back."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)
