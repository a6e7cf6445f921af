"""Structure-aware fuzz targets for the loaders and the command-line parsers.

Each target takes one generated input and checks the contract every input
must meet: it is accepted, or refused with a ``UserError`` whose every line
is a single line naming the place; nothing else escapes (no ``KeyError``,
``RecursionError``, ``MemoryError``, traceback). The strategies start from
real files (the shipped scenarios and a study) and mutate them where it
hurts: replacing, deleting or adding keys, swapping in hostile values
(booleans, huge or non-finite numbers, long strings, deep nesting, aliases),
so most examples get past the YAML layer into validation.

``tests/test_fuzz.py`` runs them with a bounded number of examples
(``HYPOTHESIS_PROFILE=ci``); ``benchmarks/fuzz_long.py`` runs them for longer.
"""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from carebench.kpis.grammar import parse_threshold
from carebench.load.loader import apply_overrides, parse_override, scenario_from_data
from carebench.load.yamlio import dump_yaml, load_yaml_file, load_yaml_text
from carebench.runs.sweep import parse_grid
from carebench.study.resolve import load_study
from carebench.util.errors import UserError

__all__ = [
    "SHIPPED",
    "hostile_values",
    "mutated",
    "yaml_texts",
    "override_texts",
    "grid_texts",
    "threshold_texts",
    "check_scenario_text",
    "check_study_text",
    "check_override",
    "check_grid",
    "check_threshold",
]

_ROOT = resources.files("carebench.scenarios")
SHIPPED = {name: load_yaml_file(Path(str(_ROOT / f"{name}.yaml")))
           for name in ("default", "mmc", "black_friday", "viral_complaint", "stella_24h")}

hostile_values = st.one_of(
    st.booleans(), st.none(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1, 1e12, 1e300, 10**99, "1e999"]),
    st.text(max_size=40), st.sampled_from(["", "1h", "0s", "-1d", "99999999999d", "24/7", "closed", "mon-sun",
                                           "09:00", "25:00", "100/h", "fifo", "all", "nan", "inf", "x" * 300]),
    st.lists(st.integers(-5, 5), max_size=30), st.dictionaries(st.text(max_size=8), st.integers(), max_size=4),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=3), max_leaves=40),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, prefix + (i,))
    return out


@st.composite
def mutated(draw, names=("default", "mmc", "black_friday", "viral_complaint")) -> Any:
    """A shipped file's data with up to four hostile edits (replace, delete or add a key)."""
    data = copy.deepcopy(SHIPPED[draw(st.sampled_from(list(names)))])
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        where = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if not where:
            continue
        parent = data
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        if op == "replace":
            parent[last] = draw(hostile_values)
        elif op == "delete" and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "sla", "agents", "per_hour", "horizon", str(last) * 2]))] = draw(
                hostile_values)
    return data


_ALIASED = st.sampled_from([
    "a: &a [1, 2]\nb: [*a, *a, *a]\n", "x: &x {k: *x}\n", "<<: *missing\n", "a: &a {p: 1}\nb: {<<: *a, p: 2}\n",
    "[" * 80 + "]" * 80, "{a: 1, a: 2}", "!!python/object/apply:os.system [true]", "\x00", "key: 1" + "0" * 150,
])


@st.composite
def yaml_texts(draw) -> str:
    """YAML text: a mutated shipped scenario, raw text, or a fragment built to break the parser."""
    kind = draw(st.sampled_from(["mutated", "raw", "aliased", "spliced"]))
    if kind == "mutated":
        return dump_yaml(draw(mutated()))
    if kind == "raw":
        return draw(st.text(max_size=200))
    if kind == "aliased":
        return draw(_ALIASED)
    text = dump_yaml(draw(mutated()))
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + draw(st.sampled_from([": ", "- ", "\t", "&a ", "*a", "'", '"', "{", "]", "\n  x: 1\n"])) + text[cut:]


_SEGMENTS = st.sampled_from(["pools", "social", "agents", "channels", "twitter", "arrivals", "per_hour", "shifts", "0",
                             "99", "-1", "horizon", "seed", "policies", "priority", "", " ", "x" * 50, "__class__"])
override_texts = st.builds(
    lambda parts, sep, value: ".".join(parts) + sep + value,
    st.lists(_SEGMENTS, min_size=0, max_size=6), st.sampled_from(["=", "", "==", " = "]),
    st.one_of(st.text(max_size=30), st.sampled_from(["true", "1e12", "[1,2", "{a: 1, a: 2}", "9" * 200, "", "~",
                                                     "!!python/name:os.system", "&a [*a]"])),
)
grid_texts = st.builds(
    lambda path, values: path + "=" + values,
    st.sampled_from(["pools.social.agents", "seed", "policies.priority", "horizon", "", "a..b", "channels.twitter.sla"]),
    st.one_of(st.text(max_size=30), st.sampled_from(["1..5", "5..1", "1..10:0", "1..100000000", "-3..3:2", "a,b,a",
                                                     "1,,2", "[1,2],[3]", "'x,y',z", "1..2..3", "9" * 200 + "..1"])),
)
threshold_texts = st.one_of(
    st.text(max_size=40),
    st.builds(lambda kpi, op, value: f"{kpi} {op} {value}",
              st.sampled_from(["sla.twitter", "frt.p90.email", "exposure.total", "nope", "", "sla."]),
              st.sampled_from([">=", "<=", ">", "<", "==", "=>", ""]),
              st.sampled_from(["0.9", "1e999", "nan", "-1", "24h", "2x", "9" * 200, "", "90%"])),
)


def _one_line_each(exc: UserError) -> None:
    for line in str(exc).splitlines():
        assert line.strip() and "\n" not in line and "Traceback" not in line


def check_scenario_text(text: str) -> None:
    """Load and validate YAML text as a scenario: a Scenario or a one-line-per-problem ``UserError``."""
    try:
        data = load_yaml_text(text, "fuzz.yaml")
        scenario = scenario_from_data(data, "fuzz.yaml")
    except UserError as exc:
        _one_line_each(exc)
        return
    scenario.fingerprint()
    list(scenario.warnings())
    assert scenario_from_data(scenario.as_data()) == scenario


def check_study_text(text: str, folder: Path) -> None:
    """Write YAML text as a study file and load it: a study or a one-line-per-problem ``UserError``."""
    path = folder / "fuzz_study.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_study(path)
    except UserError as exc:
        _one_line_each(exc)


def check_override(text: str) -> None:
    """Parse ``--set`` text and apply it to the default scenario's data, then validate."""
    try:
        scenario_from_data(apply_overrides(SHIPPED["default"], [parse_override(text)]), "default.yaml")
    except UserError as exc:
        _one_line_each(exc)


def check_grid(text: str) -> None:
    """Parse ``--grid`` text: an axis of at most the sweep's point limit, or a ``UserError``."""
    try:
        axis = parse_grid(text)
    except UserError as exc:
        _one_line_each(exc)
        return
    assert 1 <= len(axis.values) <= 10_000


def check_threshold(text: str) -> None:
    """Parse a threshold expression: a Threshold or a ``UserError``."""
    try:
        parse_threshold(text)
    except UserError as exc:
        _one_line_each(exc)
