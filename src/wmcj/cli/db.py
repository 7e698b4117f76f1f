"""``wmcj db``: where the record lives, backing it up and restoring it, checking it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from wmcj.cli.common import database

app = typer.Typer(
    help="Look after the database: where it is, backups, restore, integrity check.",
    no_args_is_help=True,
)


@app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print where the database is (first line) and its attachment folder (second line).

    Nothing is opened or created.

    Example: wmcj db path
    """
    from wmcj.db import display_name

    db = database(ctx)
    print(display_name(db.url))
    print(db.files)


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The backup file to write.", metavar="FILE", show_default=False)
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists already.")
    ] = False,
    files: Annotated[
        bool,
        typer.Option(
            "--files/--no-files",
            help="Also copy the attachment files, into FILE's own folder (x.db → x-files).",
        ),
    ] = True,
) -> None:
    """Copy the database, safely while others use it, with its photos and files.

    The copy is a working database: open it with wmcj --db FILE, or bring it back
    with wmcj db restore FILE. An existing FILE is only replaced with --force.

    Example: wmcj db backup /media/u盘/wmcj-2018-12-31.db
    """
    from wmcj.dbtools import backup
    from wmcj.errors import RuntimeFailure
    from wmcj.i18n import _

    result = backup(db=database(ctx), target=file, force=force, files=files)
    print(_("backed up the database to {path}").format(path=result.path))
    if result.files_dir is not None:
        print(
            _("attachment files in {path}: {copied} copied, {present} already there").format(
                path=result.files_dir, copied=result.files_copied, present=result.files_present
            )
        )
    if result.files_missing:
        raise RuntimeFailure(
            _(
                "{count} attachment file(s) were missing from the store and are not in the"
                " backup: {names}; run: wmcj db check"
            ).format(count=len(result.files_missing), names=", ".join(result.files_missing[:5]))
        )


@app.command("restore")
def db_restore(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="A backup made by wmcj db backup.", metavar="FILE", show_default=False),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup; the database it replaces is kept beside it.

    The backup's attachment files join the store. Asks first, unless --yes is
    given (required when not run from a terminal).

    Example: wmcj db restore /media/u盘/wmcj-2018-12-31.db --yes
    """
    from wmcj.db import display_name
    from wmcj.dbtools import check_backup_file, restore
    from wmcj.errors import InputError, RuntimeFailure
    from wmcj.i18n import _

    db = database(ctx)
    check_backup_file(file.expanduser())
    if not yes:
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise InputError(
                _("not replacing {path} without confirmation; pass --yes").format(
                    path=display_name(db.url)
                )
            )
        question = _("Replace {path} with the backup {file}?").format(
            path=display_name(db.url), file=file
        )
        if not typer.confirm(question, default=False):
            print(_("nothing restored"))
            return
    result = restore(db=db, source=file)
    print(_("restored {path} from {file}").format(path=display_name(db.url), file=result.source))
    if result.safety_copy is not None:
        print(_("the database it replaced is kept as {path}").format(path=result.safety_copy))
    missing = result.files.files_missing
    if missing:
        raise RuntimeFailure(
            _(
                "{count} attachment file(s) of the backup were not beside it in {path}: {names};"
                " copy that folder too, or run: wmcj db check"
            ).format(path=result.source_files, count=len(missing), names=", ".join(missing[:5]))
        )


@app.command("check")
def db_check(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Tidy what interrupted commands left in the attachment store (rows are never"
            " changed).",
        ),
    ] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help="Do not re-read attachment files to verify hashes.")
    ] = False,
) -> None:
    """Check the database: SQLite's integrity, its links, and wmcj's own rules.

    Every activity must count for a task of its own plan; every attachment's file
    must be in the store with its size and sha256; evidence figures must match.
    Exit 0 when all is well (warnings allowed), 1 with the list of problems.

    Example: wmcj db check
    """
    from wmcj.db import display_name
    from wmcj.dbtools import check_database, database_exists
    from wmcj.errors import RuntimeFailure
    from wmcj.i18n import _

    db = database(ctx)
    where = display_name(db.url)
    if not database_exists(db):
        raise RuntimeFailure(
            _(
                "there is no database at {path} yet; the first command that records something"
                " creates it (e.g. wmcj plan load FILE)"
            ).format(path=where)
        )
    report = check_database(db=db, repair=repair, hashes=not quick)
    for line in report.repaired:
        print(_("repaired: {what}").format(what=line))
    for line in report.warnings:
        print(_("warning: {what}").format(what=line))
    for line in report.problems:
        print(_("problem: {what}").format(what=line))
    if report.problems:
        raise RuntimeFailure(
            _("{path}: {count} problem(s) found; see the list above").format(
                path=where, count=len(report.problems)
            )
        )
    print(
        _("{path}: ok — {activities} activities, {attachments} attachments checked").format(
            path=where, activities=report.activities, attachments=report.attachments
        )
    )
