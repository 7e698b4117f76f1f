"""Bringing in the ledger (台账) an office kept before wmcj: an Excel workbook or a CSV file.

Columns are found by their headings, in Chinese or English, wherever the heading row
sits (a merged title row and blank rows above it are common). Every row is checked
before anything is written: one bad row refuses the whole file, each problem named
with its row number as the spreadsheet shows it.

A row is already recorded when an activity with the same date, the same title (outer
spaces aside) and the same set of tasks exists in its plan: importing a file again,
or a file that overlaps an earlier one, adds only what is not there yet. Rows that
are identical within one file are separate activities (two WeChat posts on one day),
so they are matched one for one.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wmcj.activities import MAX_HOURS, MAX_PEOPLE, ActivityFields
from wmcj.errors import InputError, NotFound
from wmcj.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.attachments import StoreChanges
    from wmcj.models import Plan, Task

#: The heading row must be among the first rows of a sheet (titles and notes sit above it).
HEADER_SCAN_ROWS = 30
#: Problems listed before the rest are only counted.
MAX_PROBLEMS_SHOWN = 30
#: What the fields are called in ledgers, best match first. Compared after normalising:
#: full-width forms folded, case and spaces ignored, a trailing "(unit)" dropped.
HEADINGS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "活动日期", "时间", "活动时间", "date", "day"),
    "title": (
        "活动名称",
        "名称",
        "活动",
        "活动主题",
        "主题",
        "标题",
        "activity title",
        "title",
        "activity",
        "name",
    ),
    "tasks": (
        "任务",
        "任务id",
        "任务编号",
        "对应任务",
        "所属任务",
        "计划任务",
        "任务名称",
        "tasks",
        "task",
        "task id",
    ),
    "people": ("参加人数", "人数", "参与人数", "参会人数", "people", "number of people"),
    "who": ("参加人员", "参与人员", "参会人员", "人员", "who", "participants"),
    "hours": ("时长", "用时", "小时", "hours", "duration"),
    "place": ("地点", "活动地点", "场所", "place", "location"),
    "note": ("备注", "说明", "活动内容", "内容", "remarks", "note", "notes"),
    "tags": ("标签", "tags", "tag"),
    "attachments": ("附件", "佐证材料", "attachments", "attachment", "files"),
}
REQUIRED = ("date", "title", "tasks")
#: How a missing required column is named in messages: the headings people write.
_FIELD_NAMES = {"date": "日期 (date)", "title": "活动名称 (title)", "tasks": "任务 (task)"}

#: Several tasks, names or tags in one cell: 、 , ， ; ； or new lines.
_LIST_SEPARATORS = re.compile(r"([、,，;；\r\n]+)")
#: File names may hold commas: attachments are one per line, or separated by ; ； 、.
_FILE_SEPARATORS = re.compile(r"[;；、\r\n]+")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_UNIT_SUFFIX = re.compile(r"\(.*\)$")
_PEOPLE_UNITS = ("人次", "人", "名")
_HOURS_UNITS = ("小时", "hours", "hour", "hrs", "h")


def _normalise(heading: Any) -> str:
    """A heading as compared: ``时长（小时）`` → ``时长``, ``Task ID`` → ``taskid``."""
    text = unicodedata.normalize("NFKC", str(heading or "")).strip().lower()
    text = re.sub(r"[\s*＊:：]+", "", text)
    return _UNIT_SUFFIX.sub("", text) if not text.startswith("(") else text


_ALIASES: dict[str, tuple[str, int]] = {}
for _field, _names in HEADINGS.items():
    for _rank, _name in enumerate(_names):
        _ALIASES.setdefault(_normalise(_name), (_field, _rank))


# -- the result -------------------------------------------------------------------------


@dataclass
class LedgerRow:
    """One row of the ledger, checked: what it records and whether it is new."""

    row: int
    fields: ActivityFields
    recorded: bool = False
    number: int | None = None


@dataclass
class ImportResult:
    """What an import found and did, for the user and for tests."""

    file: str
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    ignored: list[str]
    rows: list[LedgerRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def new(self) -> list[LedgerRow]:
        return [r for r in self.rows if not r.recorded]

    @property
    def recorded(self) -> list[LedgerRow]:
        return [r for r in self.rows if r.recorded]


# -- reading the file -------------------------------------------------------------------


@dataclass
class _Sheet:
    """The cells of one sheet (or a CSV file), rows numbered as a spreadsheet shows them."""

    name: str | None
    rows: list[tuple[int, tuple[Any, ...]]]


def decode_text(raw: bytes, filename: str) -> str:
    """CSV from Excel or WPS: UTF-8 with or without a BOM, UTF-16 with a BOM, or GBK."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        raise InputError(_("{file}: not a text file").format(file=filename))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            _("{file}: the text is neither UTF-8 nor GBK; save it as UTF-8 and try again").format(
                file=filename
            )
        ) from None


