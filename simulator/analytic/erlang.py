"""Analytic queueing formulas a contact-centre planner uses: Erlang B, C and A.

Erlang B is the loss system M/M/c/c, Erlang C the delay system M/M/c (callers
wait forever), Erlang A (Palm's model) the delay system with impatient callers
M/M/c+M: each waiting caller hangs up after an exponential patience. The
formulas stay accurate for thousands of agents and thousands of Erlangs: no
factorials, only recurrences and sums in log space.

Times are seconds and rates are per second. The offered load in Erlangs is
``rate * handle_time``. References: Garnett, Mandelbaum & Reiman (2002),
"Designing a call center with impatient customers", M&SOM 4(3); Mandelbaum &
Zeltyn, "The M/M/n+G queue: summary of performance measures".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Literal

import numpy as np

from carebench.util.errors import UserError

__all__ = [
    "QueueFigures",
    "agents_needed",
    "erlang_a_figures",
    "erlang_b",
    "erlang_c",
    "erlang_c_figures",
]

_TAIL_MASS = 1e-12
_MAX_QUEUE_STATES = 5_000_000


@dataclass(frozen=True)
class QueueFigures:
    """Steady-state figures of one queue served by ``agents`` agents.

    ``load`` is the offered load in Erlangs; ``occupancy`` the share of agent
    time spent serving (0 when there are no agents); ``p_wait`` the share of
    arrivals that find every agent busy; ``mean_wait`` the mean time in queue
    in seconds over all arrivals, those who do not wait counted as 0 and those
    who abandon counted until they hang up (``inf`` when the queue grows
    without bound); ``service_level`` the share of all arrivals answered
    within ``target`` seconds; ``p_abandon`` the share that hang up (0 for
    Erlang C); ``mean_wait_answered`` the mean wait in seconds of those
    answered (``inf`` when nobody is answered in finite mean time);
    ``model`` is ``'erlang_c'`` or ``'erlang_a'``.
    """

    agents: int
    load: float
    occupancy: float
    p_wait: float
    mean_wait: float
    service_level: float
    target: float
    p_abandon: float
    mean_wait_answered: float
    model: Literal["erlang_c", "erlang_a"]


def erlang_b(agents: int, load: float) -> float:
    """Return the blocking probability of ``agents`` servers offered ``load`` Erlangs.

    Uses the recurrence 1/B(k) = 1 + k/(load * B(k-1)), which is stable for
    any size. With no agents every arrival is blocked (1.0).
    """
    agents = _agent_count("erlang_b", agents)
    load = _number("erlang_b", "load (Erlangs)", load, strict=False)
    if agents == 0:
        return 1.0
    if load == 0.0:
        return 0.0
    inverse = 1.0
    for k in range(1, agents + 1):
        inverse = 1.0 + inverse * k / load
        if math.isinf(inverse):
            return 0.0
    return 1.0 / inverse


def erlang_c(agents: int, load: float) -> float:
    """Return the probability that an arrival must wait in M/M/c (Erlang C).

    ``load`` is in Erlangs. The queue is unstable when ``load >= agents`` and
    then every arrival waits: the result is 1.0 (this includes no agents).
    """
    agents = _agent_count("erlang_c", agents)
    load = _number("erlang_c", "load (Erlangs)", load, strict=False)
    if load >= agents:
        return 1.0
    blocking = erlang_b(agents, load)
    return _clip(agents * blocking / (agents - load * (1.0 - blocking)))


def erlang_c_figures(rate: float, handle_time: float, agents: int, target: float) -> QueueFigures:
    """Return the M/M/c (Erlang C) figures for one queue.

    ``rate`` is arrivals per second, ``handle_time`` the mean handling time in
    seconds, ``target`` the service-level target in seconds. The service level
    is P(wait <= target) = 1 - C * exp(-(agents/handle_time - rate) * target);
    when ``load >= agents`` the queue is unstable: p_wait 1, service level 0
    and infinite mean waits. With ``rate == 0`` nobody arrives and the
    figures are the vacuous ones: no waiting, service level 1.
    """
    where = "erlang_c_figures"
    rate, handle_time, agents, target = _queue_args(where, rate, handle_time, agents, target)
    load = rate * handle_time
    if rate == 0.0:
        return _idle_figures(agents, target, "erlang_c")
    if load >= agents:
        return QueueFigures(
            agents=agents,
            load=load,
            occupancy=1.0 if agents else 0.0,
            p_wait=1.0,
            mean_wait=math.inf,
            service_level=0.0,
            target=target,
            p_abandon=0.0,
            mean_wait_answered=math.inf,
            model="erlang_c",
        )
    p_wait = erlang_c(agents, load)
    drain = agents / handle_time - rate
    mean_wait = p_wait / drain
    return QueueFigures(
        agents=agents,
        load=load,
        occupancy=_clip(load / agents),
        p_wait=p_wait,
        mean_wait=mean_wait,
        service_level=_clip(1.0 - p_wait * math.exp(-drain * target)),
        target=target,
        p_abandon=0.0,
        mean_wait_answered=mean_wait,
        model="erlang_c",
    )


def erlang_a_figures(
    rate: float, handle_time: float, agents: int, target: float, patience: float
) -> QueueFigures:
    """Return the M/M/c+M (Erlang A) figures for one queue with impatient callers.

    Each waiting caller hangs up after an exponential patience of mean
    ``patience`` seconds, which keeps the queue stable at any load. The
    stationary distribution of the number in system is computed exactly,
    truncated where the neglected mass is below 1e-12; P(abandon) is
    θ·E[queue]/rate (θ = 1/patience) and the mean wait E[queue]/rate.

    ``service_level`` is p_answered_within(target): the share of ALL arrivals,
    abandoners included, that are answered AND waited at most ``target``
    seconds. It is never above 1 - p_abandon. A caller who finds ``j`` others
    queued is served with probability cμ/(cμ + (j+1)θ) and its answered-wait
    distribution is a regularised incomplete beta function in 1 - exp(-θt),
    so the figure is exact rather than simulated or approximated. Raises
    ``UserError`` when patience is so long against an overload that the queue
    would hold millions of callers (use Erlang C or a shorter patience).
    """
    where = "erlang_a_figures"
    rate, handle_time, agents, target = _queue_args(where, rate, handle_time, agents, target)
    patience = _number(where, "patience (seconds)", patience, strict=True)
    load = rate * handle_time
    if rate == 0.0:
        return _idle_figures(agents, target, "erlang_a")
    service = agents / handle_time
    hangup = 1.0 / patience
    pi = _erlang_a_distribution(where, agents, rate, service, hangup)
    queued = pi[agents:]
    ahead = np.arange(queued.size, dtype=float)
    mean_queue = float(ahead @ queued)
    busy = float(np.minimum(np.arange(pi.size), agents) @ pi)
    p_free = float(pi[:agents].sum())
    p_served_if_queued = service / (service + (ahead + 1.0) * hangup)
    answered = p_free + float(p_served_if_queued @ queued)
    # mean offered wait of a caller with j ahead who is served: sum of its stage means
    stage_means = np.cumsum(1.0 / (service + (ahead + 1.0) * hangup))
    answered_wait = float((p_served_if_queued * stage_means) @ queued)
    # with j ahead the offered wait V has 1 - exp(-θV) ~ Beta(j+1, cμ/θ) (order statistics
    # of exponentials); weighting by P(patience > V) = exp(-θV) gives the form used here
    reach = -math.expm1(-hangup * target)
    # Imported here: scipy costs every run about 25 MB and a quarter second, and only Erlang A needs it.
    from scipy.special import betainc

    within = betainc(ahead + 1.0, service / hangup + 1.0, reach)
    return QueueFigures(
        agents=agents,
        load=load,
        occupancy=_clip(busy / agents) if agents else 0.0,
        p_wait=_clip(float(queued.sum())),
        mean_wait=mean_queue / rate,
        service_level=_clip(p_free + float((p_served_if_queued * within) @ queued)),
        target=target,
        p_abandon=_clip(hangup * mean_queue / rate),
        mean_wait_answered=answered_wait / answered if answered > 0.0 else math.inf,
        model="erlang_a",
    )


def agents_needed(
    rate: float,
    handle_time: float,
    target: float,
    goal: float,
    patience: float | None = None,
    max_agents: int = 100_000,
) -> int:
    """Return the smallest agent count whose service level reaches ``goal``.

    Uses Erlang C when ``patience`` is None (and then also requires
    load < agents), Erlang A with mean patience ``patience`` seconds
    otherwise. ``goal`` is a share in (0, 1), ``target`` seconds. With
    ``rate == 0`` nobody arrives and 0 agents are needed. Raises
    ``UserError`` when no count up to ``max_agents`` is enough.

    The search bisects, relying on the service level never falling when an
    agent is added. Under Erlang A abandoners count as not answered in time,
    yet with short patience the goal can be met with fewer agents than the
    load: callers who hang up shorten the queue. Check ``p_abandon`` too.
    """
    where = "agents_needed"
    rate = _number(where, "rate (per second)", rate, strict=False)
    handle_time = _number(where, "handle_time (seconds)", handle_time, strict=True)
    target = _number(where, "target (seconds)", target, strict=False)
    if isinstance(goal, bool) or not isinstance(goal, Real) or not 0.0 < goal < 1.0:
        raise UserError(
            f"{where}: expected goal to be a share strictly between 0 and 1, got {goal!r}"
        )
    max_agents = _agent_count(where, max_agents, "max_agents")
    if patience is not None:
        patience = _number(where, "patience (seconds)", patience, strict=True)
    if rate == 0.0:
        return 0
    load = rate * handle_time
    if patience is None:
        lowest = math.floor(load) + 1

        def meets(agents: int) -> bool:
            return erlang_c_figures(rate, handle_time, agents, target).service_level >= goal
    else:
        mean_patience: float = patience
        # answered share <= agents/load, so fewer than goal*load agents cannot reach goal
        lowest = max(1, math.floor(goal * load))

        def meets(agents: int) -> bool:
            figures = erlang_a_figures(rate, handle_time, agents, target, mean_patience)
            return figures.service_level >= goal

    found = _smallest_meeting(meets, lowest, max_agents)
    if found is None:
        raise UserError(
            f"{where}: no agent count up to max_agents={max_agents} answers {goal:g} "
            f"of contacts within {target:g} s at load {load:g} Erlangs"
        )
    return found


def _smallest_meeting(meets: Callable[[int], bool], lowest: int, highest: int) -> int | None:
    """Return the smallest n in [lowest, highest] with meets(n), for monotone ``meets``."""
    if lowest > highest:
        return None
    high = lowest
    while not meets(high):
        if high >= highest:
            return None
        lowest = high + 1
        high = min(highest, 2 * high)
    while lowest < high:
        middle = (lowest + high) // 2
        if meets(middle):
            high = middle
        else:
            lowest = middle + 1
    return high


def _erlang_a_distribution(
    where: str, agents: int, rate: float, service: float, hangup: float
) -> np.ndarray:
    """Return P(n in system) for n = 0..N of M/M/c+M, tail beyond N below 1e-12.

    ``service`` is the full service rate agents/handle_time, ``hangup`` the
    abandonment rate per waiting caller. Weights are built in log space.
    """
    per_agent = service / agents if agents else 0.0
    steps = np.arange(1, agents + 1, dtype=float)
    logs_low = np.concatenate(([0.0], np.cumsum(math.log(rate) - np.log(steps * per_agent))))
    # the birth/death ratio falls below 1 past this queue length; mass piles up before it
    crest = max(0, math.ceil((rate - service) / hangup))
    extra = 64
    while True:
        size = crest + extra
        if size > _MAX_QUEUE_STATES:
            raise UserError(
                f"{where}: patience is too long for this overload: the queue would "
                f"hold over {_MAX_QUEUE_STATES:,} callers; use shorter patience or more agents"
            )
        lengths = np.arange(1, size + 1, dtype=float)
        logs_queue = logs_low[-1] + np.cumsum(math.log(rate) - np.log(service + lengths * hangup))
        logs = np.concatenate((logs_low, logs_queue))
        weights = np.exp(logs - logs.max())
        total = float(weights.sum())
        ratio = rate / (service + (size + 1) * hangup)
        # later ratios are smaller, so a geometric series bounds the neglected tail
        if ratio < 1.0 and weights[-1] * ratio / (1.0 - ratio) < _TAIL_MASS * total:
            return weights / total
        extra *= 2


def _idle_figures(
    agents: int, target: float, model: Literal["erlang_c", "erlang_a"]
) -> QueueFigures:
    """Return the figures of a queue nobody arrives at."""
    return QueueFigures(
        agents=agents,
        load=0.0,
        occupancy=0.0,
        p_wait=0.0,
        mean_wait=0.0,
        service_level=1.0,
        target=target,
        p_abandon=0.0,
        mean_wait_answered=0.0,
        model=model,
    )


def _queue_args(
    where: str, rate: float, handle_time: float, agents: int, target: float
) -> tuple[float, float, int, float]:
    """Validate the arguments every figures function shares."""
    return (
        _number(where, "rate (per second)", rate, strict=False),
        _number(where, "handle_time (seconds)", handle_time, strict=True),
        _agent_count(where, agents),
        _number(where, "target (seconds)", target, strict=False),
    )


def _number(where: str, name: str, value: object, *, strict: bool) -> float:
    """Return ``value`` as a finite float that is > 0 (strict) or >= 0."""
    bound = "> 0" if strict else ">= 0"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise UserError(f"{where}: expected {name} to be a number {bound}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0.0 or (strict and number == 0.0):
        raise UserError(f"{where}: expected {name} to be a finite number {bound}, got {value!r}")
    return number


def _agent_count(where: str, value: object, name: str = "agents") -> int:
    """Return ``value`` as a non-negative int agent count."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise UserError(f"{where}: expected {name} to be a whole number >= 0, got {value!r}")
    return int(value)


def _clip(share: float) -> float:
    """Keep a probability inside [0, 1] against rounding in long sums."""
    return min(1.0, max(0.0, share))
