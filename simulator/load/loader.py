"""Loading scenario files: YAML → raw data → overrides → validated :class:`Scenario`.

Every validation problem becomes one line naming the file, the dotted place
and what was expected, e.g.
``scenarios/x.yaml: channels.twitter.sla: expected a duration such as '1h', got 'soon'``.
"""

from __future__ import annotations

import copy
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from carebench.kpis import catalogue
from carebench.kpis.grammar import parse_threshold
from carebench.load.limits import bins_problem
from carebench.load.yamlio import load_yaml_file, load_yaml_text
from carebench.model.scenario import Scenario
from carebench.policies.registry import policy_problems
from carebench.util.errors import ScenarioError, UserError

__all__ = [
    "load_scenario",
    "scenario_from_data",
    "apply_overrides",
    "append_shapes",
    "parse_override",
    "shipped_scenario_path",
    "named_path",
    "shipped_scenarios",
    "DEFAULT_SCENARIO",
    "bool_problems",
    "format_validation_error",
]

DEFAULT_SCENARIO = "default"


def shipped_scenarios() -> list[str]:
    """Names of the scenario files packaged with carebench."""
    root = resources.files("carebench.scenarios")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def shipped_scenario_path(name: str) -> Path:
    """Path of a packaged scenario by name (``'default'``), or a ``UserError`` listing them."""
    candidate = resources.files("carebench.scenarios") / f"{name}.yaml"
    if not candidate.is_file():
        raise UserError(f"no shipped scenario {name!r}; shipped: {', '.join(shipped_scenarios())}")
    return Path(str(candidate))


def named_path(text: str, names: list[str], kind: str) -> Path:
    """A command-line argument as a file: an existing path, else one of the shipped ``names`` of ``kind``.

    Anything that looks like a path (has a ``.yaml`` suffix or a ``/``) is
    taken as one, so a missing file is reported as missing, not as an unknown name.
    """
    path = Path(text)
    if path.is_file() or path.suffix in (".yaml", ".yml") or "/" in text:
        return path
    if text in names:
        return shipped_scenario_path(text)
    raise UserError(f"{text}: no such file or shipped {kind}; shipped: {', '.join(names)}")


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``'pools.social.agents=6'`` into a dotted path and a YAML-typed value."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or any(not part for part in path.strip().split(".")):
        raise UserError(f"--set {text!r}: expected PATH=VALUE such as 'pools.social.agents=6'")
    return path.strip(), load_yaml_text(value, f"--set {path.strip()}")


def apply_overrides(data: dict[str, Any], overrides: list[tuple[str, Any]]) -> dict[str, Any]:
    """Return a copy of raw scenario data with each dotted path set to its value.

    Missing intermediate mappings are created; validation then rejects any
    path the scenario schema does not know.

    Setting a pool's headcount (``pools.<pool>.agents``) also scales the
    explicit ``agents`` of that pool's shifts in proportion (rounded to the
    nearest whole agent, at least one where there was at least one), so
    ``pools.social.agents=8`` on a pool of 11 split 6 + 5 over two shifts
    gives 4 + 4: the headcount alone would change nothing, since each shift
    says how many of the pool are on duty. Shifts whose agents are set by
    another override (or whose shifts are replaced) keep that value.
    """
    data = copy.deepcopy(data)
    explicit = {path for path, _ in overrides}
    for path, value in overrides:
        node: Any = data
        parts = path.split(".")
        for i, part in enumerate(parts[:-1]):
            node = _step(node, part, path, i)
        before = node.get(parts[-1]) if isinstance(node, dict) else None
        _assign(node, parts[-1], value, path)
        match = _HEADCOUNT.match(path)
        if match:
            _scale_shifts(node, match.group(1), before, value, explicit)
    return data


_HEADCOUNT = re.compile(r"^pools\.([^.]+)\.agents$")