def _csv_sheet(path: Path) -> list[_Sheet]:
    text = decode_text(_read_bytes(path), path.name)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        # Numbered by record, not by line: a cell with a line break is still one row in Excel.
        rows = [(number, tuple(cells)) for number, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise InputError(
            _("{file}: not a readable CSV file ({reason})").format(file=path.name, reason=exc)
        ) from None
    return [_Sheet(None, rows)]


def _xlsx_sheets(path: Path) -> list[_Sheet]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise _no_openpyxl() from None

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            _("{file}: cannot read it as an Excel workbook ({reason})").format(
                file=path.name, reason=exc or type(exc).__name__
            )
        ) from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = [
                (number, tuple(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            sheets.append(_Sheet(sheet.title, rows))
    finally:
        book.close()
    # The activity ledger first, whatever its place in the workbook.
    return sorted(
        sheets, key=lambda s: not re.search(r"台账|活动|ledger|activit", s.name or "", re.I)
    )


def _no_openpyxl() -> Exception:
    from wmcj.errors import RuntimeFailure

    return RuntimeFailure(
        _("Excel support (openpyxl) is not installed; reinstall wmcj: pip install wmcj")
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None


def read_sheets(path: Path) -> list[_Sheet]:
    """The sheets of a ledger file, by its extension."""
    if path.is_dir():
        raise InputError(_("{path} is a folder; give the ledger file").format(path=path))
    if not path.exists():
        raise InputError(_("no such file: {path}").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheets(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_sheet(path)
    if suffix in (".xls", ".et", ".wps"):
        raise InputError(
            _(
                "{file} is an old-style workbook; open it in Excel or WPS, save it as .xlsx"
                " (or CSV) and import that"
            ).format(file=path.name)
        )
    raise InputError(
        _("{file}: import reads .xlsx and .csv files, not '{suffix}'").format(
            file=path.name, suffix=suffix or path.name
        )
    )


# -- finding the columns ----------------------------------------------------------------


@dataclass
class _Layout:
    sheet: _Sheet
    header_row: int
    columns: dict[str, int]
    headings: dict[str, str]
    ignored: list[str]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _match_header(cells: Sequence[Any]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Which column holds which field: the best-ranked heading wins, the first if tied."""
    best: dict[str, tuple[int, int]] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        hit = _ALIASES.get(_normalise(cell))
        if hit is None:
            continue
        name, rank = hit
        if name not in best or rank < best[name][0]:
            best[name] = (rank, index)
            names[name] = str(cell).strip()
    columns = {name: index for name, (_rank, index) in best.items()}
    used = set(columns.values())
    ignored = [
        str(cell).strip() for i, cell in enumerate(cells) if not _blank(cell) and i not in used
    ]
    return columns, names, ignored


def find_layout(sheets: list[_Sheet], filename: str) -> _Layout:
    """The first sheet with a heading row naming a date, a title and a task column."""
    partial: tuple[int, _Sheet, int, list[str]] | None = None
    for sheet in sheets:
        for number, cells in sheet.rows[:HEADER_SCAN_ROWS]:
            columns, names, ignored = _match_header(cells)
            if all(name in columns for name in REQUIRED):
                return _Layout(sheet, number, columns, names, ignored)
            missing = [name for name in REQUIRED if name not in columns]
            if len(columns) >= 2 and (partial is None or len(columns) > partial[0]):
                partial = (len(columns), sheet, number, missing)
    if partial is not None:
        _count, sheet, number, missing = partial
        where = f" ({sheet.name})" if sheet.name else ""
        raise InputError(
            _(
                "{file}{where}: the heading row {row} has no column for {fields}; name it as in"
                " 日期, 活动名称, 任务 (or date, title, task)"
            ).format(
                file=filename,
                where=where,
                row=number,
                fields=", ".join(_FIELD_NAMES[m] for m in missing),
            )
        )
    raise InputError(
        _(
            "{file}: no heading row found in the first {rows} rows; the ledger needs columns"
            " named 日期, 活动名称 and 任务 (or date, title, task)"
        ).format(file=filename, rows=HEADER_SCAN_ROWS)
    )


# -- checking the cells -----------------------------------------------------------------


class _Problem(Exception):
    """One thing wrong with one cell; gathered, never raised to the user as such."""


def _text(value: Any) -> str:
    """A cell as text: 12.0 → "12", a date → ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_cell_date(value: Any, heading: str) -> date:
    """A real date cell, or text like 2018-04-26, 2018/4/26, 2018.4.26, 2018年4月26日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).strip()
    match = _DATE.fullmatch(text)
    if not match:
        raise _Problem(
            _("{column} '{value}' is not a date; write it as 2018-04-26").format(
                column=heading, value=text
            )
        )
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _Problem(
            _("{column} '{value}' is not a real date").format(column=heading, value=text)
        ) from None


def _strip_unit(text: str, units: Iterable[str]) -> str:
    lowered = text.lower()
    for unit in units:
        if lowered.endswith(unit):
            return text[: -len(unit)].strip()
    return text


def parse_cell_people(value: Any, heading: str) -> int | None:
    """A whole number ≥ 0; ``30人`` is read as 30."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise _Problem(_("{column} '{value}' is not a number").format(column=heading, value=value))
    if isinstance(value, int | float):
        number: float = value
    else:
        text = _strip_unit(str(value).strip(), _PEOPLE_UNITS)
        try:
            number = float(text)
        except ValueError:
            raise _Problem(
                _("{column} '{value}' is not a whole number").format(column=heading, value=value)
            ) from None
    if not math.isfinite(number) or not float(number).is_integer():
        raise _Problem(
            _("{column} '{value}' is not a whole number").format(column=heading, value=_text(value))
        )
    if number < 0:
        raise _Problem(
            _("{column} {value} is negative; give how many took part").format(
                column=heading, value=int(number)
            )
        )
    if number > MAX_PEOPLE:
        raise _Problem(
            _("{column} {value} is more than {limit}; check the figure").format(
                column=heading, value=int(number), limit=f"{MAX_PEOPLE:,}"
            )
        )
    return int(number)


def parse_cell_hours(value: Any, heading: str) -> float | None:
    """Hours ≥ 0, decimals allowed; ``2小时`` is read as 2."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise _Problem(_("{column} '{value}' is not a number").format(column=heading, value=value))
    if isinstance(value, int | float):
        hours = float(value)
    else:
        text = _strip_unit(str(value).strip(), _HOURS_UNITS)
        try:
            hours = float(text)
        except ValueError:
            raise _Problem(
                _("{column} '{value}' is not a number").format(column=heading, value=value)
            ) from None
    if not math.isfinite(hours) or hours < 0:
        raise _Problem(
            _("{column} '{value}' must be a number of 0 or more").format(
                column=heading, value=_text(value)
            )
        )
    if hours > MAX_HOURS:
        raise _Problem(
            _("{column} {value} is more than a year's hours; check the figure").format(
                column=heading, value=f"{hours:g}"
            )
        )
    return hours


def _names(value: Any) -> list[str]:
    """Names or tags from one cell, in order, each once."""
    found: list[str] = []
    for part in _LIST_SEPARATORS.split(_text(value)):
        name = part.strip()
        if name and not _LIST_SEPARATORS.fullmatch(part) and name not in found:
            found.append(name)
    return found


class _TaskIndex:
    """A plan's tasks by id and by exact title, for resolving what a ledger cell says."""

    def __init__(self, plan: Plan, tasks: Iterable[Task]) -> None:
        self.plan = plan
        self.by_key = {t.key: t for t in tasks}
        self.by_title: dict[str, list[Task]] = {}
        for task in self.by_key.values():
            self.by_title.setdefault(task.title.strip(), []).append(task)

    def one(self, word: str) -> Task | None:
        task = self.by_key.get(word)
        if task is not None:
            return task
        titled = [t for t in self.by_title.get(word, []) if not t.retired] or self.by_title.get(
            word, []
        )
        if len(titled) > 1:
            raise _Problem(
                _(
                    "several tasks in plan {year} are titled '{title}'; give the task id ({ids})"
                ).format(year=self.plan.year, title=word, ids=", ".join(t.key for t in titled))
            )
        return titled[0] if titled else None

    def hint(self, word: str) -> str:
        choices = {t.key: t.key for t in self.by_key.values() if not t.retired}
        choices.update({t.title: t.key for t in self.by_key.values() if not t.retired})
        close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
        if close:
            return _(" — did you mean '{choice}'?").format(choice=choices[close[0]])
        return _("; see the task ids with: wmcj plan show --year {year}").format(
            year=self.plan.year
        )

    def resolve(self, cell: Any) -> list[str]:
        """Task ids from a cell: ids or exact titles, separated by 、 , ; or new lines.

        A title may itself hold a separator (加强个人品德、家庭美德…建设): the longest run
        of pieces that is a title is taken first.
        """
        pieces = _LIST_SEPARATORS.split(_text(cell))
        words = pieces[0::2]
        keys: list[str] = []
        start = 0
        while start < len(words):
            if not words[start].strip():
                start += 1
                continue
            found: tuple[int, Task] | None = None
            for end in range(len(words), start, -1):
                text = "".join(pieces[2 * start : 2 * end - 1]).strip()
                task = self.one(text)
                if task is not None:
                    found = (end, task)
                    break
            if found is None:
                word = words[start].strip()
                raise _Problem(
                    _("no task '{key}' in plan {year}").format(key=word, year=self.plan.year)
                    + self.hint(word)
                )
            end, task = found
            if task.retired:
                raise _Problem(
                    _(
                        "task '{key}' is retired in plan {year}; activities can only be"
                        " recorded for live tasks"
                    ).format(key=task.key, year=self.plan.year)
                )
            if task.key not in keys:
                keys.append(task.key)
            start = end
        if not keys:
            raise _Problem(_("no task given; name the task it counts for (its id or title)"))
        return keys


def _attachments(value: Any, folder: Path) -> list[Path]:
    """Attached files named in a cell, found beside the ledger (or by full path)."""
    paths: list[Path] = []
    for part in _FILE_SEPARATORS.split(_text(value)):
        name = part.strip()
        if not name:
            continue
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = folder / path
        if not path.is_file():
            raise _Problem(
                _(
                    "attachment '{name}' is not in {folder}; put the files beside the ledger,"
                    " or empty the cell"
                ).format(name=name, folder=folder)
            )
        if path not in paths:
            paths.append(path)
    return paths


# -- the import -------------------------------------------------------------------------


def _plans(session: Session) -> dict[int, tuple[Plan, _TaskIndex]]:
    from sqlmodel import select

    from wmcj.models import Plan, Task

    plans = {p.id: p for p in session.exec(select(Plan))}
    tasks: dict[int, list[Task]] = {}
    for task in session.exec(select(Task)):
        tasks.setdefault(task.plan_id, []).append(task)
    return {p.year: (p, _TaskIndex(p, tasks.get(pid, []))) for pid, p in plans.items()}


def _cell(cells: tuple[Any, ...], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _check_row(
    cells: tuple[Any, ...],
    layout: _Layout,
    plans: dict[int, tuple[Plan, _TaskIndex]],
    folder: Path,
) -> ActivityFields:
    """One data row as an activity, or the first problem found in it."""
    columns, headings = layout.columns, layout.headings

    def cell(name: str) -> Any:
        return _cell(cells, columns.get(name))

    title = _text(cell("title")).strip()
    if not title:
        raise _Problem(
            _("the title ({column}) is empty; say in a few words what was done").format(
                column=headings["title"]
            )
        )
    raw_date = cell("date")
    if _blank(raw_date):
        raise _Problem(_("the date ({column}) is empty").format(column=headings["date"]))
    day = parse_cell_date(raw_date, headings["date"])
    if day.year not in plans:
        years = ", ".join(str(y) for y in sorted(plans))
        raise _Problem(
            _("{day} lies outside every loaded plan's year (loaded: {years})").format(
                day=day.isoformat(), years=years
            )
        )
    _plan, index = plans[day.year]
    if _blank(cell("tasks")):
        raise _Problem(
            _("no task given ({column}); name the task it counts for (its id or title)").format(
                column=headings["tasks"]
            )
        )
    tasks = index.resolve(cell("tasks"))
    people = parse_cell_people(cell("people"), headings.get("people", ""))
    hours = parse_cell_hours(cell("hours"), headings.get("hours", ""))
    place = _text(cell("place")).strip() or None
    note = _text(cell("note")).strip() or None
    attach = _attachments(cell("attachments"), folder) if "attachments" in columns else []
    return ActivityFields(
        title=title,
        date=day,
        tasks=tasks,
        people=people,
        who=_names(cell("who")),
        hours=hours,
        place=place,
        note=note,
        tags=_names(cell("tags")),
        attach=attach,
    )


def _data_rows(layout: _Layout) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, cells in layout.sheet.rows:
        if number > layout.header_row and not all(_blank(c) for c in cells):
            yield number, cells


def _recorded(session: Session, plan_ids: set[int]) -> Counter[tuple[date, str, frozenset[str]]]:
    """How many activities each (date, title, tasks) already has in these plans."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Task

    if not plan_ids:
        return Counter()
    activities = session.exec(
        select(Activity.id, Activity.date, Activity.title).where(
            Activity.plan_id.in_(plan_ids)  # type: ignore[attr-defined]
        )
    ).all()
    links: dict[int, set[str]] = {}
    for activity_id, key in session.exec(
        select(ActivityTask.activity_id, Task.key)
        .join(Task, Task.id == ActivityTask.task_id)
        .where(Task.plan_id.in_(plan_ids))  # type: ignore[attr-defined]
    ):
        links.setdefault(activity_id, set()).add(key)
    return Counter(
        (day, title.strip(), frozenset(links.get(activity_id, ())))
        for activity_id, day, title in activities
    )


def _refusal(filename: str, problems: list[tuple[int, str]]) -> InputError:
    lines = [
        _("{file} row {row}: {problem}").format(file=filename, row=row, problem=problem)
        for row, problem in problems[:MAX_PROBLEMS_SHOWN]
    ]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(_("… and {n} more problems").format(n=len(problems) - MAX_PROBLEMS_SHOWN))
    rows = len({row for row, _problem in problems})
    lines.append(
        _(
            "{file}: {n} row(s) have problems; nothing was imported (fix them and import again)"
        ).format(file=filename, n=rows)
    )
    return InputError("\n".join(lines))


def import_ledger(
    *,
    session: Session,
    files: StoreChanges | None,
    path: Path,
    dry_run: bool = False,
) -> ImportResult:
    """Check every row of the ledger at ``path``; unless ``dry_run``, record the new ones.

    Nothing is written if any row is wrong: the error lists every problem with its row.
    """
    from wmcj.activities import add_activity

    layout = find_layout(read_sheets(path), path.name)
    plans = _plans(session)
    if not plans:
        raise NotFound(_("no plan is loaded yet; load one with: wmcj plan load FILE"))
    folder = path.resolve().parent
    result = ImportResult(
        file=path.name,
        sheet=layout.sheet.name,
        header_row=layout.header_row,
        columns=dict(layout.headings),
        ignored=list(layout.ignored),
        dry_run=dry_run,
    )
    problems: list[tuple[int, str]] = []
    for number, cells in _data_rows(layout):
        try:
            result.rows.append(LedgerRow(number, _check_row(cells, layout, plans, folder)))
        except _Problem as problem:
            problems.append((number, str(problem)))
    if problems:
        raise _refusal(path.name, problems)
    if not result.rows:
        raise InputError(
            _("{file}: no activities below the heading row {row}; nothing to import").format(
                file=path.name, row=layout.header_row
            )
        )

    years = {r.fields.date.year for r in result.rows}
    existing = _recorded(session, {plans[y][0].id for y in years if plans[y][0].id is not None})
    for row in result.rows:
        key = (row.fields.date, row.fields.title, frozenset(row.fields.tasks))
        if existing[key] > 0:
            existing[key] -= 1
            row.recorded = True
    if dry_run:
        return result
    if files is None:
        raise ValueError("files is required unless dry_run")
    for row in result.new:
        row.number = add_activity(session=session, files=files, fields=row.fields)
    return result
