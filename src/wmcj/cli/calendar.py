"""``wmcj calendar``: the year's named days, literal dates and deadlines."""

from __future__ import annotations

from typing import Annotated

import typer

from wmcj.cli.common import FormatOption, OutOption, YearOption, database, parse_date


def calendar(
    ctx: typer.Context,
    year: YearOption = None,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)
    ] = None,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """Every named day of the plan's year (built-in and the plan's own), the literal dates in
    tasks' `on` lists and the tasks' due dates, in date order, with the tasks on each.

    Example: wmcj calendar --year 2018 --from 2018-04-01 --to 2018-06-30
    """
    from wmcj.calendar import calendar_entries
    from wmcj.errors import InputError
    from wmcj.i18n import _
    from wmcj.plans import find_plan
    from wmcj.render import Column, emit_listing
    from wmcj.views import day_display

    start = parse_date(first, "--from") if first else None
    end = parse_date(last, "--to") if last else None
    if start and end and end < start:
        raise InputError(_("--to {end} is before --from {start}").format(end=end, start=start))
    with database(ctx).read() as session:
        plan = find_plan(session, year)
        entries = calendar_entries(session=session, plan=plan, first=start, last=end)

    what_words = {"date": _("date"), "due": _("due")}
    rows = [
        {
            "date": e["date"].isoformat() + (f" ~ {e['until'].isoformat()}" if e["until"] else ""),
            "what": what_words.get(e["what"], e["what"]),
            "name": day_display(e["what"], e["name"]),
            "tasks": e["tasks"],
        }
        for e in entries
    ]
    columns = [
        Column("date", _("Date"), no_wrap=True),
        Column("what", _("What"), no_wrap=True),
        Column("name", _("Name")),
        Column("tasks", _("Tasks")),
    ]
    fmt_value = getattr(fmt, "value", fmt)
    title = _("Calendar {year}").format(year=plan.year)
    emit_listing(columns, rows, fmt_value, out, data=entries, title=title)
