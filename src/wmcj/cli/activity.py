"""``wmcj activity``: record what was done, with photos and files; list, show, edit, delete."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from wmcj.cli.common import FormatOption, OutOption, YearOption, database, parse_date

app = typer.Typer(
    help="Record the work done (活动) and the tasks it counts for.", no_args_is_help=True
)


Number = Annotated[int, typer.Argument(help="The activity's number (#).", show_default=False)]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        "-d",
        help="When it happened, YYYY-MM-DD (default: today).",
        metavar="D",
        show_default=False,
    ),
]
TaskOption = Annotated[
    list[str] | None,
    typer.Option(
        "--task",
        "-t",
        help="A task id it counts for; repeat, or separate by commas.",
        metavar="ID",
        show_default=False,
    ),
]
PeopleOption = Annotated[
    str | None,
    typer.Option(
        "--people",
        "-p",
        help="How many people took part (a whole number).",
        metavar="N",
        show_default=False,
    ),
]
WhoOption = Annotated[
    list[str] | None,
    typer.Option(
        "--who",
        "-w",
        help="Who took part: names separated by commas or 、.",
        metavar="NAME,…",
        show_default=False,
    ),
]
HoursOption = Annotated[
    str | None,
    typer.Option(
        "--hours", help="Hours spent (decimals allowed).", metavar="H", show_default=False
    ),
]
PlaceOption = Annotated[
    str | None,
    typer.Option("--place", help="Where it happened.", metavar="P", show_default=False),
]
NoteOption = Annotated[
    str | None,
    typer.Option(
        "--note",
        "-n",
        help="What was done, in words (counts for evidence rules).",
        metavar="TEXT",
        show_default=False,
    ),
]
AttachOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--attach",
        "-a",
        help="A photo or file to keep with it; repeat for several.",
        metavar="FILE",
        show_default=False,
    ),
]
TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="A free tag (e.g. 志愿服务); repeat, or separate by commas.",
        metavar="T",
        show_default=False,
    ),
]


def _one_title(words: list[str]) -> str:
    """TITLE is one argument; several usually mean missing quotes or files without --attach."""
    from wmcj.errors import InputError
    from wmcj.i18n import _

    if len(words) > 1:
        raise InputError(
            _(
                "more than one TITLE ({extra}); put the title in quotes, and give each file"
                " with its own --attach"
            ).format(extra=" ".join(repr(w) for w in words[1:]))
        )
    return words[0]


# Extra words land in ctx.args, so a missing pair of quotes gets a helpful message.
@app.command("add", context_settings={"allow_extra_args": True})
def activity_add(
    ctx: typer.Context,
    title: Annotated[
        str,
        typer.Argument(help="What was done, in a few words.", metavar="TITLE", show_default=False),
    ],
    day: DateOption = None,
    task: TaskOption = None,
    people: PeopleOption = None,
    who: WhoOption = None,
    hours: HoursOption = None,
    place: PlaceOption = None,
    note: NoteOption = None,
    attach: AttachOption = None,
    tag: TagOption = None,
) -> None:
    """Record one activity, linked to the tasks it counts for; prints its number.

    The activity belongs to the plan of its date's year. Photos and files given
    with --attach are copied into the store beside the database.

    Example: wmcj activity add "知识产权日宣传" --date 2018-04-26 --task ip-day-events -a 现场.jpg
    """
    from wmcj.activities import ActivityFields, add_activity, parse_hours, parse_people
    from wmcj.attachments import changing
    from wmcj.clock import today
    from wmcj.i18n import _

    fields = ActivityFields(
        title=_one_title([title, *ctx.args]),
        date=parse_date(day, "--date") if day is not None else today(),
        tasks=list(task or []),
        people=parse_people(people or ""),
        who=list(who or []),
        hours=parse_hours(hours or ""),
        place=place,
        note=note,
        tags=list(tag or []),
        attach=list(attach or []),
    )
    db = database(ctx)
    with changing(db.files) as files, db.write() as session:
        number = add_activity(session=session, files=files, fields=fields)
    print(_("recorded activity #{number}").format(number=number))


def _columns(fmt: str) -> list[Any]:
    from wmcj.i18n import _
    from wmcj.render import Column

    columns = [
        Column("id", "#", justify="right", no_wrap=True),
        Column("date", _("Date"), no_wrap=True),
        Column("title", _("Title")),
        Column("task_list", _("Tasks")),
        Column("people", _("People"), justify="right"),
        Column("hours", _("Hours"), justify="right"),
        Column("place", _("Place")),
    ]
    if fmt == "csv":
        columns[3] = Column("tasks", _("Tasks"))
        columns[1:1] = [Column("year", _("Year"))]
        columns += [
            Column("who", _("Who")),
            Column("tags", _("Tags")),
            Column("note", _("Note")),
            Column("photos", _("Photos"), justify="right"),
            Column("files", _("Files"), justify="right"),
            Column("attachment_names", _("Attachments")),
        ]
    return columns


@app.command("list")
def activity_list(
    ctx: typer.Context,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            "-t",
            help="Only activities counted for this task.",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="Only activities for tasks of this area.",
            metavar="ID",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="From this day on, YYYY-MM-DD (any plan year).",
            metavar="D",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Up to this day, YYYY-MM-DD (any plan year).",
            metavar="D",
            show_default=False,
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", help="Only activities with this tag.", metavar="T", show_default=False
        ),
    ] = None,
    year: YearOption = None,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """List activities in date order: the default plan year's, or those in --from/--to.

    JSON: every field; attachments as {name, sha256, media_type, size, photo, path}.

    Example: wmcj activity list --task ip-day-events --format json
    """
    from wmcj.activities import list_activities
    from wmcj.attachments import Store
    from wmcj.i18n import _
    from wmcj.render import emit_listing

    first = parse_date(start, "--from") if start is not None else None
    last = parse_date(end, "--to") if end is not None else None
    db = database(ctx)
    with db.read() as session:
        records = list_activities(
            session=session,
            store=Store(db.files),
            year=year,
            task=task,
            area=area,
            tag=tag,
            start=first,
            end=last,
        )
    fmt_value = getattr(fmt, "value", fmt)
    if fmt_value == "table" and out is None and not records:
        print(_("no activities"))
        return
    rows = [
        {
            **r,
            "task_list": ", ".join(r["tasks"]),
            "attachment_names": [a["name"] for a in r["attachments"]],
        }
        for r in records
    ]
    emit_listing(_columns(fmt_value), rows, fmt_value, out, data=records)


def _show_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    from wmcj.i18n import _
    from wmcj.render import cell_text, file_size

    titles = record["task_titles"]
    evidence = _("{photos} photo(s), {files} other file(s), note of {chars} characters").format(
        photos=record["photos"], files=record["files"], chars=record["note_chars"]
    )
    attachments = "\n".join(
        f"{a['name']} ({a['media_type']}, {file_size(a['size'])})\n  {a['path']}"
        for a in record["attachments"]
    )
    rows = [
        ("#", record["id"]),
        (_("Plan"), record["year"]),
        (_("Date"), record["date"]),
        (_("Title"), record["title"]),
        (_("Tasks"), "\n".join(f"{k} — {titles.get(k, '')}" for k in record["tasks"])),
        (_("People"), record["people"]),
        (_("Who"), record["who"]),
        (_("Hours"), record["hours"]),
        (_("Place"), record["place"]),
        (_("Tags"), record["tags"]),
        (_("Note"), record["note"]),
        (_("Evidence held"), evidence),
        (_("Attachments"), attachments),
        (_("Recorded"), record["created_at"]),
        (_("Updated"), record["updated_at"]),
    ]
    return [{"field": label, "value": cell_text(value)} for label, value in rows]


@app.command("show")
def activity_show(
    ctx: typer.Context,
    number: Number,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """Show everything about one activity, with where its attachments are stored.

    Example: wmcj activity show 12
    """
    from wmcj.activities import show_activity
    from wmcj.attachments import Store
    from wmcj.i18n import _
    from wmcj.render import Column, emit_listing

    db = database(ctx)
    with db.read() as session:
        record = show_activity(session=session, store=Store(db.files), number=number)
    columns = [Column("field", _("Field"), no_wrap=True), Column("value", _("Value"))]
    fmt_value = getattr(fmt, "value", fmt)
    emit_listing(
        columns,
        _show_rows(record),
        fmt_value,
        out,
        data=record,
        title=_("Activity #{number}").format(number=number),
    )


@app.command("edit")
def activity_edit(
    ctx: typer.Context,
    number: Number,
    title: Annotated[
        str | None,
        typer.Option("--title", help="A new title.", metavar="TITLE", show_default=False),
    ] = None,
    day: DateOption = None,
    task: TaskOption = None,
    people: PeopleOption = None,
    who: WhoOption = None,
    hours: HoursOption = None,
    place: PlaceOption = None,
    note: NoteOption = None,
    attach: AttachOption = None,
    detach: Annotated[
        list[str] | None,
        typer.Option(
            "--detach",
            help="Remove the attachment with this file name (or sha256 start); repeat for several.",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    tag: TagOption = None,
) -> None:
    """Change an activity: each option given replaces that field; the rest stay.

    --task replaces the task links, --tag and --who replace the whole list; an
    empty value ('') clears --people, --hours, --place, --note, --who and --tag.
    --attach adds files, --detach removes them.

    Example: wmcj activity edit 12 --people 15 --attach 签到表.pdf --detach IMG_0001.jpg
    """
    from wmcj.activities import edit_activity, parse_hours, parse_people
    from wmcj.attachments import changing
    from wmcj.i18n import _

    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if day is not None:
        changes["date"] = parse_date(day, "--date")
    if task:
        changes["tasks"] = list(task)
    if people is not None:
        changes["people"] = parse_people(people)
    if hours is not None:
        changes["hours"] = parse_hours(hours)
    if place is not None:
        changes["place"] = place
    if note is not None:
        changes["note"] = note
    if who:
        changes["who"] = list(who)
    if tag:
        changes["tags"] = list(tag)
    db = database(ctx)
    with changing(db.files) as files, db.write() as session:
        edit_activity(
            session=session,
            files=files,
            number=number,
            changes=changes,
            attach=list(attach or []),
            detach=list(detach or []),
        )
    print(_("updated activity #{number}").format(number=number))


def _can_ask() -> bool:
    """Whether someone is at the keyboard to answer a question."""
    return sys.stdin is not None and sys.stdin.isatty()


@app.command("rm")
def activity_rm(
    ctx: typer.Context,
    number: Number,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an activity; its files leave the store when no other activity uses them.

    Asks first, unless --yes is given (required when not run from a terminal).

    Example: wmcj activity rm 12 --yes
    """
    from wmcj.activities import remove_activity, show_activity
    from wmcj.attachments import Store, changing
    from wmcj.errors import InputError
    from wmcj.i18n import _

    db = database(ctx)
    if not yes:
        with db.read() as session:
            record = show_activity(session=session, store=Store(db.files), number=number)
        if not _can_ask():
            raise InputError(
                _("not deleting activity #{number} without confirmation; pass --yes").format(
                    number=number
                )
            )
        question = _("Delete activity #{number} ({date} {title}, {count} attachments)?").format(
            number=number,
            date=record["date"].isoformat(),
            title=record["title"],
            count=len(record["attachments"]),
        )
        if not typer.confirm(question, default=False):
            print(_("nothing deleted"))
            return
    with changing(db.files) as files, db.write() as session:
        remove_activity(session=session, files=files, number=number)
    print(_("deleted activity #{number}").format(number=number))


