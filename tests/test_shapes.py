"""Load shapes: pure functions of time that compose with profiles and incidents."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import mmc_data
from hypothesis import given
from hypothesis import strategies as st

from carebench.cli import cli
from carebench.engine.arrivals import ChannelRate, arrival_blocks, expected_arrivals
from carebench.load.loader import scenario_from_data
from carebench.model.shapes import channel_load
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError
from carebench.util.units import DAY, HOUR


def shapes(*specs):
    data = mmc_data()
    data["load"] = list(specs)
    return scenario_from_data(data).load


def rate_with(*specs, per_hour=100.0):
    return ChannelRate(per_hour, (1.0,) * 24, (1.0,) * 7, (), channel_load(shapes(*specs), "phone"))


@pytest.mark.parametrize("spec, t, value", [
    ({"shape": "ramp", "from": 1, "to": 3, "start": "1d", "duration": "2d"}, 0.5 * DAY, 1.0),
    ({"shape": "ramp", "from": 1, "to": 3, "start": "1d", "duration": "2d"}, 2 * DAY, 2.0),
    ({"shape": "ramp", "from": 1, "to": 3, "start": "1d", "duration": "2d"}, 5 * DAY, 3.0),
    ({"shape": "steps", "every": "1d", "by": 0.5, "count": 2}, 1.5 * DAY, 1.5),
    ({"shape": "steps", "every": "1d", "by": 0.5, "count": 2}, 9 * DAY, 2.0),
    ({"shape": "spike", "start": "2h", "duration": "1h", "factor": 8}, 2.5 * HOUR, 8.0),
    ({"shape": "spike", "start": "2h", "duration": "1h", "factor": 8}, 3.5 * HOUR, 1.0),
    ({"shape": "soak", "factor": 1.4}, 3 * DAY, 1.4),
    ({"shape": "stages", "stages": [{"duration": "1h", "target": 2}, {"duration": "1h", "target": 2},
                                    {"duration": "2h", "target": 0}]}, 3 * HOUR, 1.0),
])
def test_shape_values(spec, t, value):
    assert channel_load(shapes(spec), "phone").factor(t) == pytest.approx(value)


def test_shapes_compose_by_multiplication_and_respect_channels():
    load = shapes({"shape": "soak", "factor": 2}, {"shape": "spike", "start": "1h", "duration": "1h", "factor": 3},
                  {"shape": "soak", "factor": 10, "channels": ["phone"]})
    assert channel_load(load, "phone").factor(1.5 * HOUR) == pytest.approx(60)
    assert channel_load(load, "chat").factor(1.5 * HOUR) == pytest.approx(6)


@pytest.mark.parametrize("spec, expected", [
    ({"shape": "ramp", "from": 1, "to": 3, "duration": "1d"}, 100 * 24 * 2),  # mean multiplier 2 over a day
    ({"shape": "spike", "start": "6h", "duration": "2h", "factor": 5}, 100 * (22 + 2 * 5)),
    ({"shape": "stages", "stages": [{"duration": "12h", "target": 3}, {"duration": "12h", "target": 1}]},
     100 * 24 * 2),
])
def test_shapes_integrate_to_the_expected_number_of_arrivals(spec, expected):
    rate = rate_with(spec)
    assert expected_arrivals(rate, 0, DAY) == pytest.approx(expected, rel=1e-9)
    counts = [sum(b.size for b in arrival_blocks(rate, 0, DAY, np.random.default_rng(s))) for s in range(30)]
    assert abs(np.mean(counts) - expected) < 4 * np.sqrt(expected / 30)


@given(st.floats(0.1, 5), st.floats(0.1, 5), st.floats(0, 2 * DAY), st.floats(1, 2 * DAY))
def test_thinning_bound_holds(a, b, t0, width):
    rate = rate_with({"shape": "ramp", "from": a, "to": b, "duration": "1d"})
    shape = rate.shape
    ts = np.linspace(t0, t0 + width, 50)
    assert max(shape.factor(t) for t in ts[:-1]) <= shape.max_factor(t0, t0 + width) + 1e-12


def test_bad_shapes_are_one_line_errors():
    data = mmc_data()
    data["load"] = [{"shape": "ramp", "to": 2}, {"shape": "bounce"}]
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(data, "x.yaml")
    assert info.value.problems == [
        "x.yaml: load.0.duration: required but missing",
        "x.yaml: load.1: unknown load shape 'bounce', expected one of 'ramp', 'steps', 'spike', 'soak', 'stages'",
    ]
    data["load"] = [{"shape": "soak", "factor": 2, "channels": ["fax"]}]
    with pytest.raises(ScenarioError, match=r"load.0.channels: unknown channel 'fax'"):
        scenario_from_data(data, "x.yaml")


def test_shape_option_on_the_command_line(tmp_path):
    runner = CliRunner()
    base = runner.invoke(cli, ["run", "mmc", "--horizon", "2d", "-q", "--no-plots", "--out", str(tmp_path / "a")])
    spiked = runner.invoke(cli, ["run", "mmc", "--horizon", "2d", "-q", "--no-plots", "--out", str(tmp_path / "b"),
                                 "--shape", "{shape: soak, factor: 1.5}"])
    assert base.exit_code == 0 and spiked.exit_code == 0, spiked.output
    arrived = [json.loads(next((tmp_path / d).iterdir()).joinpath("kpis.json").read_text())["kpis"]["arrived.phone"]
               for d in ("a", "b")]
    assert arrived[1] == pytest.approx(1.5 * arrived[0], rel=0.1)
    bad = runner.invoke(cli, ["run", "mmc", "--shape", "spike"])
    assert bad.exit_code == 2 and "--shape" in bad.output


def test_a_soak_raises_load_by_its_factor():
    data = mmc_data(horizon="3d", warmup="0s")
    plain = simulate(scenario_from_data(data)).kpis["arrived.phone"]
    data["load"] = [{"shape": "soak", "factor": 1.5}]
    assert simulate(scenario_from_data(data)).kpis["arrived.phone"] == pytest.approx(1.5 * plain, rel=0.05)
