"""The typed, immutable scenario: channels, arrivals, incidents, customers, pools, policies.

A scenario file is validated once, here, into frozen pydantic models with
``extra="forbid"``, so a misspelt key is an error rather than a silent
default. Durations are written with units (``'1h'``) and held as seconds;
clock times (``'09:00'``) as seconds after midnight. The loader
(:mod:`carebench.load.loader`) turns validation errors into one line per problem
that names the file, the dotted place and what was expected.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from carebench.model.behaviour import Behaviour, ContactMix, UrgencyMix
from carebench.model.distributions import CountDist, Duration, NonNegative, PositiveDuration, TimeDist
from carebench.model.kinds import Kind, ReplyKind, Urgency, UrgencyWord
from carebench.model.shapes import LoadShapeSpec
from carebench.util.units import DAY

__all__ = [
    "Arrivals",
    "Channel",
    "Incident",
    "Injection",
    "Customers",
    "Break",
    "Shift",
    "Pool",
    "Policies",
    "Report",
    "Scenario",
]

from carebench.model.fields import Clock, Model, Share, Windows
from carebench.model.fields import check_name as _check_name
from carebench.model.team import Break, Pool, Shift


class Arrivals(Model):
    """A channel's arrival rate: ``per_hour`` when both profile values are 1.

    The rate at time t is ``per_hour × hourly_profile[hour] × weekly_profile[weekday]``
    times any incident and load-shape multipliers in force.

    When ``times`` is given (a replayed trace: seconds from the run start,
    sorted), those are the channel's arrivals and the rate, profiles,
    incidents and load shapes no longer generate any; ``per_hour`` then only
    informs what reads the nominal rate (analytic staffing, reports).
    """

    per_hour: NonNegative
    hourly_profile: tuple[NonNegative, ...] = Field(default=(1.0,) * 24, min_length=24, max_length=24)
    weekly_profile: tuple[NonNegative, ...] = Field(default=(1.0,) * 7, min_length=7, max_length=7)
    times: tuple[NonNegative, ...] | None = None

    @field_validator("times")
    @classmethod
    def _sorted(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and any(b < a for a, b in zip(value, value[1:])):
            raise ValueError("expected arrival times in increasing order")
        return value


class Channel(Model):
    """One contact channel: public (Twitter, Facebook) or private (phone, chat, email).

    ``first_response`` says when the SLA clock stops: at ``pickup`` for
    synchronous channels (a call or chat is answered when an agent connects),
    at ``reply`` for asynchronous ones (a tweet or email is answered when the
    agent's reply is sent, at the end of handling).

    ``after_give_up`` says what a customer's give-up (patience, or bumping in
    vain) does to the contact: ``leave`` takes it out of the queue (a call
    hung up; the default), ``stay`` (public channels only) keeps the post
    queued, public and answerable while the customer stops waiting, bumping
    and counting as a waiting customer. ``expire_after`` (optional) takes an
    unanswered contact out of the queue that long after it arrived (counted
    as ``expired``). See docs/public-channels.md.
    """

    public: bool
    sla: Duration = Field(gt=0)
    sla_goal: Share = 0.8
    handle_time: TimeDist
    concurrency: int = Field(default=1, ge=1, le=50)
    first_response: Literal["pickup", "reply"] = "reply"
    patience: TimeDist | None = None
    support_hours: Windows = "24/7"  # type: ignore[assignment]
    arrivals: Arrivals
    contacts: ContactMix = ContactMix()
    urgency: UrgencyMix = UrgencyMix()
    after_give_up: Literal["leave", "stay"] = "leave"
    expire_after: PositiveDuration | None = None

    @model_validator(mode="after")
    def _stay_is_public(self) -> Channel:
        if self.after_give_up == "stay" and not self.public:
            raise ValueError("after_give_up: expected 'leave' on a private channel (an abandoned call is gone), "
                             "got 'stay'")
        return self


class Incident(Model):
    """A scheduled event that multiplies some channels' arrival rate over a window."""

    name: str = "incident"
    channels: tuple[str, ...] = Field(min_length=1)
    day: int = Field(ge=1)
    start: Clock
    duration: Duration = Field(gt=0)
    multiplier: NonNegative

    @property
    def start_time(self) -> float:
        """Absolute start in seconds (day 1 starts at 0)."""
        return (self.day - 1) * DAY + self.start

    @property
    def end_time(self) -> float:
        """Absolute end in seconds."""
        return self.start_time + self.duration