@app.command("import")
def activity_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="The ledger: an .xlsx workbook or a .csv file (UTF-8 or GBK).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check the file and show what would be added; write nothing."
        ),
    ] = False,
) -> None:
    """Bring in a ledger (台账) kept in Excel or CSV: one activity per row, all or nothing.

    Columns are found by their headings: 日期/date, 活动名称/title, 任务/task (its id or
    exact title; several separated by 、 , ; or new lines), and optionally 参加人数/people,
    参加人员/who, 时长/hours, 地点/place, 备注/note, 标签/tags, 附件/attachments (files
    beside the ledger). Any bad row refuses the whole file. A row whose date, title and
    tasks match an activity already recorded is skipped, so importing twice adds nothing.

    Example: wmcj activity import 台账2018.xlsx --dry-run
    """
    from wmcj.attachments import changing
    from wmcj.ledger_import import import_ledger

    db = database(ctx)
    if dry_run:
        with db.read() as session:
            result = import_ledger(session=session, files=None, path=file, dry_run=True)
    else:
        with changing(db.files) as files, db.write() as session:
            result = import_ledger(session=session, files=files, path=file)
    _print_import(result)


def _print_import(result: Any) -> None:
    """What an import added (or would add), and what it skipped as already recorded."""
    from wmcj.i18n import _
    from wmcj.render import Column, console, rich_table

    if result.ignored:
        print(_("columns not imported: {names}").format(names=", ".join(result.ignored)))
    new, recorded = result.new, result.recorded
    if result.dry_run and new:
        columns = [
            Column("row", _("Row"), justify="right", no_wrap=True),
            Column("date", _("Date"), no_wrap=True),
            Column("title", _("Title")),
            Column("tasks", _("Tasks")),
            Column("people", _("People"), justify="right"),
            Column("hours", _("Hours"), justify="right"),
            Column("place", _("Place")),
            Column("files", _("Attachments"), justify="right"),
        ]
        rows = [
            {
                "row": r.row,
                "date": r.fields.date,
                "title": r.fields.title,
                "tasks": ", ".join(r.fields.tasks),
                "people": r.fields.people,
                "hours": r.fields.hours,
                "place": r.fields.place,
                "files": len(r.fields.attach) or None,
            }
            for r in new
        ]
        console().print(rich_table(columns, rows, title=_("Would be added")))
    if not new:
        print(
            _("nothing to import: all {n} rows of {file} are already recorded").format(
                n=len(recorded), file=result.file
            )
        )
        return
    if result.dry_run:
        print(
            _(
                "dry run: {new} activities would be imported from {file}, {recorded} rows are"
                " already recorded; nothing was written"
            ).format(new=len(new), file=result.file, recorded=len(recorded))
        )
        return
    numbers = [r.number for r in new]
    print(
        _("imported {n} activities from {file} (#{first}–#{last})").format(
            n=len(new), file=result.file, first=min(numbers), last=max(numbers)
        )
    )
    if recorded:
        print(_("skipped {n} rows already recorded").format(n=len(recorded)))
