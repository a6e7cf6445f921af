"""The ``carebench`` command line: a thin shell over the library.

Each command parses its options, calls the library, prints, and maps a
user's mistake (:class:`carebench.util.errors.UserError`, a bad flag) to one line
on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import click

from carebench.util.errors import UserError

__all__ = ["cli", "main"]


def _one_line(exc: click.UsageError) -> str:
    where = exc.ctx.command_path if exc.ctx is not None else "carebench"
    hint = f" (see '{where} --help')" if exc.ctx is not None else ""
    message = " ".join(exc.format_message().split())
    return f"{where}: {message[0].lower() + message[1:]}{hint}"


class CarebenchGroup(click.Group):
    """A click group whose errors are one line each and exit with code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command line; user errors exit 2, interruptions 130."""
        try:
            rv = super().main(args, prog_name or "carebench", complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            click.echo(_one_line(exc), err=True)
            sys.exit(2)
        except UserError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(2)
        except (click.Abort, KeyboardInterrupt):
            click.echo("interrupted: results already written are intact", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=CarebenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="carebench", prog_name="carebench")
def cli() -> None:
    """carebench: simulate and load-test customer service on social and traditional channels."""


def _register() -> None:
    from carebench.cli import check, compare, erlang, inspect, loadtest, run, shop, sweep

    for module in (run, inspect, erlang, compare, check, sweep, loadtest, shop):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    """Entry point of the ``carebench`` console script."""
    cli.main()