def _scale_shifts(pool: Any, name: str, old: Any, new: Any, explicit: set[str]) -> None:
    """Scale a pool's explicit shift agents by ``new / old`` (see ``apply_overrides``)."""
    counts = (int, float)
    if not (isinstance(old, counts) and isinstance(new, counts) and old > 0 and new >= 0):
        return
    shifts = pool.get("shifts") if isinstance(pool, dict) else None
    for i, shift in enumerate(shifts if isinstance(shifts, list) else []):
        agents = shift.get("agents") if isinstance(shift, dict) else None
        own = f"pools.{name}.shifts.{i}.agents"
        if not isinstance(agents, int) or isinstance(agents, bool) or any(
            own == p or own.startswith(p + ".") for p in explicit
        ):
            continue
        scaled = math.floor(agents * new / old + 0.5)
        shift["agents"] = max(scaled, 1) if agents > 0 and new > 0 else scaled


def _step(node: Any, part: str, path: str, depth: int) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path)]
    if not isinstance(node, dict):
        where = ".".join(path.split(".")[:depth]) or "the scenario"
        raise UserError(f"--set {path}: {where} is a value, not a mapping")
    return node.setdefault(part, {})


def _assign(node: Any, part: str, value: Any, path: str) -> None:
    if isinstance(node, list):
        node[_index(node, part, path)] = value
    elif isinstance(node, dict):
        node[part] = value
    else:
        raise UserError(f"--set {path}: cannot set {part!r} inside a value")


