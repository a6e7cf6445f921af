"""Running a mystery-shopper study: every brand, every repeat, with its probes.

Each brand of each repeat is one independent run of the brand's scenario
over the warm-up, the sending period and the last probe's window, with the
probes sent into its traffic. Repeat ``r`` runs on seed
``replication_seeds(study.seed, repeats)[r]``; each brand's run seed is
derived from that and the brand's *name*, so adding a brand or a repeat
changes no other run, and runs give the same numbers in one process or many.

Brand runs go to the same executors as replications
(:mod:`carebench.runs.executors`: this process, local worker processes, or
a Dask cluster), so a study runs wherever a sweep does.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from carebench.engine.streams import Streams, replication_seeds
from carebench.model.kinds import Outcome
from carebench.runs.executors import Executor, SerialExecutor, make_executor
from carebench.runs.replicate import execute
from carebench.runs.simulate import simulate
from carebench.study.probes import ProbeInjector, plan_probes
from carebench.study.resolve import LoadedStudy
from carebench.study.spec import Listening, ProbeProtocol, Study

__all__ = ["ProbeRecord", "BrandRun", "StudyRun", "BrandTask", "brand_seed", "study_tasks", "run_brand", "run_tasks",
           "run_study", "task_key"]

_KPIS = ("arrived", "needs_reply", "answered", "within_1h", "within_24h", "frt.p50", "frt.p90", "exposure",
         "churn.expected", "churn.rate")


@dataclass(frozen=True)
class ProbeRecord:
    """What happened to one probe.

    ``sent`` is seconds from the brand's run start (day 1 is a Monday);
    ``first_reply`` and ``human_reply`` are seconds from sending to the
    brand's first reply of any kind (a bot's acknowledgement included) and
    to the first reply by an agent, NaN when none came before the run
    ended; ``seen`` is false when the brand never saw the probe (a tweet
    without @-mention its listening missed); ``bot`` marks a first reply
    that was automatic, ``deflected`` a probe moved to another channel.
    """

    repeat: int
    brand: str
    probe: int
    stratum: int
    followers: float
    sent: float
    seen: bool
    first_reply: float
    human_reply: float
    bot: bool
    deflected: bool

    def reply(self, answered_by: str) -> float:
        """Seconds to the reply that counts (``'any'`` or ``'human'``), NaN if none."""
        return self.first_reply if answered_by == "any" else self.human_reply


@dataclass(frozen=True)
class BrandRun:
    """One brand in one repeat: its probes and its own traffic's figures.

    ``kpis`` are the brand's background KPIs on the probes' channel (probes
    excluded) under their carebench names without the channel suffix;
    ``efficiency`` counts, over background contacts that arrived on that
    channel after the warm-up, ``resolved``, ``exchanges`` (agent replies)
    and ``deflections``.
    """

    repeat: int
    brand: str
    seed: int
    probes: tuple[ProbeRecord, ...]
    kpis: dict[str, float] = field(default_factory=dict)
    efficiency: dict[str, float] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def key(self) -> str:
        """The key of the task this run answers (see :attr:`BrandTask.key`)."""
        return task_key(self.repeat, self.brand)

    def answers(self, task: BrandTask) -> bool:
        """Whether this run is the run of ``task`` (same repeat, brand, seed and inputs)."""
        return (self.repeat, self.brand, self.seed, self.fingerprint) == (
            task.repeat, task.brand, task.seed, task.fingerprint)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for a task store (NaN stays NaN; a JSON writer turns it into null)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BrandRun:
        """Read :meth:`to_dict` data back; a number stored as null becomes NaN."""
        def number(x: Any) -> float:
            return math.nan if x is None else float(x)

        probes = tuple(ProbeRecord(**{**p, **{k: number(p[k]) for k in ("sent", "first_reply", "human_reply")}})
                       for p in data["probes"])
        return cls(int(data["repeat"]), str(data["brand"]), int(data["seed"]), probes,
                   {k: number(v) for k, v in data["kpis"].items()},
                   {k: number(v) for k, v in data["efficiency"].items()}, str(data["fingerprint"]))


@dataclass(frozen=True)
class StudyRun:
    """Every brand run of a study, in (repeat, brand) order."""

    study: Study
    source: str
    runs: tuple[BrandRun, ...]
    send_start: float
    send_end: float

    @property
    def brands(self) -> list[str]:
        """Brand names in the study's order."""
        return list(self.study.brands)

    def records(self) -> list[ProbeRecord]:
        """Every probe of every run."""
        return [p for run in self.runs for p in run.probes]


@dataclass(frozen=True)
class BrandTask:
    """Everything one brand run needs (picklable, so runs can go to worker processes)."""

    repeat: int
    brand: str
    scenario: object
    protocol: ProbeProtocol
    listening: Listening
    warmup: float
    seed: int
    allow_import: bool = False
    fingerprint: str = ""

    @property
    def key(self) -> str:
        """A file-name-safe identifier, unique within one study: ``r00000-brand_name-1a2b3c4d``."""
        return task_key(self.repeat, self.brand)


def task_key(repeat: int, brand: str) -> str:
    """The store key of ``brand`` in repeat ``repeat``; the checksum keeps names that clean alike apart."""
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "-", brand)[:40]
    return f"r{repeat:05d}-{clean}-{zlib.crc32(brand.encode('utf-8')):08x}"


