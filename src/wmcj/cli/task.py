"""``wmcj task``: list the plan's tasks, show one, mark one done or reopen it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wmcj.cli.common import (
    AsOfOption,
    FormatOption,
    OutOption,
    YearOption,
    as_of_day,
    database,
    parse_date,
)

if TYPE_CHECKING:
    from datetime import date

    from wmcj.progress import Period, TaskProgress
    from wmcj.tasks import TaskDetail, TaskListing

app = typer.Typer(
    help="The plan's tasks: where each stands, one in full, done marks.", no_args_is_help=True
)

TaskId = Annotated[
    str,
    typer.Argument(help="The task's id, as in the plan file (e.g. work-plan).", show_default=False),
]


class ShowFormat(StrEnum):
    table = "table"
    json = "json"


#: A retired task has no status of its own; it is listed with this word.
RETIRED = "retired"
OUTCOME_WORDS = {"met": "met", "short": "fell short", "open": "still open"}


@app.command("list")
def task_list(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option("--area", help="Only the tasks of this area (its id).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only tasks with this status: done, met, overdue, in-progress or not-started.",
        ),
    ] = None,
    include_retired: Annotated[
        bool, typer.Option("--all", help="Also list retired tasks (they have no progress).")
    ] = False,
    year: YearOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """List the plan's tasks with owner, schedule, count, progress and status as of a day.

    Example: wmcj task list --status overdue --as-of 2018-06-30
    """
    from wmcj.tasks import list_tasks

    day = as_of_day(as_of)
    with database(ctx).read() as session:
        listing = list_tasks(
            session=session,
            year=year,
            as_of=day,
            area=area,
            status=status,
            include_retired=include_retired,
        )
    _print_listing(listing, getattr(fmt, "value", fmt), out)


@app.command("show")
def task_show(
    ctx: typer.Context,
    task: TaskId,
    year: YearOption = None,
    as_of: AsOfOption = None,
    fmt: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="Output format: table or json.")
    ] = ShowFormat.table,
    out: OutOption = None,
) -> None:
    """Show one task: as written, where it stands, its periods or days, its activities.

    Example: wmcj task show work-meetings --as-of 2018-06-30
    """
    from wmcj.render import emit, to_json
    from wmcj.tasks import detail_json, show_task

    day = as_of_day(as_of)
    with database(ctx).read() as session:
        detail = show_task(session=session, key=task, year=year, as_of=day)
    if getattr(fmt, "value", fmt) == "json":
        emit(to_json(detail_json(detail)), out)
    else:
        _print_detail(detail, out)


@app.command("done")
def task_done(
    ctx: typer.Context,
    task: TaskId,
    when: Annotated[
        str | None,
        typer.Option(
            "--date", help="The day it was done, YYYY-MM-DD (default: today).", show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A word on how it was done (kept with the mark).")
    ] = None,
    year: YearOption = None,
) -> None:
    """Mark a task done. Marking it again moves the mark to the new date (and note).

    Example: wmcj task done work-plan --date 2018-03-20 --note 方案已印发
    """
    from wmcj.clock import today
    from wmcj.i18n import _
    from wmcj.tasks import mark_done

    day = parse_date(when, "--date") if when is not None else None
    with database(ctx).write() as session:
        result = mark_done(session=session, key=task, year=year, day=day, note=note, today=today())
    mark, previous = result.mark, result.previous
    assert mark is not None
    if previous is None:
        message = _("task '{key}' ({title}) marked done on {day}")
    elif previous == mark:
        message = _("task '{key}' ({title}) is already marked done on {day}; nothing changed")
    else:
        message = _(
            "task '{key}' ({title}) was already marked done on {before}; mark updated to {day}"
        )
    print(
        message.format(
            key=result.key,
            title=result.title,
            day=mark.date.isoformat(),
            before=previous.date.isoformat() if previous else "",
        )
    )
    if mark.note:
        print(_("note: {note}").format(note=mark.note))


@app.command("reopen")
def task_reopen(ctx: typer.Context, task: TaskId, year: YearOption = None) -> None:
    """Remove a task's done mark (its activities stay).

    Example: wmcj task reopen work-plan
    """
    from wmcj.clock import today
    from wmcj.i18n import _
    from wmcj.tasks import reopen_task

    with database(ctx).write() as session:
        result = reopen_task(session=session, key=task, year=year, today=today())
    assert result.previous is not None
    print(
        _("task '{key}' ({title}) reopened: its done mark of {day} is removed").format(
            key=result.key, title=result.title, day=result.previous.date.isoformat()
        )
    )


# -- rendering: the report's words, marks and labels (wmcj.reportviews), so both read alike --


def _period_name(period: Period, on_days: bool) -> str:
    from wmcj.reportviews import day_label, period_label

    return day_label(period.label, period.name) if on_days else period_label(period.label)


def period_marks(progress: TaskProgress, on_days: bool) -> str:
    """``Q1 ✓ Q2 ✗ Q3 · Q4 ·``: each period or day with its outcome."""
    from wmcj.reportviews import OUTCOME_MARKS

    return " ".join(
        f"{_period_name(p, on_days)} {OUTCOME_MARKS[p.outcome]}" for p in progress.periods
    )


def _day_labels(names: dict[str, str]) -> dict[str, str]:
    """Named days as the report names them (built-ins in English when English is chosen)."""
    from wmcj.reportviews import day_label

    return {key: day_label(key, name) for key, name in names.items()}


def _status_text(status: str) -> str:
    from wmcj.i18n import _
    from wmcj.reportviews import status_label

    return _("retired") if status == RETIRED else status_label(status)


def _print_listing(listing: TaskListing, fmt: str, out: Path | None) -> None:
    from wmcj.i18n import _
    from wmcj.render import Column, emit_listing
    from wmcj.reportviews import STATUS_STYLES, count_text, percent
    from wmcj.tasks import listing_json
    from wmcj.views import schedule_text

    data = listing_json(listing)
    names = _day_labels(listing.day_names)
    rows = []
    for line, task in zip(listing.lines, data, strict=True):
        retired = line.standing is None
        rows.append(
            {
                "id": task["id"],
                "area": task["area"],
                "title": task["title"],
                "owner": task["owner"],
                "schedule": schedule_text(line.written, names),
                "count": "—" if retired else count_text(task),
                "progress": "—" if retired else percent(task["progress"]),
                "status": _status_text(task["status"]),
                "status_key": task["status"],
            }
        )
    columns = [
        Column("id", _("Task"), no_wrap=True),
        Column("title", _("Title")),
        Column("owner", _("Owner")),
        Column("schedule", _("Schedule")),
        Column("count", _("Count")),
        Column("progress", _("Progress"), justify="right", no_wrap=True),
        Column("status", _("Status"), no_wrap=True),
    ]
    if fmt == "csv":
        columns.insert(1, Column("area", _("Area")))
    title = _("Plan {year}: tasks as of {day}").format(
        year=listing.year, day=listing.as_of.isoformat()
    )
    styles = {**STATUS_STYLES, RETIRED: "dim"}
    emit_listing(
        columns,
        rows,
        fmt,
        out,
        data=data,
        title=title,
        style=lambda row: styles.get(row["status_key"]),
    )


def _evidence_text(evidence: dict[str, int] | None) -> str:
    from wmcj.i18n import _

    if not evidence:
        return _("none")
    words = {
        "photos": _("at least {n} photos"),
        "words": _("a note of at least {n} characters"),
        "files": _("at least {n} other files"),
    }
    return "；".join(words[k].format(n=v) for k, v in evidence.items())


def _field(label: str, value: Any) -> Any:
    from rich.text import Text

    text = Text("  ")
    text.append(label + "：", style="bold")
    text.append(str(value))
    return text


def _print_detail(detail: TaskDetail, out: Path | None) -> None:
    from rich.console import Group
    from rich.text import Text

    from wmcj.i18n import _
    from wmcj.render import cell_text, console, emit, render_text
    from wmcj.reportviews import percent
    from wmcj.tasks import effective_due
    from wmcj.views import schedule_text

    written, progress = detail.written, detail.standing
    parts: list[Any] = [Text(f"{written['id']}  {written['title']}", style="bold")]
    if written["retired"]:
        parts.append(
            Text(_("retired: gone from the plan file, out of reports and the score"), style="dim")
        )
    parts.append(_field(_("Area"), f"{written['area']} — {detail.area_title}"))
    parts.append(_field(_("Owner"), written["owner"] or "—"))
    parts.append(_field(_("Schedule"), schedule_text(written, _day_labels(detail.day_names))))
    due = effective_due(written, detail.year)
    parts.append(_field(_("Due"), due.isoformat() if due else "—"))
    parts.append(_field(_("Weight"), cell_text(written["weight"])))
    parts.append(_field(_("Evidence"), _evidence_text(written["evidence"])))
    if written["text"]:
        parts.append(_field(_("Text"), written["text"]))

    parts.append(Text(""))
    parts.append(
        Text(_("Where it stands as of {day}").format(day=detail.as_of.isoformat()), style="bold")
    )
    if progress is None:
        parts.append(_field(_("Status"), _status_text(RETIRED)))
    else:
        count = str(progress.count) if progress.periods else f"{progress.count}/{progress.target}"
        parts.append(_field(_("Count"), count))
        parts.append(_field(_("Progress"), percent(progress.progress)))
        parts.append(_field(_("Status"), _status_text(progress.status)))
    parts.append(_field(_("Done mark"), _done_text(detail)))
    if progress is not None and progress.periods:
        on_days = bool(written["on"])
        label = _("Days") if on_days else _("Periods")
        parts.append(_field(label, period_marks(progress, on_days)))
        parts.append(_periods_table(detail, progress, on_days))
    if progress is not None:
        parts.append(_field(_("Undocumented activities"), progress.undocumented))

    parts.append(Text(""))
    parts.append(_activities_part(detail))
    group = Group(*parts)
    if out is not None:
        emit(render_text(group), out)
    else:
        console().print(group)


def _done_text(detail: TaskDetail) -> str:
    from wmcj.i18n import _

    mark = detail.done
    if mark is None:
        return _("not marked done")
    if mark.date <= detail.as_of:
        text = _("marked done on {day}").format(day=mark.date.isoformat())
    else:
        text = _("marked done on {day} (after {as_of}, so not counted yet)").format(
            day=mark.date.isoformat(), as_of=detail.as_of.isoformat()
        )
    if mark.note:
        text += " — " + mark.note
    return text


def _short_span(first: date, last: date) -> str:
    return f"{first:%m-%d}" if first == last else f"{first:%m-%d}–{last:%m-%d}"


def _periods_table(detail: TaskDetail, progress: TaskProgress, on_days: bool) -> Any:
    from wmcj.i18n import _
    from wmcj.render import Column, rich_table
    from wmcj.reportviews import OUTCOME_MARKS, OUTCOME_STYLES

    days = {d.key: d for d in detail.rule.on} if detail.rule is not None else {}
    rows = []
    for period in progress.periods:
        name = _period_name(period, on_days)
        if period.label in days:
            day = days[period.label]
            name = f"{name} {_short_span(day.date, day.last)}"
        rows.append(
            {
                "name": name,
                "dates": _short_span(period.first, period.last),
                "count": f"{period.count}/{period.target}",
                "outcome": f"{OUTCOME_MARKS[period.outcome]} {_(OUTCOME_WORDS[period.outcome])}",
                "key": period.outcome,
            }
        )
    columns = [
        Column("name", _("Day") if on_days else _("Period"), no_wrap=True),
        Column("dates", _("Window") if on_days else _("Dates"), no_wrap=True),
        Column("count", _("Count"), justify="right"),
        Column("outcome", _("Outcome"), no_wrap=True),
    ]
    return rich_table(columns, rows, style=lambda row: OUTCOME_STYLES.get(row["key"]))


def _activities_part(detail: TaskDetail) -> Any:
    from rich.text import Text

    from wmcj.i18n import _
    from wmcj.render import Column, rich_table

    title = _("Activities ({n})").format(n=len(detail.activities))
    if not detail.activities:
        return Text(title + "：" + _("none yet"), style="bold")
    has_rule = bool(detail.written["evidence"])
    rows = []
    for activity in detail.activities:
        people = "" if activity.people is None else str(activity.people)
        if activity.who:
            names = "、".join(activity.who)
            people = f"{people}（{names}）" if people else names
        rows.append(
            {
                "id": f"#{activity.id}",
                "date": activity.date.isoformat(),
                "title": activity.title,
                "people": people,
                "place": activity.place or "",
                "counted": "✓" if activity.counted else "✗",
                "documented": ("✓" if activity.documented else "✗") if has_rule else "—",
            }
        )
    columns = [
        Column("id", "#", no_wrap=True, justify="right"),
        Column("date", _("Date"), no_wrap=True),
        Column("title", _("Title")),
        Column("people", _("People")),
        Column("place", _("Place")),
        Column("counted", _("Counts"), no_wrap=True),
        Column("documented", _("Documented"), no_wrap=True),
    ]
    return rich_table(columns, rows, title=title)
