"""``wmcj summary``: the weekly summary a cron job mails every Monday."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from wmcj.cli.common import OutOption, database, parse_date


class SummaryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


WeekOption = Annotated[
    str | None,
    typer.Option(
        "--week",
        "-w",
        help="ISO week YYYY-Www, e.g. 2018-W15 (default: the last complete week before today).",
        show_default=False,
    ),
]
SummaryAsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Summarise the last complete week before this day, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]
SummaryFormatOption = Annotated[
    SummaryFormat,
    typer.Option(
        "--format",
        "-f",
        help="text (Rich on a terminal, plain e-mail text otherwise), markdown or json.",
    ),
]


def summary(
    ctx: typer.Context,
    week: WeekOption = None,
    as_of: SummaryAsOfOption = None,
    fmt: SummaryFormatOption = "text",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """Summarise one ISO week: its activities by area, tasks marked done, what is overdue,
    what comes up next, and how overall progress moved. Plain text when not on a terminal,
    so cron can mail it.

    Example: wmcj summary --week 2018-W15
    """
    from wmcj.clock import today
    from wmcj.reportviews import print_summary
    from wmcj.summary import parse_week, summary_data

    monday = parse_week(week) if week is not None else None
    day = parse_date(as_of, "--as-of") if as_of else today()
    with database(ctx).read() as session:
        data = summary_data(session=session, week=monday, as_of=day)
    print_summary(data, getattr(fmt, "value", fmt), out)
