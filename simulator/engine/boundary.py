"""Checking what a priority policy returns, where it enters the engine.

A policy is user code: a NaN key would sit in a heap and silently break its
order, a string key among numbers fails deep inside ``heapq`` with a
traceback, a negative triage time would run the clock backwards. Each value a
policy returns is checked here and refused with one :class:`PolicyError`
naming the policy, the value and the simulated time.

The sort key is checked on the hot path, so the common case costs two
comparisons in :meth:`carebench.engine.core.Engine.offer` (the key's class is
the one seen first, and it is not NaN); any other key comes here for the full
check. The first key of a run fixes its *shape* (number, string, or a tuple
of shapes); every later key must be comparable with it.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from carebench.engine.interface import FirstReply, PolicyError
from carebench.model.kinds import Action
from carebench.util.units import format_duration

__all__ = ["KeyCheck", "ReplyCheck", "at", "key_shape"]

_NUMBER, _TEXT = "number", "string"
_INF = math.inf


def at(now: float) -> str:
    """The simulated time as error messages give it: ``t=3600s (1h)``."""
    return f"t={now:.0f}s ({format_duration(now)})" if math.isfinite(now) else f"t={now}"


def key_shape(key: Any) -> Any:
    """The comparable shape of a sort key, or None when it is not a valid key.

    Numbers (of any numeric class, never NaN) share one shape, strings another;
    a tuple's shape is the tuple of its items' shapes.
    """
    if isinstance(key, str):
        return _TEXT
    if isinstance(key, tuple):
        shapes = tuple(key_shape(item) for item in key)
        return None if None in shapes else shapes
    if isinstance(key, (Real, np.number)) and not isinstance(key, complex) and key == key:
        return _NUMBER
    return None


def _merge(a: Any, b: Any) -> Any:
    """A shape every key of shape ``a`` or ``b`` compares with, or None when they do not compare.

    Tuples compare item by item up to the shorter one, so the merge of two
    tuple shapes keeps the longer tail.
    """
    if isinstance(a, tuple) and isinstance(b, tuple):
        merged = []
        for x, y in zip(a, b):
            m = _merge(x, y)
            if m is None:
                return None
            merged.append(m)
        longer = a if len(a) >= len(b) else b
        return (*merged, *longer[len(merged):])
    return a if a == b else None


def _describe(shape: Any) -> str:
    if isinstance(shape, tuple):
        return "(" + ", ".join(_describe(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    return shape


class KeyCheck:
    """The full check of priority keys for one run (the fast path lives in the engine).

    ``fast`` is the class whose keys the engine may accept after checking
    only that they are not NaN: ``float`` when the first key is a plain
    number, else None (every key comes here).
    """

    def __init__(self, policy_name: str):
        self.policy = policy_name
        self.shape: Any = None
        self.example: Any = None
        self.fast: type | None = None

    def check(self, key: Any, contact: Any, now: float) -> None:
        """Accept ``key`` for ``contact`` at ``now`` or raise a :class:`PolicyError`."""
        shape = key_shape(key)
        if shape is None:
            raise PolicyError(f"priority policy {self.policy} at {at(now)}: key() returned {key!r} for contact "
                              f"{contact.id} on {contact.channel}; expected a number (not NaN), a string or "
                              f"a tuple of these")
        if self.shape is None:
            self.shape, self.example = shape, key
            # Plain numbers take the fast path as floats (a key read off the clock at time 0 is
            # SimPy's int 0, every later one a float); numpy scalars and tuples get the full check.
            self.fast = float if type(key) in (float, int) else None
            return
        merged = _merge(self.shape, shape)
        if merged is None:
            raise PolicyError(f"priority policy {self.policy} at {at(now)}: key() returned {key!r} of shape "
                              f"{_describe(shape)} for contact {contact.id} on {contact.channel}, which cannot "
                              f"be compared with an earlier key {self.example!r} of shape "
                              f"{_describe(self.shape)}; every key of a run must compare with every other")
        self.shape = merged


class ReplyCheck:
    """Checks of a priority policy's first replies, triage times and bot decisions."""

    def __init__(self, policy_name: str, channels: list[str]):
        self.policy = policy_name
        self.targets = frozenset((*channels, "link"))

    def fail(self, hook: str, value: Any, contact: Any, now: float, expected: str) -> PolicyError:
        """The error for ``hook`` returning ``value``."""
        return PolicyError(f"priority policy {self.policy} at {at(now)}: {hook}() returned {value!r} for contact "
                           f"{contact.id} on {contact.channel}; expected {expected}")

    def wrap(self, hook: str, exc: PolicyError, contact: Any, now: float) -> PolicyError:
        """A :class:`PolicyError` raised inside a hook (e.g. building a bad FirstReply), with its place."""
        return PolicyError(f"priority policy {self.policy} at {at(now)}: {hook}() for contact {contact.id} "
                           f"on {contact.channel}: {exc}")

    def first_reply(self, plan: Any, contact: Any, now: float) -> FirstReply:
        """``plan`` if it is a usable :class:`FirstReply`."""
        if not isinstance(plan, FirstReply):
            raise self.fail("first_reply", plan, contact, now, "a FirstReply")
        if plan.action.__class__ is not Action:  # only by going round FirstReply's own check
            raise self.fail("first_reply", plan, contact, now, f"an action in {[a.value for a in Action]}")
        if plan.action is Action.DEFLECT and plan.to not in self.targets:
            raise self.fail("first_reply", plan, contact, now,
                            f"a deflection to one of {sorted(self.targets)}")
        if not 0 <= plan.work < _INF:
            raise self.fail("first_reply", plan, contact, now, "work as finite seconds >= 0")
        return plan

    def seconds(self, value: Any, contact: Any, now: float) -> float:
        """A triage time, if it is finite seconds >= 0."""
        if isinstance(value, (Real, np.number)) and not isinstance(value, complex) and 0 <= value < _INF:
            return float(value)
        raise self.fail("triage_seconds", value, contact, now, "finite seconds >= 0")

    def flag(self, value: Any, contact: Any, now: float) -> bool:
        """A bot decision, if it is a bool."""
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise self.fail("auto_acknowledge", value, contact, now, "True or False")
