"""The typed mystery-shopper study file: brands, the probe protocol, the window, seed and repeats.

A study sends probe contacts ("mystery shoppers") to several brands and
times the brands' replies. Each brand is a scenario — its own background
traffic, pools, support hours and policies — given one of three ways:
``scenario:`` (a scenario file or a shipped scenario's name), ``template:``
(a scenario body shared by several brands, under the study's
``templates:``) or ``brand:`` (a scenario body written in place); ``set:``
then overrides fields by dotted path, as ``--set`` does for ``carebench run``.

The study is validated once, here, into frozen pydantic models with
``extra="forbid"``; :mod:`carebench.study.resolve` turns validation errors
into one line per problem naming the file and the dotted place, and
resolves each brand into a validated :class:`~carebench.model.scenario.Scenario`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator
from pydantic.functional_serializers import PlainSerializer
from pydantic.functional_validators import BeforeValidator

from carebench.model.calendar import WeeklyWindows, parse_windows
from carebench.model.distributions import Duration, TimeDist
from carebench.model.kinds import Kind, ReplyKind

__all__ = [
    "Schedule",
    "ProbeProtocol",
    "Listening",
    "Reference",
    "BrandEntry",
    "Study",
    "STUDY_CONTROLLED",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

STUDY_CONTROLLED = ("horizon", "warmup", "drain", "seed", "replications")
"""Scenario fields the study sets for every brand (a brand's ``set:`` may not touch them)."""

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _windows(value: object) -> WeeklyWindows:
    return value if isinstance(value, WeeklyWindows) else parse_windows(value)  # type: ignore[arg-type]


Windows = Annotated[WeeklyWindows, BeforeValidator(_windows), PlainSerializer(lambda w: w.text)]


def _check_name(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ValueError(
            f"expected a {what} name of lower-case letters, digits and '_' starting with a letter, got {name!r}"
        )
    return name


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Schedule(_Model):
    """When probes are sent.

    ``kind: daily`` sends ``per_day`` probes (default 1) on each day that has
    send ``hours``, each at a uniform random time within that day's hours,
    until every probe is sent; ``kind: uniform`` sends each probe at a
    uniform random time within the send hours over ``period`` (default 7d).
    ``hours`` are weekly windows as in scenarios (default ``24/7``), e.g.
    ``"daily 09:00-21:00"`` for "one a day between 09:00 and 21:00".
    """

    kind: Literal["daily", "uniform"] = "daily"
    per_day: int | None = Field(default=None, ge=1, le=10_000)
    period: Duration | None = Field(default=None, gt=0)
    hours: Windows = "24/7"  # type: ignore[assignment]

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Schedule:
        if self.kind == "daily" and self.period is not None:
            raise ValueError("period: expected only with kind 'uniform' (a daily schedule lasts as many days "
                             "as it needs), got period with kind 'daily'")
        if self.kind == "uniform" and self.per_day is not None:
            raise ValueError("per_day: expected only with kind 'daily', got per_day with kind 'uniform'")
        if not self.hours.intervals:
            raise ValueError(f"hours: expected at least one window to send probes in, got {self.hours.text!r}")
        return self

    @property
    def probes_per_day(self) -> int:
        """Probes sent on each day with send hours (daily schedules)."""
        return self.per_day or 1

    @property
    def length(self) -> float:
        """The uniform schedule's period in seconds (default 7 days)."""
        return self.period if self.period is not None else 7 * 86400.0


class ProbeProtocol(_Model):
    """What every brand is sent: how many probes, when, on which channel, from whom.

    ``followers`` lists the shopper accounts' follower counts, one stratum
    each (e.g. ``[0, 75, 7500, 100000]``); each brand's probes are split
    between the strata as evenly as possible, in a random order. ``mention:
    false`` sends a tweet that does not address the brand: it is only seen
    through the brand's ``listening``.
    """

    per_brand: int = Field(ge=1, le=100_000)
    schedule: Schedule = Schedule()
    channel: str = "twitter"
    kind: ReplyKind = Kind.COMPLAINT
    mention: StrictBool = True
    followers: tuple[Annotated[int, Field(ge=0)], ...] = Field(default=(150,), min_length=1, max_length=20)

    @field_validator("followers")
    @classmethod
    def _distinct(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"expected distinct follower counts, one per stratum, got {list(value)}")
        return value


class Listening(_Model):
    """How a brand finds tweets that do not @-mention it (probes with ``mention: false``).

    A share ``share`` of them is found, each after ``delay``; the rest are
    never seen. The default brand does no listening.
    """

    share: Share = 0.0
    delay: TimeDist = Field(default_factory=lambda: {"dist": "exponential", "mean": "1h"})  # type: ignore[arg-type]


class Reference(_Model):
    """Published figures to print beside the simulated ones (all optional).

    Shares are fractions of the probes: ``within_1h``/``within_24h``
    answered within 1 h / 24 h, ``answered`` answered at all, ``waited_6h_plus``
    not answered within 6 h; ``mean_reply`` the mean time to reply among the
    answered; ``brands_answering_none`` how many brands answered no probe.
    """

    source: str
    within_1h: Share | None = None
    within_24h: Share | None = None
    answered: Share | None = None
    waited_6h_plus: Share | None = None
    mean_reply: Duration | None = None
    brands_answering_none: int | None = Field(default=None, ge=0)


class BrandEntry(_Model):
    """One brand: exactly one of ``scenario``, ``template`` or ``brand``, then ``set`` overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, populate_by_name=True)

    description: str = ""
    scenario: str | None = None
    template: str | None = None
    brand: dict[str, Any] | None = None
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set")
    listening: Listening = Listening()
    reference: Reference | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BrandEntry:
        given = [k for k in ("scenario", "template", "brand") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "expected exactly one of 'scenario' (a file or shipped name), 'template' "
                f"(a name under templates) or 'brand' (a scenario body), got {given or 'none'}"
            )
        for path in self.overrides:
            if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
                raise ValueError(f"set: expected dotted paths such as 'pools.social.agents', got {path!r}")
            if path.split(".")[0] in STUDY_CONTROLLED:
                raise ValueError(
                    f"set: expected scenario fields other than {', '.join(STUDY_CONTROLLED)} (the study sets "
                    f"them from its warmup, probe period and window), got {path!r}"
                )
        return self


class Study(_Model):
    """A whole study; see the README's "Mystery-shopper studies" section for every field.

    ``warmup`` is background traffic before the first probe (so queues are
    in their usual state); ``window`` how long each probe is watched after
    it is sent (a reply after it is censored). ``answered_by: any`` counts
    any first reply, a bot's acknowledgement included, as the STELLAService
    study counted any reply; ``human`` counts only an agent's reply.
    """

    name: str
    description: str = ""
    seed: int = Field(default=0, ge=0)
    repeats: int = Field(default=1, ge=1, le=10_000)
    warmup: Duration = "1d"  # type: ignore[assignment]
    window: Duration = Field(default="7d", gt=0)
    answered_by: Literal["any", "human"] = "any"
    probes: ProbeProtocol
    templates: dict[str, dict[str, Any]] = Field(default_factory=dict)
    brands: dict[str, BrandEntry] = Field(min_length=1, max_length=1000)
    reference: Reference | None = None

    @field_validator("brands", "templates")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            _check_name(str(name), "brand or template")
        return value

    @model_validator(mode="after")
    def _templates_exist(self) -> Study:
        for name, entry in self.brands.items():
            if entry.template is not None and entry.template not in self.templates:
                known = sorted(self.templates) or "none defined"
                raise ValueError(f"brands.{name}.template: expected one of the templates {known}, "
                                 f"got {entry.template!r}")
        return self
