"""The one error family: every failure a user can see, with its exit code."""

from __future__ import annotations


class WmcjError(Exception):
    """A failure with a message meant for the user; the CLI prints it on one line."""

    exit_code = 2


class InputError(WmcjError):
    """Bad usage or bad input: unknown id, bad date, invalid plan (exit 2)."""

    exit_code = 2


class NotFound(InputError):
    """Something the user named does not exist."""


class PlanInvalid(InputError):
    """A plan file breaks the format; carries every problem, located."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class RuntimeFailure(WmcjError):
    """The environment failed us: database locked, disk full, unreadable file (exit 1)."""

    exit_code = 1
