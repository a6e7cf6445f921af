"""The explicit registry of policies by name, and building them from a scenario.

Adding a policy is one new module plus one line in :data:`PRIORITY_POLICIES`
or :data:`STAFFING_POLICIES`. A user's own policy class can be named by import
path (``package.module:ClassName``) only when the caller opts in
(``--allow-policy-import`` on the command line).
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from carebench.engine.interface import PolicyError, PriorityPolicy, StaffingPolicy
from carebench.policies.acknowledge_then_resolve import AcknowledgeThenResolve
from carebench.policies.auto_ack_bot import AutoAckBot
from carebench.policies.channel_priority import ChannelPriority
from carebench.policies.compose import ActionPolicy, Layered
from carebench.policies.deflect_complex import DeflectComplex
from carebench.policies.drop_after import DropAfter
from carebench.policies.exposure_rate import ExposureRate
from carebench.policies.fifo import Fifo
from carebench.policies.fixed_roster import FixedRoster
from carebench.policies.follower_weighted import FollowerWeighted
from carebench.policies.fresh_first import FreshFirst
from carebench.policies.interval_staffing import IntervalStaffing
from carebench.policies.newest_first import NewestFirst
from carebench.policies.sla_deadline import SlaDeadline
from carebench.policies.surge import Surge
from carebench.policies.triage_window import TriageWindow
from carebench.policies.urgency_triage import UrgencyTriage

__all__ = [
    "PRIORITY_POLICIES",
    "STAFFING_POLICIES",
    "build_priority",
    "build_staffing",
    "policy_problems",
    "describe_policies",
    "PolicyError",
]

PRIORITY_POLICIES: dict[str, type[PriorityPolicy]] = {
    "fifo": Fifo,
    "channel_priority": ChannelPriority,
    "sla_deadline": SlaDeadline,
    "follower_weighted": FollowerWeighted,
    "exposure_rate": ExposureRate,
    "urgency_triage": UrgencyTriage,
    "acknowledge_then_resolve": AcknowledgeThenResolve,
    "deflect_complex": DeflectComplex,
    "auto_ack_bot": AutoAckBot,
    "newest_first": NewestFirst,
    "triage_window": TriageWindow,
    "drop_after": DropAfter,
    "fresh_first": FreshFirst,
}

STAFFING_POLICIES: dict[str, type[StaffingPolicy]] = {
    "fixed_roster": FixedRoster,
    "interval_staffing": IntervalStaffing,
    "surge": Surge,
}


def _resolve(name: str, kind: str, table: dict[str, type], base: type, allow_import: bool) -> type:
    if name in table:
        return table[name]
    if ":" not in name:
        raise PolicyError(
            f"policies.{kind}: unknown policy {name!r}, expected one of {sorted(table)} "
            f"(or an import path module:Class with --allow-policy-import)"
        )
    if not allow_import:
        raise PolicyError(
            f"policies.{kind}: {name!r} is an import path; loading code from it needs --allow-policy-import"
        )
    module_name, _, attr = name.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        raise PolicyError(f"policies.{kind}: cannot import {name!r}: {exc} "
                          f"(is its folder on PYTHONPATH? e.g. PYTHONPATH=. carebench ...)") from None
    except AttributeError as exc:
        raise PolicyError(f"policies.{kind}: cannot import {name!r}: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise PolicyError(f"policies.{kind}: {name!r} is not a {base.__name__} subclass")
    return cls


def _instantiate(cls: type, params: dict[str, Any], place: str) -> Any:
    try:
        return cls(**params)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"] if p != "__init__")
        msg = err["msg"].removeprefix("Value error, ")
        if msg.startswith("Input "):  # as scenario errors read: "input should be ..."
            msg = "i" + msg[1:]
        if err["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            msg = f"unknown parameter; {cls.__name__} takes {_param_names(cls) or 'no parameters'}"
        missing = err["type"] in ("missing", "missing_argument")
        if missing:
            msg = "required parameter missing"
        got = "" if " got " in msg or missing else f", got {err.get('input')!r}"
        raise PolicyError(f"{place}{'.' + loc if loc else ''}: {msg}{got}") from None
    except PolicyError as exc:
        raise PolicyError(f"{place}: {exc}") from None
    except (TypeError, ValueError) as exc:  # a plain dataclass's own checks in __post_init__
        raise PolicyError(f"{place}: {' '.join(str(exc).split()) or type(exc).__name__}") from None


def _param_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []


def build_priority(scenario: Any, allow_import: bool = False) -> PriorityPolicy:
    """The scenario's priority policy, constructed with its parameters.

    An :class:`~carebench.policies.compose.ActionPolicy` whose ``order`` names another
    policy is joined with that ordering policy (built from its own entry in
    ``policies.params``) into a :class:`~carebench.policies.compose.Layered` policy.
    """
    name = scenario.policies.priority
    cls = _resolve(name, "priority", PRIORITY_POLICIES, PriorityPolicy, allow_import)
    policy = _instantiate(cls, scenario.policies.params.get(name, {}), f"policies.params.{name}")
    order = getattr(policy, "order", "fifo") if isinstance(policy, ActionPolicy) else "fifo"
    if order == "fifo":
        return policy
    place = f"policies.params.{name}.order"
    base_cls = _resolve(order, "priority", PRIORITY_POLICIES, PriorityPolicy, allow_import)
    if issubclass(base_cls, ActionPolicy):
        raise PolicyError(f"{place}: expected an ordering policy (not one about first replies such as "
                          f"{sorted(n for n, c in PRIORITY_POLICIES.items() if issubclass(c, ActionPolicy))}), "
                          f"got {order!r}")
    base = _instantiate(base_cls, scenario.policies.params.get(order, {}), f"policies.params.{order}")
    return Layered(policy, base)


def build_staffing(scenario: Any, allow_import: bool = False) -> StaffingPolicy:
    """The scenario's staffing policy, constructed with its parameters."""
    name = scenario.policies.staffing
    cls = _resolve(name, "staffing", STAFFING_POLICIES, StaffingPolicy, allow_import)
    return _instantiate(cls, scenario.policies.params.get(name, {}), f"policies.params.{name}")