def _index(node: list, part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise UserError(f"--set {path}: expected a list index below {len(node)}, got {part!r}")
    return int(part)


def append_shapes(data: dict[str, Any], shapes: list[str]) -> dict[str, Any]:
    """A copy of raw scenario data with ``--shape`` texts appended to its ``load:`` list."""
    data = copy.deepcopy(data)
    load = data.get("load") or []
    if not isinstance(load, list):
        raise UserError("load: expected a list of load shapes")
    for text in shapes:
        shape = load_yaml_text(text, "--shape")
        if not isinstance(shape, dict):
            raise UserError(f"--shape {text!r}: expected a mapping such as "
                            "'{shape: spike, start: 2d, duration: 2h, factor: 8}'")
        load.append(shape)
    data["load"] = load
    return data


def scenario_from_data(data: Any, source: str = "<scenario>", *, allow_import: bool = False) -> Scenario:
    """Validate raw data into a :class:`Scenario`, raising :class:`ScenarioError` with every problem."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{source}: expected a mapping of scenario fields, got {type(data).__name__}"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, data, source)) from None
    problems = [f"{source}: {p}" for p in bool_problems(data, scenario)]
    problems += [f"{source}: {p}" for p in scenario.reference_problems()]
    size = bins_problem(scenario.end_time, scenario.report.bin)
    if size:
        problems.append(f"{source}: {size}")
    if problems:
        raise ScenarioError(problems)
    _check_policies(scenario, source, allow_import)
    _check_thresholds(scenario, source)
    return scenario


def load_scenario(path: str | Path | None = None, overrides: list[str] | None = None, *,
                  allow_import: bool = False, shapes: list[str] | None = None) -> Scenario:
    """Load a scenario file (the packaged default when ``path`` is None).

    ``overrides`` are ``--set PATH=VALUE`` texts; ``shapes`` are ``--shape``
    texts (YAML mappings such as ``{shape: spike, start: 2d, duration: 2h, factor: 8}``)
    appended to the scenario's ``load:`` list.
    """
    file = shipped_scenario_path(DEFAULT_SCENARIO) if path is None else Path(path)
    data = load_yaml_file(file)
    if overrides:
        data = apply_overrides(data if isinstance(data, dict) else {}, [parse_override(o) for o in overrides])
    if shapes:
        data = append_shapes(data if isinstance(data, dict) else {}, shapes)
    source = DEFAULT_SCENARIO + ".yaml (packaged)" if path is None else str(path)
    return scenario_from_data(data, source, allow_import=allow_import)


def _check_policies(scenario: Scenario, source: str, allow_import: bool) -> None:
    problems = [f"{source}: {p}" for p in policy_problems(scenario, allow_import)]
    if problems:
        raise ScenarioError(problems)


def _check_thresholds(scenario: Scenario, source: str) -> None:
    if not scenario.thresholds:
        return

    problems = []
    known = catalogue.names(list(scenario.channels), list(scenario.pools))
    for i, text in enumerate(scenario.thresholds):
        try:
            kpi = parse_threshold(text).kpi
            if kpi not in known:
                raise catalogue.unknown(kpi, f"threshold {text.strip()!r}", among=known)
        except UserError as exc:
            problems.append(f"{source}: thresholds.{i}: {exc}")
    if problems:
        raise ScenarioError(problems)


def bool_problems(data: Any, model: Any, place: str = "") -> list[str]:
    """One line per ``true``/``false`` in raw ``data`` where the validated ``model`` holds a number.

    pydantic reads ``true`` as 1 in a number field (so ``--set
    pools.social.agents=true`` would staff one agent); a planner who wrote a
    boolean there meant something else, so it is an error.
    """
    if isinstance(data, bool):
        return [] if isinstance(model, bool) or not isinstance(model, (int, float)) else [
            f"{place or 'value'}: expected a number, got {str(data).lower()} (a boolean is not a number)"]
    problems: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            child = _child(model, key)
            if child is not _MISSING:
                problems += bool_problems(value, child, f"{place}.{key}" if place else str(key))
    elif isinstance(data, list) and isinstance(model, (list, tuple)) and len(data) == len(model):
        for i, (value, child) in enumerate(zip(data, model)):
            problems += bool_problems(value, child, f"{place}.{i}" if place else str(i))
    return problems


_MISSING = object()


def _child(model: Any, key: Any) -> Any:
    if isinstance(model, BaseModel):
        fields = type(model).model_fields
        for name, info in fields.items():
            if key == name or key == info.alias:
                return getattr(model, name)
        return _MISSING
    if isinstance(model, dict):
        return model.get(key, _MISSING)
    return _MISSING


def format_validation_error(exc: ValidationError, data: Any, source: str) -> list[str]:
    """One line per pydantic error: ``source: dotted.place: what was expected, got what``."""
    lines = []
    for err in exc.errors(include_url=False):
        place = ".".join(str(p) for p in _real_path(data, err["loc"]))
        lines.append(f"{source}: {place + ': ' if place else ''}{_describe(err)}")
    return list(dict.fromkeys(lines))


def _real_path(data: Any, loc: tuple) -> list:
    """Keep the parts of a pydantic location that exist in the input (drop union tags)."""
    path, node = [], data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and not part.startswith(("function-", "tagged-union")) and not _is_tag(node, part):
            path.append(part)
            node = None
    return path


_TAGS = {"dist": "distribution", "shape": "load shape"}


def _is_tag(node: Any, part: str) -> bool:
    return isinstance(node, dict) and any(node.get(key) == part for key in _TAGS)


def _describe(err: dict) -> str:
    kind, msg, got = err["type"], err["msg"], err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; unknown keys are not ignored)"
    if kind == "missing":
        return "required but missing"
    if kind == "value_error":
        text = msg.removeprefix("Value error, ")
        # A cross-field check's input is the whole mapping: naming the place is enough.
        return text if " got " in text or isinstance(got, (dict, list)) else f"{text}, got {got!r}"
    if kind == "union_tag_invalid":
        what = _TAGS.get(err["ctx"]["discriminator"].strip("'"), "kind")
        return f"unknown {what} {err['ctx']['tag']!r}, expected one of {err['ctx']['expected_tags']}"
    if kind == "union_tag_not_found":
        key = err["ctx"]["discriminator"].strip("'")
        example = "{dist: exponential, mean: 5m}" if key == "dist" else "{shape: spike, start: 2d, duration: 2h, factor: 8}"
        return f"expected a mapping with a {key!r} key, e.g. {example}"
    return f"{msg[0].lower() + msg[1:]}, got {got!r}"
