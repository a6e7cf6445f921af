"""Calibration recovers a known parameter; the four commands work end to end from the command line."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import build
from trace_helpers import simulated_log, write_trace

from carebench.calibrate import calibrate, ks_distance, parse_free
from carebench.cli import cli
from carebench.load.yamlio import dump_yaml
from carebench.runs.executors import SerialExecutor
from carebench.util.errors import UserError


def _social(mean="10m", agents=3):
    return {
        "name": "social-test", "horizon": "3d", "seed": 5,
        "channels": {"twitter": {"public": True, "sla": "1h", "first_response": "reply",
                                 "handle_time": {"dist": "lognormal", "mean": mean, "cv": 1.0},
                                 "arrivals": {"per_hour": 8}}},
        "pools": {"team": {"agents": agents, "channels": ["twitter"]}},
    }


def test_calibration_recovers_a_handle_time_on_common_random_numbers():
    truth = build(_social("10m"))
    cols, _ = simulated_log(truth, seed=123)
    observed = cols["first_response"] - cols["arrival"]
    start = _social("40m")
    free = [parse_free("channels.twitter.handle_time.mean=2m..60m")]
    cal = calibrate(start, observed, free, SerialExecutor(), channel="twitter", replications=2, budget=12, seed=3)
    (path, value), = cal.settings
    assert path == "channels.twitter.handle_time.mean"
    assert 7 * 60 < float(value.rstrip("s")) < 14 * 60
    assert cal.after["train"].ks_d < 0.06 < cal.before["train"].ks_d
    assert len(cal.evaluations) <= 12


def test_free_parameters_are_parsed_and_checked():
    p = parse_free("pools.team.agents=1..30")
    assert (p.kind, p.value(0.0), p.value(1.0)) == ("int", 1, 30)
    d = parse_free("channels.twitter.handle_time.mean=1m..2h")
    assert d.kind == "duration" and d.log_scale and d.value(0.5) == f"{np.sqrt(60 * 7200):.6g}s"
    for bad in ("pools.team.agents", "x=5..1", "x=a..b"):
        with pytest.raises(UserError, match="--free"):
            parse_free(bad)
    cols = np.full(50, 600.0)
    with pytest.raises(UserError, match="--free pools.nobody.agents"):
        calibrate(_social(), cols, [parse_free("pools.nobody.agents=1..3")], SerialExecutor(), channel="twitter")


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory):
    sc = build(_social("10m"))
    cols, _ = simulated_log(sc)
    return write_trace(tmp_path_factory.mktemp("cli") / "trace.csv", cols, ("twitter",))


MAP = ["--column", "arrival=arrival", "--column", "first_reply=first_reply", "--column", "channel=channel",
       "--origin", "2024-01-01"]


def test_cli_inspect_fit_replay_calibrate(trace_file, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["trace", "inspect", str(trace_file), *MAP], catch_exceptions=False)
    assert res.exit_code == 0 and "contacts by hour of day" in res.output and "first reply:" in res.output
    fitted = tmp_path / "fitted.yaml"
    res = runner.invoke(cli, ["fit", str(trace_file), *MAP, "-o", str(fitted), "--horizon-days", "3"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "contacts/hour (95%" in res.output and fitted.read_text().startswith("# fit of")
    assert (tmp_path / "fitted-fit-report.json").exists()
    sc_file = tmp_path / "team.yaml"
    sc_file.write_text(dump_yaml(_social("10m", agents=4)))
    replayed = tmp_path / "replayed.yaml"
    res = runner.invoke(cli, ["replay", str(trace_file), str(sc_file), *MAP, "--write", str(replayed)],
                        catch_exceptions=False)
    assert res.exit_code == 0 and "replayed from 2024-01-01 00:00" in res.output
    res = runner.invoke(cli, ["run", str(replayed), "--no-plots", "-q", "--out", str(tmp_path / "r")],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = tmp_path / "cal.yaml"
    res = runner.invoke(cli, ["calibrate", str(fitted), "--to", str(trace_file), *MAP, "--holdout", "0.3",
                              "--free", "channels.twitter.handle_time.mean=2m..1h", "--budget", "6",
                              "--replications", "2", "--workers", "1", "-q", "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "holdout data" in res.output and out.read_text().startswith("# Calibrated to")
    assert (tmp_path / "cal-ecdf.png").exists()


def test_cli_bad_trace_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("arrival\n2024-01-01 10:00\nsoon\n")
    res = CliRunner().invoke(cli, ["trace", "inspect", str(bad)])
    assert res.exit_code == 2
    assert res.output.strip() == f"error: {bad}:3: column 'arrival': expected a time such as 2020-05-01 14:02:37, got 'soon'"
    res = CliRunner().invoke(cli, ["trace", "inspect", str(bad), "--skip-bad"])
    assert res.exit_code == 0 and "skipped 1 bad rows" in res.output


def test_a_reply_sampled_trace_is_compared_through_its_answer_limits():
    from carebench.calibrate.target import SimulatedLatency
    from carebench.engine.histogram import LogHistogram

    rng = np.random.default_rng(4)
    hist = LogHistogram()
    hist.add(rng.exponential(3600.0, 50_000))
    sim = SimulatedLatency()
    sim.add(hist.to_dict())
    limits = rng.uniform(0, 14_400, 4000)  # arrivals in the last four hours of the trace
    lat = rng.exponential(3600.0, 4000)
    seen = lat <= limits
    plain, _ = ks_distance(lat[seen], sim)
    censored, p = ks_distance(lat[seen], sim, limits[seen])
    assert plain > 0.05 and censored < 0.03 and p > 0.01
