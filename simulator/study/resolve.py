"""Loading study files: YAML → overrides → validated :class:`Study` → one scenario per brand.

Every problem becomes one line naming the file and the dotted place, as for
scenarios: ``stella.yaml: probes.per_brand: input should be greater than or
equal to 1, got 0`` or, inside a brand, ``stella.yaml: brands.acme:
channels.twitter.sla: expected a duration such as '1h', got 'soon'``.
Problems in several brands are all reported at once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from carebench.load.limits import MAX_BRAND_RUNS, MAX_PROBES
from carebench.load.loader import (
    apply_overrides,
    format_validation_error,
    named_path,
    parse_override,
    scenario_from_data,
    shipped_scenario_path,
)
from carebench.load.yamlio import load_yaml_file
from carebench.model.scenario import Scenario
from carebench.study.probes import sending_period
from carebench.study.spec import Study
from carebench.util.errors import ScenarioError, UserError

__all__ = ["LoadedStudy", "load_study", "study_from_data", "shipped_studies", "study_path", "parse_brand_override"]


@dataclass(frozen=True)
class LoadedStudy:
    """A validated study with each brand resolved into a scenario.

    ``brands`` maps brand name to its scenario, whose horizon the study set
    to ``send_end + window`` and whose warm-up is the study's;
    ``send_start``/``send_end`` bound the period probes are sent in
    (seconds from the run start, day 1 being a Monday); ``source`` names
    the file in messages.
    """

    study: Study
    brands: dict[str, Scenario]
    source: str
    send_start: float
    send_end: float


def _is_study(data: Any) -> bool:
    return isinstance(data, dict) and "brands" in data and "probes" in data


def shipped_studies() -> list[str]:
    """Names of the study files packaged with carebench (``stella_24h``, ``uk_isps``)."""
    root = resources.files("carebench.scenarios")
    names = sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))
    return [n for n in names if _is_study(load_yaml_file(shipped_scenario_path(n)))]


def study_path(study: str) -> Path:
    """A study argument as a path: an existing file, else a shipped study's name."""
    return named_path(study, shipped_studies(), "study")


def study_from_data(data: Any, source: str = "<study>") -> Study:
    """Validate raw data into a :class:`Study`, raising :class:`ScenarioError` with every problem."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{source}: expected a mapping of study fields, got {type(data).__name__}"])
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, data, source)) from None


def parse_brand_override(text: str) -> tuple[str | None, str]:
    """Split ``'bt:pools.social.agents=6'`` into ``('bt', 'pools.social.agents=6')``; no prefix: all brands."""
    path, sep, _ = text.partition("=")
    brand, colon, rest = path.partition(":")
    if not sep or not colon:
        return None, text
    return brand.strip(), rest.strip() + text[len(path):]


def _brand_body(study: Study, name: str, base: Path, source: str) -> dict[str, Any]:
    entry = study.brands[name]
    if entry.template is not None:
        return copy.deepcopy(study.templates[entry.template])
    if entry.brand is not None:
        return copy.deepcopy(entry.brand)
    path = Path(entry.scenario)
    if not path.is_absolute() and (base / path).is_file():
        path = base / path
    elif not path.is_file() and path.suffix not in (".yaml", ".yml") and "/" not in entry.scenario:
        try:
            path = shipped_scenario_path(entry.scenario)
        except UserError as exc:
            raise ScenarioError([f"{source}: brands.{name}.scenario: {exc}"]) from None
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError([f"{source}: brands.{name}.scenario: {path}: expected a scenario mapping"])
    return data


def _seconds(x: float) -> str:
    return f"{x:.6f}s"


def _brand_scenario(study: Study, name: str, base: Path, source: str, extra: list[str],
                    timing: dict[str, str], allow_import: bool) -> Scenario:
    entry = study.brands[name]
    data = _brand_body(study, name, base, source)
    data["name"] = name
    try:
        data = apply_overrides(data, list(entry.overrides.items()))
        data = apply_overrides(data, [parse_override(o) for o in extra])
    except UserError as exc:
        raise ScenarioError([f"{source}: brands.{name}: {exc}"]) from None
    data.update(timing)
    scenario = scenario_from_data(data, f"{source}: brands.{name}", allow_import=allow_import)
    channel = study.probes.channel
    if channel not in scenario.channels:
        raise ScenarioError([f"{source}: brands.{name}: expected the probes' channel {channel!r} among the "
                             f"brand's channels, got {sorted(scenario.channels)}"])
    return scenario


def _resolve_brands(study: Study, source: str, base: Path, brand_overrides: list[str],
                    timing: dict[str, str], allow_import: bool) -> dict[str, Scenario]:
    extra: dict[str | None, list[str]] = {}
    for text in brand_overrides:
        brand, override = parse_brand_override(text)
        if brand is not None and brand not in study.brands:
            raise UserError(f"--brand-set {text!r}: expected a brand of the study {sorted(study.brands)}, got {brand!r}")
        extra.setdefault(brand, []).append(override)
    brands, problems = {}, []
    for name in study.brands:
        try:
            brands[name] = _brand_scenario(study, name, base, source, extra.get(None, []) + extra.get(name, []),
                                           timing, allow_import)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return brands


def _check_size(study: Study, source: str) -> None:
    runs = len(study.brands) * study.repeats
    if runs > MAX_BRAND_RUNS:
        raise UserError(f"{source}: {len(study.brands)} brands × {study.repeats} repeats = {runs:,} brand runs; "
                        f"expected at most {MAX_BRAND_RUNS:,}")
    probes = runs * study.probes.per_brand
    if probes > MAX_PROBES:
        raise UserError(f"{source}: {probes:,} probes in all (probes.per_brand × brands × repeats); "
                        f"expected at most {MAX_PROBES:,}")


def load_study(path: str | Path, overrides: list[str] | None = None, brand_overrides: list[str] | None = None,
               *, allow_import: bool = False) -> LoadedStudy:
    """Load a study file with ``--set`` study overrides and ``--brand-set [BRAND:]PATH=VALUE`` brand overrides.

    Relative ``scenario:`` paths are read from the study file's folder; a
    bare name is a shipped scenario.
    """
    file = Path(path)
    data = load_yaml_file(file)
    if overrides:
        data = apply_overrides(data if isinstance(data, dict) else {}, [parse_override(o) for o in overrides])
    source = str(path)
    study = study_from_data(data, source)
    _check_size(study, source)
    start, end = sending_period(study.probes.schedule, study.probes.per_brand, study.warmup)
    timing = {"horizon": _seconds(end + study.window), "warmup": _seconds(study.warmup), "drain": "0s", "seed": 0}
    brands = _resolve_brands(study, source, file.parent, list(brand_overrides or []), timing, allow_import)
    return LoadedStudy(study, brands, source, start, end)