_DEFAULT_FOLLOWERS = {"dist": "lognormal", "mean": 1100, "cv": 7.3}


class Customers(Model):
    """Who contacts the brand: a heavy-tailed follower count and a value at risk.

    The default follower distribution is a lognormal with median about 150 and
    sigma 2 (mean 1,100, cv 7.3): most customers have tens to hundreds of
    followers, about 2 % exceed 7,500 and about 1 in 2,500 exceeds 100,000.
    """

    followers: CountDist = Field(default_factory=lambda: _DEFAULT_FOLLOWERS)  # type: ignore[arg-type]
    value: NonNegative = 0.0


class Injection(Model):
    """One given contact at a given time (e.g. a 100,000-follower customer's complaint).

    It arrives at ``at`` (from the run start) on ``channel`` as an ordinary
    contact with these followers, kind and urgency; its handle time and the
    rest are drawn from streams of their own, so the background traffic is
    unchanged. It counts in the KPIs like any contact.
    """

    channel: str
    at: Duration
    followers: NonNegative = 0.0
    kind: ReplyKind = Kind.COMPLAINT
    urgency: UrgencyWord = Urgency.NORMAL


class Policies(Model):
    """The priority and staffing policy by registered name, with parameters per policy name."""

    priority: str = "fifo"
    staffing: str = "fixed_roster"
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Report(Model):
    """How results are binned over time."""

    bin: Duration = Field(default="15m", gt=0)


