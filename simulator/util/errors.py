"""Errors a user can cause, kept apart from bugs so the CLI can map them to exit code 2."""

from __future__ import annotations

__all__ = ["UserError", "ScenarioError"]


class UserError(Exception):
    """A mistake in something the user gave carebench: a file, a flag, a value.

    The message is one line that names the place and what was expected; the
    command line prints it without a traceback and exits with code 2.
    """


class ScenarioError(UserError):
    """A scenario or study file that does not validate.

    ``problems`` holds one line per error, each already naming the file and
    the dotted place inside it, so every error is reported at once.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
