"""``wmcj export``: the year's paper trail — an Excel workbook, and the 台账 dossier."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wmcj.cli.common import AsOfOption, YearOption, as_of_day, database

app = typer.Typer(
    help="Export the year's records: an Excel workbook, or the 台账 dossier for inspectors.",
    no_args_is_help=True,
)


@app.command("xlsx")
def export_xlsx(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="The workbook to write (.xlsx), atomically.",
            metavar="FILE",
            show_default=False,
        ),
    ],
    year: YearOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write an Excel workbook: a 总览 sheet with every task's figures (as in the report)
    and a 活动台账 sheet with every activity — the sheet `wmcj activity import` reads back.

    Example: wmcj export xlsx --year 2018 --out 台账2018.xlsx
    """
    from wmcj.activities import list_activities
    from wmcj.attachments import Store
    from wmcj.excel import workbook_bytes
    from wmcj.i18n import _
    from wmcj.render import write_out
    from wmcj.report import report_data

    if out.is_dir():
        from wmcj.errors import InputError

        raise InputError(_("{path} is a folder; give a file name ending in .xlsx").format(path=out))
    day = as_of_day(as_of)
    db = database(ctx)
    with db.read() as session:
        report = report_data(session=session, year=year, as_of=day)
        activities = list_activities(session=session, store=Store(db.files), year=report["year"])
    write_out("", out, binary=workbook_bytes(report, activities))
    print(
        _("wrote {path}: {tasks} tasks, {activities} activities (plan {year}, as of {day})").format(
            path=out,
            tasks=sum(len(a["tasks"]) for a in report["areas"]),
            activities=len(activities),
            year=report["year"],
            day=day.isoformat(),
        )
    )


@app.command("dossier")
def export_dossier(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="A folder for the dossier (an earlier dossier there is replaced), or FILE.zip.",
            metavar="DIR|FILE.zip",
            show_default=False,
        ),
    ],
    year: YearOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write the 台账: a folder per area and per task in plan order, a record page per
    activity with its photos and files beside it, and an index.html that works offline
    and prints on A4 — progress, every record, and what is still missing.

    Example: wmcj export dossier --year 2018 --out 台账2018/
    """
    from wmcj.attachments import Store
    from wmcj.dossier import dossier_data, write_dossier
    from wmcj.i18n import _

    day = as_of_day(as_of)
    db = database(ctx)
    with db.read() as session:
        data = dossier_data(session=session, store=Store(db.files), year=year, as_of=day)
    written = write_dossier(data, out)
    print(
        _(
            "wrote the dossier of plan {year} to {path}: {areas} areas, {tasks} tasks,"
            " {records} records, {attachments} attachments"
        ).format(
            year=data["plan"]["year"],
            path=written.path,
            areas=written.areas,
            tasks=written.tasks,
            records=written.records,
            attachments=written.attachments,
        )
    )
    print(
        _(
            "missing as of {day}: {short} tasks short of target, {undocumented} activities"
            " without the required evidence"
        ).format(day=day.isoformat(), short=written.short_tasks, undocumented=written.undocumented)
    )
    if not str(out).lower().endswith(".zip"):
        print(_("open {path}").format(path=written.path / "index.html"))
