"""``wmcj report``: where the plan stands, area by area, as of a day."""

from __future__ import annotations

from typing import Annotated

import typer

from wmcj.cli.common import AsOfOption, FormatOption, OutOption, YearOption, as_of_day, database

AreaOption = Annotated[
    str | None,
    typer.Option(
        "--area", "-a", help="Only this area (its id, e.g. leadership).", show_default=False
    ),
]


def report(
    ctx: typer.Context,
    year: YearOption = None,
    area: AreaOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",  # type: ignore[assignment]
    out: OutOption = None,
) -> None:
    """Show the plan's progress: a table per area, then overall progress, score, overdue and
    what comes up in the next 14 days.

    Example: wmcj report --as-of 2018-06-30 --format markdown --out report.md
    """
    from wmcj.report import report_data
    from wmcj.reportviews import print_report

    day = as_of_day(as_of)
    with database(ctx).read() as session:
        data = report_data(session=session, year=year, as_of=day, area=area)
    print_report(data, getattr(fmt, "value", fmt), out)
