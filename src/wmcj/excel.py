"""The plan's year as an Excel workbook: a 总览 (overview) sheet and a 活动台账 (activity ledger).

The overview carries the report's figures (``wmcj.report.report_data``), the ledger
every activity (``wmcj.activities.list_activities``); this module only lays them out
so the file looks finished when opened: bold heading row, frozen, filtered, columns
as wide as their Chinese text, real dates, percentages, statuses coloured as in the
report. The ledger sheet is also what ``wmcj activity import`` reads back.
openpyxl is imported only here, inside the functions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wmcj.i18n import _
from wmcj.reportviews import count_text, display_width, kind_label, status_label

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: Font and fill colours of the status words: Excel's own "good / bad / neutral" styles,
#: matching the report's colours (done green, met cyan, overdue red, in progress yellow).
STATUS_COLOURS: dict[str, tuple[str, str | None]] = {
    "done": ("006100", "C6EFCE"),
    "met": ("1F4E78", "DDEBF7"),
    "overdue": ("9C0006", "FFC7CE"),
    "in-progress": ("9C5700", "FFEB9C"),
    "not-started": ("808080", None),
}
HEADER_FILL = "D9E1F2"
AREA_FILL = "F2F2F2"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
#: Column widths in Excel's units (about one Latin character); wide text wraps beyond.
MIN_WIDTH = 6
MAX_WIDTH = 48


@dataclass(frozen=True, slots=True)
class Col:
    """A column of a sheet: heading, how wide it may grow, how its cells look."""

    heading: str
    max_width: int = MAX_WIDTH
    number_format: str | None = None
    wrap: bool = False


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        from wmcj.errors import RuntimeFailure

        raise RuntimeFailure(
            _("Excel support (openpyxl) is not installed; reinstall wmcj: pip install wmcj")
        ) from None
    return openpyxl


def cell_width(value: Any) -> int:
    """How many Latin-character widths a value needs: Chinese characters count as two."""
    if value is None:
        return 0
    if hasattr(value, "isoformat"):
        return 10
    if isinstance(value, float):
        return len(f"{value:g}")
    return max((display_width(line) for line in str(value).splitlines()), default=0)


def _fit_columns(sheet: Worksheet, columns: Sequence[Col], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.utils import get_column_letter

    for index, col in enumerate(columns):
        widths = [cell_width(col.heading)] + [
            cell_width(row[index]) for row in rows if index < len(row)
        ]
        if col.number_format == PERCENT_FORMAT:
            widths.append(7)
        width = min(max(max(widths) + 2, MIN_WIDTH), col.max_width)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width


def _header(sheet: Worksheet, row: int, columns: Sequence[Col]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="8EA9DB")
    for index, col in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index, value=col.heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=False)
        cell.border = Border(bottom=thin)


def _write_row(sheet: Worksheet, row: int, columns: Sequence[Col], values: Sequence[Any]) -> None:
    from openpyxl.styles import Alignment

    for index, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
        cell = sheet.cell(row=row, column=index, value=value)
        if col.number_format and value is not None:
            cell.number_format = col.number_format
        cell.alignment = Alignment(vertical="top", wrap_text=col.wrap)


def _status_style(cell: Any, status: str) -> None:
    from openpyxl.styles import Font, PatternFill

    colour, fill = STATUS_COLOURS.get(status, ("000000", None))
    cell.font = Font(color=colour, bold=status == "overdue")
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)


# -- 总览 ----------------------------------------------------------------------------------


def _overview_columns() -> list[Col]:
    return [
        Col(_("Area"), max_width=30, wrap=True),
        Col(_("Kind"), max_width=10),
        Col(_("ID"), max_width=28),
        Col(_("Task"), max_width=40, wrap=True),
        Col(_("Owner"), max_width=24, wrap=True),
        Col(_("Due"), number_format=DATE_FORMAT),
        Col(_("Count"), max_width=8),
        Col(_("Target count"), max_width=10),
        Col(_("Unit of count"), max_width=8),
        Col(_("Periods"), max_width=36, wrap=True),
        Col(_("Progress"), number_format=PERCENT_FORMAT),
        Col(_("Status"), max_width=10),
        Col(_("Undocumented"), max_width=12),
        Col(_("Weight"), max_width=8),
        Col(_("Points"), max_width=8, number_format="0.0"),
        Col(_("Score"), max_width=8, number_format="0.0"),
        Col(_("Done on"), number_format=DATE_FORMAT),
    ]


def _overview(book: Any, report: dict[str, Any]) -> None:
    from openpyxl.styles import Font, PatternFill

    sheet = book.active
    sheet.title = _("Overview")
    columns = _overview_columns()
    tasks = [t for area in report["areas"] for t in area["tasks"]]
    total_weight = sum(t["weight"] for t in tasks) or 1.0

    sheet.cell(row=1, column=1, value=report["title"]).font = Font(bold=True, size=14)
    sheet.cell(
        row=2,
        column=1,
        value=_("{unit} — as of {day}: progress {progress}, score {score}").format(
            unit=report["unit"],
            day=report["as_of"].isoformat(),
            progress=f"{report['progress'] * 100:.1f}%",
            score=f"{report['score']:.1f}",
        ),
    )
    sheet.cell(
        row=3,
        column=1,
        value="  ".join(f"{status_label(s)} {n}" for s, n in report["status_counts"].items()),
    )
    header = 5
    _header(sheet, header, columns)

    rows: list[list[Any]] = []
    row = header
    for number, area in enumerate(report["areas"], start=1):
        area_points = sum(100 * t["weight"] / total_weight for t in area["tasks"])
        area_title = f"{number}. {area['title']}"
        values: list[Any] = [area_title, kind_label(area["kind"]), area["id"]]
        values += [None] * 7 + [area["progress"], None, None, None]
        values += [area_points, area_points * area["progress"], None]
        row += 1
        _write_row(sheet, row, columns, values)
        for cell in sheet[row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=AREA_FILL)
        rows.append(values)
        for task in area["tasks"]:
            points = 100 * task["weight"] / total_weight
            values = [
                area_title,
                kind_label(area["kind"]),
                task["id"],
                task["title"],
                task["owner"],
                task["due"],
                task["count"],
                task["target"],
                task["unit"],
                count_text(task) if task["periods"] else None,
                task["progress"],
                status_label(task["status"]),
                task["undocumented"] or None,
                task["weight"],
                points,
                points * task["progress"],
                task["done_on"],
            ]
            row += 1
            _write_row(sheet, row, columns, values)
            _status_style(sheet.cell(row=row, column=12), task["status"])
            rows.append(values)
    last_task_row = row
    row += 1
    total = [_("Total"), None, None, None, None, None, None, None, None, None]
    total += [report["progress"], None, None, None, 100.0, report["score"], None]
    _write_row(sheet, row, columns, total)
    for cell in sheet[row]:
        cell.font = Font(bold=True)

    _fit_columns(sheet, columns, rows)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(columns))}{last_task_row}"
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


# -- 活动台账 --------------------------------------------------------------------------------


def ledger_columns() -> list[Col]:
    """The ledger's headings; ``wmcj activity import`` knows each of them."""
    return [
        Col("#", max_width=6),
        Col(_("Date"), number_format=DATE_FORMAT),
        Col(_("Activity title"), max_width=36, wrap=True),
        Col(_("Tasks"), max_width=30, wrap=True),
        Col(_("Task titles"), max_width=40, wrap=True),
        Col(_("Number of people"), max_width=10),
        Col(_("Participants"), max_width=24, wrap=True),
        Col(_("Hours"), max_width=12, number_format="0.##"),
        Col(_("Place"), max_width=20, wrap=True),
        Col(_("Remarks"), max_width=48, wrap=True),
        Col(_("Tags"), max_width=16, wrap=True),
        Col(_("Attachments"), max_width=36, wrap=True),
    ]