def policy_problems(scenario: Any, allow_import: bool = False) -> list[str]:
    """Every problem with the scenario's policies: names, parameters, channel and pool references."""
    problems: list[str] = []
    for builder in (build_priority, build_staffing):
        try:
            policy = builder(scenario, allow_import)
        except PolicyError as exc:
            problems.append(str(exc))
            continue
        problems.extend(_reference_problems(policy, scenario))
    known = set(PRIORITY_POLICIES) | set(STAFFING_POLICIES)
    active = {scenario.policies.priority, scenario.policies.staffing}
    order = scenario.policies.params.get(scenario.policies.priority, {}).get("order")
    if isinstance(order, str):
        active.add(order)
    for name, params in scenario.policies.params.items():
        if name not in known and name not in active:
            problems.append(f"policies.params.{name}: unknown policy, expected one of {sorted(known)}")
        elif name not in active:
            table = PRIORITY_POLICIES if name in PRIORITY_POLICIES else STAFFING_POLICIES
            try:
                _instantiate(table[name], params, f"policies.params.{name}")
            except PolicyError as exc:
                problems.append(str(exc))
    return problems


def _reference_problems(policy: Any, scenario: Any) -> list[str]:
    out = []
    for ch in policy.channels_used():
        if ch not in scenario.channels and ch != "link":
            out.append(
                f"policies.params.{policy.name}: unknown channel {ch!r}, expected one of {sorted(scenario.channels)}"
            )
    for pool in getattr(policy, "pools_used", tuple)():
        if pool not in scenario.pools:
            out.append(f"policies.params.{policy.name}: unknown pool {pool!r}, expected one of {sorted(scenario.pools)}")
    return out


def describe_policies() -> list[dict[str, Any]]:
    """Every registered policy: kind, name, one-line summary and parameters (name, default, type, required)."""
    rows = []
    for kind, table in (("priority", PRIORITY_POLICIES), ("staffing", STAFFING_POLICIES)):
        for name, cls in table.items():
            params = [
                {"name": f.name, "default": _default(f), "type": _type_name(f.type), "required": _required(f)}
                for f in dataclasses.fields(cls)
            ]
            rows.append({"kind": kind, "name": name, "summary": cls.summary, "params": params, "doc": cls.__doc__ or ""})
    return rows


def _default(f: dataclasses.Field) -> Any:
    """The default as a scenario file would write it (lists for tuples); None when required."""
    value: Any = None
    if isinstance(f.default, FieldInfo):  # pydantic's Field(...): default or default_factory inside
        if f.default.default_factory is not None:
            value = f.default.default_factory()  # type: ignore[call-arg]
        elif f.default.default is not PydanticUndefined:
            value = f.default.default
    elif f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        value = f.default_factory()  # type: ignore[misc]
    return list(value) if isinstance(value, tuple) else value


def _required(f: dataclasses.Field) -> bool:
    if isinstance(f.default, FieldInfo):
        return f.default.default is PydanticUndefined and f.default.default_factory is None
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")