def _fingerprint(scenario, protocol: ProbeProtocol, listening: Listening, warmup: float) -> str:
    """A short hash of everything a brand run depends on besides its seed."""
    data = [scenario.fingerprint(), protocol.model_dump(mode="json"), listening.model_dump(mode="json"), warmup]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def brand_seed(repeat_seed: int, brand: str) -> int:
    """The run seed of ``brand`` in the repeat whose seed is ``repeat_seed`` (depends on the name only)."""
    seq = np.random.SeedSequence(int(repeat_seed), spawn_key=(zlib.crc32(brand.encode("utf-8")),))
    return int(seq.generate_state(1, np.uint64)[0] >> 1)


class _Tally:
    """A contact sink counting resolutions, agent exchanges and deflections on one channel."""

    def __init__(self, channel: int, warmup: float):
        self.channel, self.warmup = channel, warmup
        self.counts = {"resolved": 0.0, "exchanges": 0.0, "deflections": 0.0}

    def __call__(self, cols: dict[str, np.ndarray]) -> None:
        mine = (cols["probe"] < 0) & (cols["channel"] == self.channel) & (cols["arrival"] >= self.warmup)
        self.counts["resolved"] += float(np.count_nonzero(mine & (cols["outcome"] == Outcome.RESOLVED)))
        self.counts["exchanges"] += float(cols["exchanges"][mine].sum())
        self.counts["deflections"] += float(cols["deflections"][mine].sum())


def _record(task: BrandTask, plan, rows: dict[int, dict]) -> list[ProbeRecord]:
    out = []
    for i, sent in enumerate(plan.sent):
        row = rows.get(i)
        seen = row is not None
        if not seen and plan.enters[i] < task.scenario.end_time:
            raise RuntimeError(f"probe {i} of brand {task.brand} was sent but not recorded")
        first = human = math.nan
        bot = deflected = False
        if seen:
            bot, deflected = bool(row["bot"]), row["deflections"] > 0
            human = row["human_reply"] - sent
            first = row["first_response"] - sent
            if math.isnan(first):  # no first response recorded: a bot's (at once) or the agent's
                first = 0.0 if bot else human
        out.append(ProbeRecord(task.repeat, task.brand, i, plan.stratum[i], plan.followers[i], sent, seen,
                               first, human, bot, deflected))
    return out


def run_brand(task: BrandTask) -> BrandRun:
    """Simulate one brand with its probes and return what happened to them."""
    sc = task.scenario
    rng = Streams(task.seed).get("probe-plan", task.brand)
    plan = plan_probes(task.protocol, task.listening, task.warmup, rng)
    channel = task.protocol.channel
    tally = _Tally(list(sc.channels).index(channel), sc.warmup)
    result = simulate(sc, task.seed, probes=ProbeInjector(plan, channel, task.protocol.kind),
                      contact_sink=tally, allow_policy_import=task.allow_import)
    rows = {int(r["probe"]): r for r in result.probes}
    kpis = {k: result.kpis.get(f"{k}.{channel}", math.nan) for k in _KPIS}
    return BrandRun(task.repeat, task.brand, task.seed, tuple(_record(task, plan, rows)), kpis, dict(tally.counts),
                    task.fingerprint)


def study_tasks(loaded: LoadedStudy, allow_import: bool = False) -> list[BrandTask]:
    """One task per (repeat, brand), in repeat order."""
    study = loaded.study
    seeds = replication_seeds(study.seed, study.repeats)
    prints = {name: _fingerprint(loaded.brands[name], study.probes, study.brands[name].listening, study.warmup)
              for name in study.brands}
    return [
        BrandTask(r, name, loaded.brands[name], study.probes, study.brands[name].listening, study.warmup,
                  brand_seed(seed, name), allow_import, prints[name])
        for r, seed in enumerate(seeds)
        for name in study.brands
    ]


def run_tasks(tasks: list[BrandTask], executor: Executor | None = None,
              progress: Callable[[int, int], None] | None = None, store=None) -> list[BrandRun]:
    """Run brand tasks on ``executor`` (default: in this process); return their runs in task order.

    Results are the same on any executor: each task carries its own seed.
    ``store`` (a :class:`~carebench.runs.store.TaskStore` of ``BrandRun``)
    keeps finished runs and reuses them, so an interrupted study resumes.
    """
    count = [0]

    def tick(_run: BrandRun, _resumed: bool) -> None:
        count[0] += 1
        if progress is not None:
            progress(count[0], len(tasks))

    return execute(tasks, executor or SerialExecutor(), store, tick, function=run_brand)


def run_study(loaded: LoadedStudy, *, executor: Executor | None = None, workers: int = 1,
              allow_import: bool = False, progress: Callable[[int, int], None] | None = None,
              store=None) -> StudyRun:
    """Run every brand of every repeat of a loaded study; ``progress(done, total)`` after each brand run.

    Brand runs go to ``executor`` if given, else to ``workers`` local
    processes (1: this process); the numbers are the same either way.
    ``store`` keeps finished brand runs for a resume (see :func:`run_tasks`).
    """
    tasks = study_tasks(loaded, allow_import)
    if executor is not None:
        runs = run_tasks(tasks, executor, progress, store)
    else:
        with make_executor(workers if len(tasks) > 1 else 1) as local:
            runs = run_tasks(tasks, local, progress, store)
    return StudyRun(loaded.study, loaded.source, tuple(runs), loaded.send_start, loaded.send_end)