def _ledger(book: Any, activities: list[dict[str, Any]], titles: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(_("Activity ledger"))
    columns = ledger_columns()
    _header(sheet, 1, columns)
    rows = []
    for row, activity in enumerate(activities, start=2):
        values = [
            activity["id"],
            activity["date"],
            activity["title"],
            "、".join(activity["tasks"]),
            "\n".join(titles.get(key, key) for key in activity["tasks"]),
            activity["people"],
            "、".join(activity["who"]) or None,
            activity["hours"],
            activity["place"],
            activity["note"],
            "、".join(activity["tags"]) or None,
            "\n".join(a["name"] for a in activity["attachments"]) or None,
        ]
        _write_row(sheet, row, columns, values)
        rows.append(values)
    _fit_columns(sheet, columns, rows)
    sheet.freeze_panes = "A2"
    last = max(len(activities) + 1, 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook_bytes(report: dict[str, Any], activities: list[dict[str, Any]]) -> bytes:
    """The workbook for a year: the report's figures and every activity, as .xlsx bytes."""
    openpyxl = _openpyxl()
    book = openpyxl.Workbook()
    book.properties.title = report["title"]
    book.properties.creator = "wmcj"
    _overview(book, report)
    titles = {t["id"]: t["title"] for area in report["areas"] for t in area["tasks"]}
    _ledger(book, activities, titles)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
