"""The ``carebench`` command line: a thin shell over the library.

Each command parses its options, calls the library, prints, and maps a
user's mistake (:class:`carebench.util.errors.UserError`, a bad flag) to one line
on stderr and exit code 2, never a traceback.

Commands are loaded lazily: :data:`COMMANDS` names the module that defines
each one and carries its one-line help, so ``carebench --help`` and
``carebench --version`` import only click, and ``carebench erlang`` never
imports the simulation engine or matplotlib. A test keeps the one-line helps
here equal to the commands' own.
"""

from __future__ import annotations

import importlib
import sys

import click

from carebench.cli.interrupts import exit_code as interrupt_exit_code
from carebench.cli.interrupts import message as interrupt_message
from carebench.cli.interrupts import sigterm_as_interrupt
from carebench.cli.prestart import prestart_for
from carebench.util.errors import UserError

__all__ = ["cli", "main", "COMMANDS", "LazyGroup"]

COMMANDS: dict[str, tuple[str, str]] = {
    "baseline": (
        "carebench.cli.check",
        "Write or refresh the baseline of SCENARIO that 'carebench check --baseline' compares against.",
    ),
    "calibrate": (
        "carebench.cli.calibrate",
        "Calibrate SCENARIO's --free parameters so its first-reply latencies match the trace --to.",
    ),
    "check": (
        "carebench.cli.check",
        "Gate a build: run SCENARIO's replications and judge its thresholds and baseline.",
    ),
    "compare": (
        "carebench.cli.compare",
        "Compare scenario variants on the same seeds: A.yaml B.yaml ..., or SCENARIO --set ... --set ...",
    ),
    "erlang": (
        "carebench.cli.erlang",
        "Erlang C (or A with --patience) figures: service level, waits, abandonment, agents needed.",
    ),
    "fit": (
        "carebench.cli.fit",
        "Fit a scenario to TRACE: arrival rate and profiles (with intervals), bursts as incidents, distributions.",
    ),
    "kpis": (
        "carebench.cli.inspect",
        "List the KPIs carebench reports: unit, which way is better, meaning (the KPI catalogue).",
    ),
    "loadtest": (
        "carebench.cli.loadtest",
        "Find the largest load at which a target holds, and draw the capacity curve.",
    ),
    "policies": ("carebench.cli.inspect", "List the registered priority and staffing policies with their parameters."),
    "replay": (
        "carebench.cli.replay",
        "Run SCENARIO with the arrivals of TRACE in place of its arrival process (team, policies unchanged).",
    ),
    "report": (
        "carebench.cli.report",
        "Rebuild DIR/report.html from the files of a result directory (or NAME.html of a baseline file).",
    ),
    "run": (
        "carebench.cli.run",
        "Simulate SCENARIO (a YAML file or a shipped scenario; default: the packaged default).",
    ),
    "scenarios": ("carebench.cli.inspect", "List the scenarios and mystery-shopper studies shipped with carebench."),
    "shop": (
        "carebench.cli.shop",
        "Mystery-shopper studies: `carebench shop STUDY` runs one (short for `shop run STUDY`); `shop plan` sizes one.",
    ),
    "staff": ("carebench.cli.loadtest", "Find the cheapest agent counts per pool (and shift) that meet every target."),
    "sweep": (
        "carebench.cli.sweep",
        "Run SCENARIO at every point of a grid of overrides, each replicated on the same seeds.",
    ),
    "trace": ("carebench.cli.trace", "Contact traces: inspect what one holds."),
    "validate": ("carebench.cli.inspect", "Check SCENARIO without running it; print what it declares."),
}
"""Command name -> (the module defining it, its one-line help for ``carebench --help``)."""


def _one_line(exc: click.UsageError) -> str:
    where = exc.ctx.command_path if exc.ctx is not None else "carebench"
    hint = f" (see '{where} --help')" if exc.ctx is not None else ""
    message = " ".join(exc.format_message().split())
    return f"{where}: {message[0].lower() + message[1:]}{hint}"


class LazyGroup(click.Group):
    """A click group whose commands are imported only when one is run (or asked for by name).

    ``commands`` maps each name to its module and one-line help; listing
    the commands (``--help``) reads the help from there without importing.
    """

    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, without importing any command module."""
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, importing its module the first time."""
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module = importlib.import_module(self.lazy[cmd_name][0])
            self.add_command(getattr(module, cmd_name.replace("-", "_")), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the one-line helps in the map (nothing imported)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=self.lazy[name][1]).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class CarebenchGroup(LazyGroup):
    """The top-level group: its errors are one line each and exit with code 2.

    A many-run command that will use local workers has their fork server
    started before its module is imported (:mod:`carebench.cli.prestart`).
    """

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """Find the command; first start local workers' fork server if it will want one."""
        if args and args[0] in self.lazy and args[0] not in self.commands:
            prestart_for(args[0], args[1:])
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command line; user errors exit 2, SIGINT 130 and SIGTERM 143, each with one line."""
        argv = sys.argv[1:] if args is None else list(args)
        try:
            with sigterm_as_interrupt():
                # Not click's own main: it prints a blank line before re-raising an interruption.
                with self.make_context(prog_name or "carebench", argv, **extra) as ctx:
                    rv = self.invoke(ctx)
        except click.exceptions.Exit as exc:  # --help, --version
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            click.echo(_one_line(exc), err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except UserError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(2)
        except (click.Abort, KeyboardInterrupt) as exc:
            click.echo(interrupt_message(exc), err=True)
            sys.exit(interrupt_exit_code(exc))
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=CarebenchGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="carebench", prog_name="carebench")
def cli() -> None:
    """carebench: simulate and load-test customer service on social and traditional channels."""


def main() -> None:
    """Entry point of the ``carebench`` console script."""
    cli.main()
