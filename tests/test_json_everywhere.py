"""``--json`` on every command of the lazy command map: one JSON document on stdout and nothing else.

Every command (and every subcommand of a group) is walked from
:data:`carebench.cli.COMMANDS`, so a new command without ``--json`` fails
here. Each is then run on a small input with ``--json``: stdout must parse as
exactly one JSON document (progress and notes go to stderr).
"""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from report_results import inputs, kind_args, result_of
from test_calibrate import MAP

from carebench.cli import COMMANDS, cli


def _leaves() -> dict[str, click.Command]:
    """Every runnable command by its path ('shop plan', 'trace inspect'), groups opened."""
    ctx = click.Context(cli)
    out: dict[str, click.Command] = {}
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            out.update({f"{name} {sub}": c for sub, c in command.commands.items()})
            if command.invoke_without_command:  # 'carebench shop STUDY' is 'shop run STUDY'
                continue
        else:
            out[name] = command
    return out


LEAVES = _leaves()


def _json_flag(command: click.Command) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and "--json" in p.opts), None)


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_every_command_takes_a_json_flag(path):
    flag = _json_flag(LEAVES[path])
    assert flag is not None, f"carebench {path} has no --json"
    assert flag.is_flag, f"carebench {path} --json takes a value; it must be a flag that prints to stdout"


def _args(path: str) -> list[str]:
    """A small invocation of each command (the result-writing ones as the report tests make them)."""
    given = inputs()
    trace = [str(given / "trace.csv"), *MAP]
    made = kind_args(given / "json")
    by_kind = {"run": "run", "compare": "compare", "sweep": "sweep", "check": "check", "baseline": "baseline",
               "shop run": "shop", "shop plan": "shop plan", "loadtest": "loadtest", "staff": "staff",
               "fit": "fit", "calibrate": "calibrate"}
    if path in by_kind:  # no plots: the JSON is what is tested here, the charts are in the report tests
        plots = ["--no-plots"] * any("--no-plots" in getattr(p, "opts", ()) for p in LEAVES[path].params)
        return [a for a in made[by_kind[path]] if a != "-q"] + plots
    return {
        "erlang": ["erlang", "--rate", "100/h", "--handle", "5m"],
        "kpis": ["kpis", "mmc"], "policies": ["policies"], "scenarios": ["scenarios"], "validate": ["validate", "mmc"],
        "replay": ["replay", *trace, str(given / "team.yaml"), "--horizon", "1d"],
        "report": ["report", str(result_of("shop plan"))],
        "trace inspect": ["trace", "inspect", *trace],
    }[path]


_CODES = {"check": 1}  # the small check fails its threshold on purpose


def test_every_command_has_a_small_invocation():
    for path in LEAVES:
        assert _args(path), path


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_json_prints_one_document_on_stdout_only(path):
    result = CliRunner().invoke(cli, [*_args(path), "--json"])
    assert result.exit_code == _CODES.get(path, 0), (path, result.stdout, result.stderr, result.exception)
    doc = json.loads(result.stdout)  # the whole of stdout: one document, no text before or after it
    assert isinstance(doc, (dict, list)) and doc
    assert "Traceback" not in result.stderr


def test_staff_schedule_json_is_the_report_summary():
    result = CliRunner().invoke(cli, [*kind_args(inputs() / "json")["schedule"], "--no-plots", "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["kind"] == "schedule" and doc["verdict"] == "PASS" and doc["data"]["met"] is True
    assert "iteration" not in result.stdout.split("{", 1)[0]  # no progress printed before the document
