"""The ``wmcj`` command: global options, the command groups, and the one error handler."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

# Typer vendors click; its usage errors have no public name outside this module.
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from wmcj import __version__
from wmcj.cli.common import Settings
from wmcj.errors import WmcjError

#: Every subcommand, as "module:attribute" (a Typer app is a command group, a function a
#: command), in the order ``wmcj --help`` lists them. A command's module is imported, and
#: Typer builds it (reading every parameter's annotation), only when it runs or help lists
#: it: ``wmcj report`` pays for itself alone. Add new commands here.
COMMANDS: dict[str, str] = {
    "plan": "wmcj.cli.plan:app",
    "activity": "wmcj.cli.activity:app",
    "task": "wmcj.cli.task:app",
    "db": "wmcj.cli.db:app",
    "report": "wmcj.cli.report:report",
    "summary": "wmcj.cli.summary:summary",
    "calendar": "wmcj.cli.calendar:calendar",
    "export": "wmcj.cli.export:app",
    "config": "wmcj.cli.config:app",
    "cron": "wmcj.cli.cron:cron",
}


class _Commands(dict[str, Any]):
    """The root's commands: every name known at once, each command built on first use."""

    def __getitem__(self, name: str) -> Any:
        command = super().__getitem__(name)
        if command is None:
            command = _build(name)
            super().__setitem__(name, command)
        return command

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        # Not dict.get: that would hand out the placeholder instead of building the command.
        return self[name] if name in self else default  # noqa: SIM401

    def items(self) -> Any:
        return [(name, self[name]) for name in self]

    def values(self) -> Any:
        return [self[name] for name in self]


def _build(name: str) -> Any:
    """The click command of ``COMMANDS[name]``, built by Typer as ``add_typer`` would."""
    import importlib

    module, attribute = COMMANDS[name].split(":")
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(
        rich_markup_mode=app.rich_markup_mode,
        pretty_exceptions_short=app.pretty_exceptions_short,
        add_completion=False,
    )
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    holder.callback()(_no_options)  # a callback makes Typer build a group around it
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def _no_options() -> None:
    """Placeholder callback of the group a lazily built command comes in."""


class WmcjGroup(TyperGroup):
    """Turns every failure into one line on stderr with the right exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.name == "wmcj":
            lazy = {name: None for name in COMMANDS if name not in self.commands}
            self.commands = _Commands({**self.commands, **lazy})

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except WmcjError as exc:
            _fail(str(exc), exc.exit_code)
        except UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(exc.format_message() + hint, 2)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("WMCJ_DEBUG") == "1":
                raise
            _fail(_unexpected(exc), 1)


def _fail(message: str, code: int) -> None:
    from wmcj.i18n import _

    for line in message.splitlines() or [""]:
        print(f"{_('error')}: {line}" if not _located(line) else line, file=sys.stderr)
    raise typer.Exit(code)


def _located(line: str) -> bool:
    """Plan problems are already ``FILE:LINE:COLUMN: message``; they stand as they are."""
    head = line.split(": ", 1)[0]
    parts = head.rsplit(":", 2)
    return len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit()


def _unexpected(exc: Exception) -> str:
    """Database and disk failures the user can act on; anything else, briefly."""
    from wmcj.i18n import _

    text = str(getattr(exc, "orig", None) or exc)
    if "locked" in text or "busy" in text:
        return _("the database is busy (locked by another wmcj) for too long; try again")
    if ("disk" in text and "full" in text) or (isinstance(exc, OSError) and exc.errno == 28):
        return _("the disk is full; free some space and try again (nothing was written)")
    if "readonly" in text or "read-only" in text:
        return _("the database is read-only; check the file's permissions")
    if "not a database" in text or "file is encrypted" in text:
        return _("the database file is not a wmcj database (or is damaged)")
    return _("unexpected failure: {reason} (set WMCJ_DEBUG=1 for details)").format(
        reason=text or type(exc).__name__
    )


app = typer.Typer(
    name="wmcj",
    cls=WmcjGroup,
    help="文明创建 (wmcj): track the yearly civilized-unit creation plan.\n\n"
    "Example: wmcj plan load plans/2018.yaml && wmcj report",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    # Plain help: Rich's help formatter (and Markdown parser) would double `wmcj --help`.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"wmcj {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: $WMCJ_DB, else wmcj.db in the user"
            " data folder).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language of messages: zh or en (default: $WMCJ_LANG, else the locale)."
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """文明创建 (wmcj): track the yearly civilized-unit creation plan.

    Example: wmcj plan load plans/2018.yaml && wmcj report
    """
    from wmcj.i18n import LANGUAGES, set_language

    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"--lang must be zh or en, not '{lang}'", ctx=ctx)
    set_language(lang)
    ctx.obj = Settings(db=db)
    ctx.call_on_close(lambda: _close(ctx))


def _close(ctx: typer.Context) -> None:
    """Close what the command opened, rather than leave it to the end of the process."""
    settings = ctx.obj
    if isinstance(settings, Settings):
        settings.close()


def main() -> None:
    """The console script: run one command, then end the process without collecting."""
    import gc

    try:
        app(prog_name="wmcj")
    finally:
        # Python's last cycle collection walks every object the imported libraries made
        # (SQLAlchemy, pydantic: a third of a short command's time), only to free memory
        # the OS takes back anyway. What must be closed is closed by now (_close).
        gc.freeze()
