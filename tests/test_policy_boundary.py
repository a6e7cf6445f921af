"""The policy boundary: whatever a policy returns is checked where it enters the engine.

A NaN or incomparable key, an unknown action, a deflection to nowhere, a
negative triage time and a call-out in the past each stop the run with one
:class:`PolicyError` naming the policy, the value and the simulated time; the
command line prints that one line and exits with code 2. Construction-time
errors name ``policies.params.<name>`` like any scenario error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import merge
from policy_helpers import public_data

from carebench.cli import cli
from carebench.engine.boundary import KeyCheck, ReplyCheck, key_shape
from carebench.engine.interface import FirstReply, PolicyError
from carebench.load.loader import scenario_from_data
from carebench.load.yamlio import dump_yaml
from carebench.model.kinds import Action
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError, UserError


def _data(priority: str, staffing: str | None = None, **params) -> dict:
    data = merge(public_data(horizon="6h"), {
        "channels": {"email": {"public": False, "sla": "24h", "arrivals": {"per_hour": 2},
                               "handle_time": {"dist": "exponential", "mean": "10m"}}},
        "pools": {"agents": {"agents": 1, "channels": ["email"]}},
        "policies": {"priority": f"boundary_policies:{priority}",
                     "params": {f"boundary_policies:{name}": p for name, p in params.items()}},
    })
    if staffing:
        data["policies"]["staffing"] = f"boundary_policies:{staffing}"
    return data


def _run(priority: str, staffing: str | None = None, **params):
    sc = scenario_from_data(_data(priority, staffing, **params), allow_import=True)
    return simulate(sc, 3, allow_policy_import=True)


def test_policy_error_is_a_user_error():
    assert issubclass(PolicyError, UserError)


def test_first_reply_refuses_a_misspelt_action_where_it_is_made():
    with pytest.raises(PolicyError, match=r"FirstReply.action: expected one of 'answer', 'acknowledge', "
                                          r"'deflect', got 'deflekt'"):
        FirstReply(action="deflekt")
    assert FirstReply("deflect", to="email").action is Action.DEFLECT
    assert FirstReply().action is Action.ANSWER == "answer"
    for work in (-1.0, math.nan, math.inf):
        with pytest.raises(PolicyError, match="FirstReply.work"):
            FirstReply("acknowledge", work=work)
    with pytest.raises(PolicyError, match="FirstReply.to"):
        FirstReply("deflect")


@pytest.mark.parametrize(("policy", "name", "value"), [
    ("NanKey", "nan_key", "nan"),
    ("TextKey", "text_key", "'urgent'"),
    ("TupleNanKey", "tuple_nan_key", "(0, nan)"),
])
def test_a_bad_key_stops_the_run_naming_policy_value_and_time(policy, name, value):
    with pytest.raises(PolicyError) as info:
        _run(policy)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"priority policy {name} at t=")
    assert f"key() returned {value}" in message and "contact 5 on " in message


def test_an_incomparable_key_names_the_earlier_key_it_cannot_be_compared_with():
    with pytest.raises(PolicyError, match=r"cannot be compared with an earlier key [0-9.]+ of shape number"):
        _run("TextKey")


def test_an_unknown_action_at_run_time_names_the_policy_and_the_word():
    with pytest.raises(PolicyError, match=r"^priority policy misspelt at t=\d+s \(.*\): first_reply\(\) for "
                                          r"contact \d+ on twitter: FirstReply.action: .* got 'deflekt'$"):
        _run("Misspelt")


def test_a_deflection_to_an_unknown_channel_is_refused():
    with pytest.raises(PolicyError, match=r"first_reply\(\) returned FirstReply\(.*to='nowhere'.*\).*"
                                          r"expected a deflection to one of \['email', 'link', 'twitter'\]"):
        _run("FixedReply", FixedReply={"action": "deflect", "to": "nowhere"})


def test_a_negative_triage_time_is_refused():
    with pytest.raises(PolicyError, match=r"^priority policy negative_triage at t=\d+s .*triage_seconds\(\) "
                                          r"returned -5.0 .*expected finite seconds >= 0$"):
        _run("NegativeTriage")


def test_a_call_out_in_the_past_is_refused():
    with pytest.raises(PolicyError, match=r"^staffing policy late_callout at t=3600s \(1h\): review\(\) returned "
                                          r"Callout\(pool='agents', agents=1, start=3540.0.*expected now"):
        _run("NanKey", "LateCallout", NanKey={"after": 10**9})


def test_a_negative_review_interval_is_refused():
    with pytest.raises(PolicyError, match=r"^staffing policy backwards_reviews at t=0s \(0s\): review_every is "
                                          r"-60.0; expected None or finite seconds > 0$"):
        _run("NanKey", "BackwardsReviews", NanKey={"after": 10**9})


def test_a_typed_parameter_with_an_unknown_action_is_a_scenario_error():
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(_data("FixedReply", FixedReply={"action": "deflekt"}), "s.yaml", allow_import=True)
    (line,) = info.value.problems
    assert line.startswith("s.yaml: policies.params.boundary_policies:FixedReply.action: ")
    assert "'deflekt'" in line


def _cli(tmp_path, command: str, data: dict):
    path = tmp_path / "s.yaml"
    path.write_text(dump_yaml(data))
    extra = ["--no-plots", "-q", "--out", str(tmp_path / "out")] if command == "run" else []
    return CliRunner().invoke(cli, [command, str(path), "--allow-policy-import", *extra])


@pytest.mark.parametrize("policy", ["NanKey", "TextKey", "Misspelt", "NegativeTriage"])
def test_the_cli_prints_one_line_and_exits_2_for_a_bad_return_value(tmp_path, policy):
    result = _cli(tmp_path, "run", _data(policy))
    # The scenario's incident lies after the short horizon: that one-line warning is not the error.
    lines = [line for line in result.output.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(lines) == 1 and "priority policy " in lines[0] and " at t=" in lines[0], lines


@pytest.mark.parametrize("command", ["run", "validate"])
def test_the_cli_reports_a_bad_parameter_like_a_scenario_error(tmp_path, command):
    result = _cli(tmp_path, command, _data("FixedReply", FixedReply={"action": "deflekt"}))
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and "policies.params.boundary_policies:FixedReply.action" in lines[0], lines


class _Contact:
    id, channel = 7, "twitter"


def test_key_shapes_accept_numbers_strings_and_tuples_and_nothing_else():
    assert key_shape(1.5) == key_shape(2) == key_shape(np.float64(3)) == key_shape(True) == "number"
    assert key_shape("a") == "string"
    assert key_shape((0, (1, 2.0), "x")) == ("number", ("number", "number"), "string")
    for bad in (math.nan, np.nan, (1, math.nan), ((math.nan,),), None, [1, 2], object(), 1j):
        assert key_shape(bad) is None, bad


def test_key_check_allows_what_compares_and_refuses_what_does_not():
    check = KeyCheck("p")
    check.check((0, 1.0), _Contact(), 0.0)
    assert check.fast is None  # tuples always get the full check
    check.check((1,), _Contact(), 0.0)  # a shorter tuple compares with a longer one
    check.check((1, 2), _Contact(), 0.0)
    with pytest.raises(PolicyError, match=r"returned \(1, 'x'\) of shape \(number, string\).*earlier key \(0, 1.0\)"):
        check.check((1, "x"), _Contact(), 60.0)
    scalar = KeyCheck("p")
    scalar.check(0, _Contact(), 0.0)  # SimPy's clock starts at the int 0
    assert scalar.fast is float
    scalar.check(4, _Contact(), 0.0)
    with pytest.raises(PolicyError, match="at t=120s"):
        scalar.check((1.0,), _Contact(), 120.0)


def test_reply_check_refuses_what_goes_round_first_reply_s_own_check():
    check = ReplyCheck("p", ["twitter"])
    plan = FirstReply("acknowledge", work=10.0)
    object.__setattr__(plan, "work", -1.0)
    with pytest.raises(PolicyError, match="work as finite seconds"):
        check.first_reply(plan, _Contact(), 0.0)
    with pytest.raises(PolicyError, match="expected a FirstReply"):
        check.first_reply("answer", _Contact(), 0.0)
    assert check.seconds(np.float64(2.0), _Contact(), 0.0) == 2.0
    with pytest.raises(PolicyError):
        check.seconds(math.nan, _Contact(), 0.0)
    assert check.flag(np.bool_(True), _Contact(), 0.0) is True
    with pytest.raises(PolicyError, match="expected True or False"):
        check.flag(1, _Contact(), 0.0)
