"""Mystery-shopper studies: probes in a brand's traffic, what is recorded, and the estimates."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from carebench.load.loader import scenario_from_data
from carebench.load.yamlio import dump_yaml
from carebench.runs.simulate import simulate
from carebench.study.estimates import estimate_study
from carebench.study.probes import ProbeInjector, plan_probes, sending_period
from carebench.study.resolve import load_study
from carebench.study.runner import ProbeRecord, StudyRun, run_study
from carebench.study.spec import Listening, ProbeProtocol, Study
from carebench.util.errors import ScenarioError
from carebench.util.units import DAY, HOUR, WEEK

TWITTER = {
    "public": True, "sla": "1h", "handle_time": {"dist": "lognormal", "mean": "5m", "cv": 0.8},
    "concurrency": 2, "arrivals": {"per_hour": 3},
}


def brand(agents: int = 2, hours: str = "24/7", per_hour: float = 3, **extra) -> dict:
    """A one-channel brand body: Twitter staffed by ``agents`` during ``hours``."""
    body = {"channels": {"twitter": {**copy.deepcopy(TWITTER), "support_hours": hours}},
            "pools": {"care": {"agents": agents, "channels": ["twitter"], "shifts": [{"hours": hours}]}}}
    body["channels"]["twitter"]["arrivals"]["per_hour"] = per_hour
    if agents == 0:
        body.pop("pools")
    body.update(extra)
    return body


def study_data(brands: dict, **extra) -> dict:
    data = {"name": "t", "seed": 5, "window": "3d", "warmup": "1d",
            "probes": {"per_brand": 12, "schedule": {"kind": "daily", "hours": "daily 09:00-21:00"},
                       "followers": [75, 7500]},
            "brands": {name: {"brand": body} for name, body in brands.items()}}
    data.update(extra)
    return data


def run_data(tmp_path, data: dict, **kwargs) -> StudyRun:
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(data))
    allow = kwargs.pop("allow_import", False)
    return run_study(load_study(path, allow_import=allow), allow_import=allow, **kwargs)


# --- probe plans ---------------------------------------------------------------------


def test_daily_schedule_sends_one_a_day_inside_the_hours_from_the_warmup() -> None:
    protocol = ProbeProtocol.model_validate({"per_brand": 10, "schedule": {"hours": "mon-fri 09:00-17:00"}})
    plan = plan_probes(protocol, Listening(), DAY + 1, np.random.default_rng(1))
    sent = np.array(plan.sent)
    days = (sent // DAY).astype(int)
    # Warm-up ends during Tuesday (day index 1): sending starts on Wednesday and skips the weekend.
    assert days.tolist() == [2, 3, 4, 7, 8, 9, 10, 11, 14, 15]
    assert np.all((sent % DAY >= 9 * HOUR) & (sent % DAY < 17 * HOUR))
    assert sending_period(protocol.schedule, 10, DAY + 1) == (2 * DAY, 16 * DAY)


def test_uniform_schedule_spreads_probes_over_the_send_hours() -> None:
    protocol = ProbeProtocol.model_validate(
        {"per_brand": 20_000, "schedule": {"kind": "uniform", "period": "7d", "hours": "daily 08:00-20:00"}})
    sent = np.array(plan_probes(protocol, Listening(), 0.0, np.random.default_rng(2)).sent)
    hour = (sent % DAY // HOUR).astype(int)
    assert sent.min() >= 0 and sent.max() < WEEK and np.all(np.diff(sent) >= 0)
    assert set(hour.tolist()) == set(range(8, 20))
    counts = np.bincount(hour)[8:20]
    # 12 equally likely hours: each count is binomial(20000, 1/12), sd about 39.
    assert np.all(np.abs(counts - 20_000 / 12) < 6 * 39)


def test_strata_are_balanced_within_a_brand() -> None:
    protocol = ProbeProtocol.model_validate({"per_brand": 45, "followers": [0, 75, 7500, 100000]})
    plan = plan_probes(protocol, Listening(), 0.0, np.random.default_rng(3))
    assert sorted(np.bincount(plan.stratum).tolist()) == [11, 11, 11, 12]
    assert {plan.followers[i] for i in range(45) if plan.stratum[i] == 3} == {100000.0}


def test_a_tweet_without_mention_is_seen_only_through_listening() -> None:
    protocol = ProbeProtocol.model_validate({"per_brand": 4000, "mention": False})
    listening = Listening.model_validate({"share": 0.25, "delay": {"dist": "deterministic", "value": "2h"}})
    plan = plan_probes(protocol, listening, 0.0, np.random.default_rng(4))
    enters, sent = np.array(plan.enters), np.array(plan.sent)
    seen = np.isfinite(enters)
    assert seen.mean() == pytest.approx(0.25, abs=0.03)
    assert np.allclose(enters[seen] - sent[seen], 2 * HOUR)


def test_unaddressed_probes_are_answered_only_when_listening_finds_them(tmp_path) -> None:
    body = brand(agents=20)
    body["channels"]["twitter"]["handle_time"] = {"dist": "deterministic", "value": "1m"}
    data = study_data({"deaf": body, "listens": copy.deepcopy(body)})
    data["probes"]["mention"] = False
    data["brands"]["listens"]["listening"] = {"share": 1.0, "delay": {"dist": "deterministic", "value": "2h"}}
    records = run_data(tmp_path, data).records()
    deaf = [r for r in records if r.brand == "deaf"]
    listens = [r for r in records if r.brand == "listens"]
    assert len(deaf) == 12 and not any(r.seen for r in deaf) and all(math.isnan(r.first_reply) for r in deaf)
    assert all(r.seen for r in listens)
    assert [r.first_reply for r in listens] == pytest.approx([2 * HOUR + 60.0] * 12)


# --- probes inside a brand's run ----------------------------------------------------


def _scenario(body: dict, horizon: str = "6d"):
    return scenario_from_data({"name": "b", "horizon": horizon, "warmup": "1d", "seed": 9, **body})


def _background(sc, probes=None):
    rows = []

    def sink(cols):
        keep = cols["probe"] < 0
        rows.extend(zip(*(cols[k][keep].tolist() for k in ("arrival", "followers", "kind", "channel"))))

    result = simulate(sc, 9, probes=probes, contact_sink=sink)
    return result, sorted(rows)


def _injector(sc, n=30):
    protocol = ProbeProtocol.model_validate({"per_brand": n, "schedule": {"kind": "uniform", "period": "4d"}})
    return ProbeInjector(plan_probes(protocol, Listening(), DAY, np.random.default_rng(7)), "twitter", "complaint")


@pytest.mark.parametrize("agents", [1, 40])
def test_probes_do_not_change_the_background_traffic(agents: int) -> None:
    body = brand(agents=agents, per_hour=6, behaviour={"bumps": {}, "conversation": {}, "virality": {}})
    sc = _scenario(body)
    plain, plain_rows = _background(sc)
    probed, probed_rows = _background(sc, _injector(sc))
    # The same customers arrive at the same times whatever the probes do (common random numbers).
    assert probed_rows == plain_rows
    assert len(probed.probes) == 30
    assert probed.kpis["arrived.twitter"] == plain.kpis["arrived.twitter"]
    if agents == 40:  # nobody waits for anybody: the brand's KPIs are those of the run without probes
        # (except the agents' busy time: answering the probes is work like any other)
        differ = {k for k in plain.kpis
                  if not (plain.kpis[k] == probed.kpis[k] or math.isnan(plain.kpis[k]) and math.isnan(probed.kpis[k]))}
        assert differ == {"utilisation.care"}
        assert probed.kpis["utilisation.care"] > plain.kpis["utilisation.care"]


def test_probes_are_answered_and_recorded_apart_from_the_kpis() -> None:
    sc = _scenario(brand(agents=3))
    result = simulate(sc, 9, probes=_injector(sc))
    rows = result.probes
    assert sorted(r["probe"] for r in rows) == list(range(30))
    assert all(r["human_reply"] >= r["arrival"] and r["first_response"] == r["human_reply"] for r in rows)
    assert all(r["bot"] == 0 and r["followers"] == 150 for r in rows)


def test_a_bot_acknowledgement_counts_as_a_reply_only_when_any_reply_counts(tmp_path) -> None:
    body = brand(agents=1, hours="mon-fri 09:00-17:00",
                 policies={"priority": "shop_policies:AcknowledgeEverything"})
    data = study_data({"botty": body})
    by_any = estimate_study(run_data(tmp_path, data, allow_import=True))
    data["answered_by"] = "human"
    human_run = run_data(tmp_path, data, allow_import=True)
    by_human = estimate_study(human_run)
    assert by_any.pooled["within_1h"].share == 1.0
    assert all(r.bot and r.first_reply == 0.0 for r in human_run.records())
    # Probes sent in the evening and at weekends wait for the office to open.
    assert by_human.pooled["within_1h"].share < 0.6
    assert all(r.human_reply > 0 for r in human_run.records() if math.isfinite(r.human_reply))


# --- known answers -------------------------------------------------------------------


def test_a_brand_answering_everything_at_once_has_everything_within_an_hour(tmp_path) -> None:
    body = brand(agents=30)
    body["channels"]["twitter"]["handle_time"] = {"dist": "deterministic", "value": "20s"}
    est = estimate_study(run_data(tmp_path, study_data({"instant": body, "also": copy.deepcopy(body)})))
    for measure in ("within_1h", "within_6h", "within_24h", "answered"):
        assert est.pooled[measure].share == 1.0
        assert all(b.shares[measure].share == 1.0 for b in est.brands)
    assert est.reply.median == pytest.approx(20.0)
    assert est.brands_answering_none == 0


def test_a_brand_without_staff_answers_nothing_and_loses_no_probe(tmp_path) -> None:
    data = study_data({"nobody": brand(agents=0), "staffed": brand(agents=3)}, repeats=2)
    run = run_data(tmp_path, data)
    est = estimate_study(run)
    nobody = [r for r in run.records() if r.brand == "nobody"]
    assert len(nobody) == 2 * 12 and len(run.records()) == 2 * 2 * 12
    assert all(r.seen and math.isnan(r.first_reply) for r in nobody)
    (b,) = [b for b in est.brands if b.brand == "nobody"]
    assert b.shares["answered"].successes == 0 and b.shares["answered"].n == 24
    assert math.isnan(b.reply.median) and math.isnan(b.reply.km_median)
    assert est.brands_answering_none == 1
    assert est.pooled["answered"].share == pytest.approx(0.5)


def _records(brand_name: str, weeks: list[float], observed: list[int]) -> list[ProbeRecord]:
    return [ProbeRecord(0, brand_name, i, 0, 75.0, 0.0, True, w * WEEK if o else math.nan,
                        w * WEEK if o else math.nan, False, False)
            for i, (w, o) in enumerate(zip(weeks, observed))]


def test_estimates_reproduce_textbook_kaplan_meier_and_wilson_values() -> None:
    from carebench.study.runner import BrandRun

    # Freireich et al. (1963), placebo arm, weeks to relapse, all observed: Kleinbaum & Klein
    # (2012), ch. 2, give the median as 8 weeks. In a study every probe is watched for the same
    # window, so with all replies inside it the Kaplan-Meier median is that median.
    placebo = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    # Newcombe (1998), Stat Med 17:857, Table I: 15 of 148 has the Wilson interval 0.0624-0.1605.
    answered = [1] * 15 + [0] * 133
    study = Study.model_validate({"name": "x", "window": "245d", "probes": {"per_brand": 21},
                                  "brands": {"a": {"brand": {}}, "b": {"brand": {}}}})
    runs = (BrandRun(0, "a", 1, tuple(_records("a", placebo, [1] * 21)), {"arrived": 1.0}, {"resolved": 1.0}),
            BrandRun(0, "b", 2, tuple(_records("b", [0.5] * 148, answered)), {"arrived": 1.0}, {"resolved": 1.0}))
    est = estimate_study(StudyRun(study, "x", runs, 0.0, 0.0))
    a, b = est.brands
    assert a.reply.km_median == 8 * WEEK and a.reply.median == 8 * WEEK
    assert a.shares["answered"].share == 1.0
    share = b.shares["answered"]
    assert (share.successes, share.n) == (15, 148)
    assert (round(share.low, 4), round(share.high, 4)) == (0.0624, 0.1605)
    # Fewer than half of b's probes were answered: its Kaplan-Meier median does not exist.
    assert math.isnan(b.reply.km_median) and b.reply.median == 0.5 * WEEK


def test_followers_first_policy_shows_up_in_the_strata_test(tmp_path) -> None:
    # A busy weekday team that serves the most-followed first: the 7,500-follower shopper gets
    # faster replies, and the study's strata test sees it.
    body = brand(agents=1, hours="mon-fri 09:00-17:00", per_hour=4,
                 policies={"priority": "shop_policies:FollowersFirst"},
                 customers={"followers": {"dist": "deterministic", "value": 300}})
    brands = {f"b{i}": copy.deepcopy(body) for i in range(4)}
    data = study_data(brands, window="7d")
    data["probes"]["per_brand"] = 30
    data["probes"]["schedule"] = {"kind": "uniform", "period": "14d"}
    est = estimate_study(run_data(tmp_path, data, allow_import=True))
    small, big = est.strata
    assert (small.followers, big.followers) == (75, 7500)
    assert big.reply.median < small.reply.median
    (test,) = est.strata_tests
    assert test.logrank_p < 0.05


# --- reproducibility ------------------------------------------------------------------


def test_same_seed_same_probes_and_worker_processes_change_nothing(tmp_path) -> None:
    data = study_data({"a": brand(agents=1, hours="business"), "b": brand(agents=2)}, repeats=2)
    one = run_data(tmp_path, data)
    again = run_data(tmp_path, data)
    pooled = run_data(tmp_path, data, workers=2)
    assert one.records() == again.records() == pooled.records()
    data["seed"] = 6
    assert run_data(tmp_path, data).records() != one.records()


def test_adding_a_brand_changes_no_other_brand(tmp_path) -> None:
    base = run_data(tmp_path, study_data({"a": brand(agents=1, hours="business")}))
    more = run_data(tmp_path, study_data({"a": brand(agents=1, hours="business"), "z": brand()}))
    assert [r for r in more.records() if r.brand == "a"] == base.records()


# --- study files ----------------------------------------------------------------------


def test_brands_from_a_scenario_file_a_shipped_scenario_and_a_template(tmp_path) -> None:
    (tmp_path / "mine.yaml").write_text(dump_yaml({"name": "mine", "horizon": "1d", **brand()}))
    data = study_data({})
    data["templates"] = {"shop": brand(agents=1)}
    data["brands"] = {"from_file": {"scenario": "mine.yaml"},
                      "shipped": {"scenario": "default", "set": {"pools.social.agents": 20}},
                      "templated": {"template": "shop", "set": {"pools.care.agents": 3}}}
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(data))
    loaded = load_study(path)
    assert set(loaded.brands) == {"from_file", "shipped", "templated"}
    assert loaded.brands["shipped"].pools["social"].agents == 20
    assert loaded.brands["templated"].pools["care"].agents == 3
    # The study sets every brand's timing: warm-up, then 12 daily probes, then the window.
    for sc in loaded.brands.values():
        assert sc.warmup == DAY and sc.horizon == loaded.send_end + 3 * DAY == 13 * DAY + 3 * DAY


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["probes"].update(per_brand=0), "study.yaml: probes.per_brand: input should be greater than"),
        (lambda d: d["probes"].update(followers=[75, 75]), "study.yaml: probes.followers: expected distinct"),
        (lambda d: d["probes"]["schedule"].update(period="7d"), "study.yaml: probes.schedule: period: expected only"),
        (lambda d: d.update(window="soon"), "study.yaml: window: expected a duration such as '1h', got 'soon'"),
        (lambda d: d["brands"]["a"].update(template="nope"), "study.yaml: brands.a: expected exactly one of"),
        (lambda d: d["brands"].update(b={"template": "nope"}), "study.yaml: brands.b.template: expected one of"),
        (lambda d: d["brands"]["a"].update(set={"horizon": "9d"}), "study.yaml: brands.a: set: expected scenario"),
        (lambda d: d["brands"]["a"]["brand"]["channels"]["twitter"].update(sla="soon"),
         "study.yaml: brands.a: channels.twitter.sla: expected a duration such as '1h', got 'soon'"),
        (lambda d: d["probes"].update(channel="phone"),
         "study.yaml: brands.a: expected the probes' channel 'phone' among the brand's channels"),
        (lambda d: d.update(colour="red"), "study.yaml: colour: unknown key"),
    ],
)
def test_study_mistakes_are_one_line_naming_the_file_and_place(tmp_path, change, expected) -> None:
    data = study_data({"a": brand()})
    change(data)
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(data))
    with pytest.raises(ScenarioError) as info:
        load_study(path)
    assert any(line.startswith(str(tmp_path / expected)) for line in info.value.problems), info.value.problems


def test_every_broken_brand_is_reported_at_once(tmp_path) -> None:
    bad = brand()
    bad["pools"]["care"]["agents"] = -1
    path = tmp_path / "study.yaml"
    path.write_text(dump_yaml(study_data({"a": bad, "b": copy.deepcopy(bad), "c": brand()})))
    with pytest.raises(ScenarioError) as info:
        load_study(path)
    assert [p.split(": ")[1] for p in info.value.problems] == ["brands.a", "brands.b"]
