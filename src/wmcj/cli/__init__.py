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
from wmcj.cli import activity, calendar, plan, report, summary, task
from wmcj.cli.common import Settings
from wmcj.errors import WmcjError


class WmcjGroup(TyperGroup):
    """Turns every failure into one line on stderr with the right exit code."""

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
)
app.add_typer(plan.app, name="plan")
app.add_typer(activity.app, name="activity")
app.add_typer(task.app, name="task")
app.command("report")(report.report)
app.command("summary")(summary.summary)
app.command("calendar")(calendar.calendar)


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


def main() -> None:
    app(prog_name="wmcj")