class Scenario(Model):
    """A whole scenario; see the README's "Scenario files" section for every field."""

    name: str
    description: str = ""
    horizon: Duration = Field(gt=0)
    warmup: Duration = 0.0
    warmup_auto: bool = False
    """``warmup: auto`` in a file: the warm-up is chosen per run by MSER-5 (``warmup`` is then 0)."""
    drain: Duration = 0.0
    seed: int = Field(default=0, ge=0)
    replications: int = Field(default=1, ge=1, le=10_000)
    channels: dict[str, Channel] = Field(min_length=1)
    incidents: tuple[Incident, ...] = ()
    customers: Customers = Customers()
    pools: dict[str, Pool] = Field(default_factory=dict)
    policies: Policies = Policies()
    behaviour: Behaviour = Behaviour()
    thresholds: tuple[str, ...] = ()
    load: tuple[LoadShapeSpec, ...] = ()
    inject: tuple[Injection, ...] = ()
    report: Report = Report()

    @model_validator(mode="before")
    @classmethod
    def _auto_warmup(cls, data: Any) -> Any:
        # ``warmup: auto`` keeps ``warmup`` a number for every reader; the flag asks for MSER-5.
        if isinstance(data, dict) and isinstance(data.get("warmup"), str) and data["warmup"].strip() == "auto":
            data = {**data, "warmup": 0.0, "warmup_auto": True}
        return data

    @field_validator("name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        # A name is printed in one-line messages and becomes part of file names.
        if not value.strip() or not value.isprintable() or len(value) > 1000:
            raise ValueError(f"expected a name of printable characters on one line (at most 1,000), got {value[:60]!r}")
        return value

    @field_validator("channels", "pools")
    @classmethod
    def _names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            _check_name(name, "channel or pool")
        return value

    def reference_problems(self):
        """Yield one line per field that refers to something the scenario lacks (checked by the loader)."""
        known = set(self.channels)
        if self.warmup >= self.horizon:
            yield ("warmup: expected less than the horizon (the horizon is the whole run, warm-up included; "
                   "set a longer horizon or a shorter warmup)")
        for name, pool in self.pools.items():
            for ch in pool.channels:
                if ch not in known:
                    yield f"pools.{name}.channels: unknown channel {ch!r}, expected one of {sorted(known)}"
        for i, inc in enumerate(self.incidents):
            for ch in inc.channels:
                if ch not in known and ch != "all":
                    yield f"incidents.{i}.channels: unknown channel {ch!r}, expected one of {sorted(known)} or 'all'"
        for i, inj in enumerate(self.inject):
            if inj.channel not in known:
                yield f"inject.{i}.channel: unknown channel {inj.channel!r}, expected one of {sorted(known)}"
            if inj.at >= self.horizon:
                yield f"inject.{i}.at: expected a time before the horizon ({self.horizon:.0f}s)"
        for i, shape in enumerate(self.load):
            for ch in shape.channels:
                if ch not in known:
                    yield f"load.{i}.channels: unknown channel {ch!r}, expected one of {sorted(known)}"
        yield from self.behaviour.reference_problems(self.channels)

    def warnings(self):
        """Yield one line per kind of setting that is valid but idle in this run (the CLI prints them).

        These are warnings, not errors: an incident after the horizon arises
        naturally when a run is shortened (``--horizon 1d`` on a scenario
        whose incident is on day 3), and a channel nobody serves is how a
        planner models a channel left unanswered; the run is still meaningful.
        """
        days = f"{self.horizon / DAY:g} day{'s' if self.horizon != DAY else ''}"
        late = [f"incidents.{i}" for i, inc in enumerate(self.incidents) if inc.start_time >= self.horizon]
        late += [f"load.{i}" for i, shape in enumerate(self.load)
                 if (getattr(shape, "start", 0.0) or 0.0) >= self.horizon]
        if late:
            yield f"{', '.join(late)} start after the horizon ({days}) and have no effect in this run"
        served = {ch for pool in self.pools.values() for ch in pool.channels}
        unserved = [name for name in self.channels if name not in served]
        if unserved:
            yield (f"channels {', '.join(unserved)}: no pool serves them, so their contacts wait unanswered; "
                   "add them to a pool's channels if that is not meant")

    @property
    def end_time(self) -> float:
        """When the run stops: the horizon plus the drain period."""
        return self.horizon + self.drain

    @property
    def longest_time(self) -> float:
        """The longest time a measured contact can wait: from the warm-up's end to the run's end.

        A response or resolution time measured in the run (its contact
        arrived after the warm-up and was answered before the run stopped)
        cannot be longer, so neither can any of their means or quantiles.
        """
        return self.end_time - self.warmup

    def incident_channels(self, incident: Incident) -> tuple[str, ...]:
        """The channels an incident applies to (``'all'`` expanded)."""
        return tuple(self.channels) if "all" in incident.channels else incident.channels

    def as_data(self) -> dict[str, Any]:
        """The scenario as plain data in the file's own spelling (``from`` of a load shape, not ``from_``).

        ``scenario_from_data(sc.as_data()) == sc``; written as YAML it is a
        runnable scenario file with every default filled in.
        """
        return _without_unset_times(self.model_dump(mode="json", by_alias=True))

    def fingerprint(self) -> str:
        """A short stable hash of everything that affects results (not the name or description)."""
        data = self.model_dump(mode="json", exclude={"name", "description", "replications", "thresholds"})
        data = _without_unset_times(data)
        if not data["warmup_auto"]:  # absent from older scenarios: keep their fingerprints (and baselines)
            del data["warmup_auto"]
        for pool in data["pools"].values():
            # Templates only say what a schedule may choose; the run works the shifts.
            pool.pop("templates", None)
            pool.pop("max_part_time_share", None)
            for shift in pool["shifts"]:
                if not shift["days"]:
                    del shift["days"]  # the default leaves fingerprints of earlier scenarios as they were
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _without_unset_times(data: dict[str, Any]) -> dict[str, Any]:
    """Drop ``arrivals.times: null`` so scenarios without a replayed trace read (and hash) as before."""
    for chan in data.get("channels", {}).values():
        if chan.get("arrivals", {}).get("times", 0) is None:
            del chan["arrivals"]["times"]
    return data
