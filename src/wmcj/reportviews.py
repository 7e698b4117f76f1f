"""How the progress report and the weekly summary look: Rich, Markdown, CSV and plain text.

The services (``wmcj.report``, ``wmcj.summary``) hand over plain data; this module
only lays it out. Rich is imported inside the functions that draw with it, so the
plain e-mail text of the summary never loads it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wmcj.i18n import _, language
from wmcj.render import Column, emit, md_escape, to_csv, to_markdown

if TYPE_CHECKING:
    from rich.box import Box
    from rich.console import Console, RenderableType
    from rich.text import Text

#: Rich styles of the status words: red needs action, green is finished, dim has not begun.
STATUS_STYLES: dict[str, str] = {
    "done": "green",
    "met": "cyan",
    "overdue": "bold red",
    "in-progress": "yellow",
    "not-started": "dim",
}
#: A period's or day's outcome as one character: reached, fell short, still open.
OUTCOME_MARKS: dict[str, str] = {"met": "✓", "short": "✗", "open": "·"}
OUTCOME_STYLES: dict[str, str] = {"met": "green", "short": "red", "open": "dim"}
#: Beyond this many periods (weekly tasks) the marks are summed up instead of listed.
MAX_MARKS = 12
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Width of the plain text underline and the default width of files written with --out.
FILE_WIDTH = 120


#: Words looked up per language once: a report of 200 tasks asks for thousands of them.
_WORDS: dict[tuple[str, str], dict[str, str]] = {}


def _words(kind: str) -> dict[str, str]:
    key = (kind, language())
    words = _WORDS.get(key)
    if words is None:
        if kind == "status":
            words = {
                "done": _("done"),
                "met": _("met"),
                "overdue": _("overdue"),
                "in-progress": _("in-progress"),
                "not-started": _("not-started"),
            }
        else:
            words = {
                "Q1": _("Q1"),
                "Q2": _("Q2"),
                "Q3": _("Q3"),
                "Q4": _("Q4"),
                "H1": _("H1"),
                "H2": _("H2"),
                "Y": _("Y"),
            }
        _WORDS[key] = words
    return words


def status_label(status: str) -> str:
    """A status word in the user's language (已完成, 已达标, 已逾期, 进行中, 未开始)."""
    return _words("status").get(status, status)


class _StatusLabels(Mapping[str, str]):
    """Status key → its word in the current language, looked up at use (the language is
    chosen after import): ``STATUS_LABELS["overdue"]`` is 已逾期 in Chinese.
    """

    def __getitem__(self, key: str) -> str:
        if key not in STATUS_STYLES:
            raise KeyError(key)
        return status_label(key)

    def __iter__(self) -> Iterator[str]:
        return iter(STATUS_STYLES)

    def __len__(self) -> int:
        return len(STATUS_STYLES)


STATUS_LABELS: Mapping[str, str] = _StatusLabels()


def kind_label(kind: str | None) -> str:
    return _("key work") if kind == "key-work" else _("safeguard")


def percent(fraction: float) -> str:
    """A fraction 0–1 as a percentage with one decimal: ``43.0%``."""
    return f"{fraction * 100:.1f}%"


def progress_bar(fraction: float, width: int = 10) -> str:
    """``██████░░░░``: rounded down, so only a finished task shows a full bar."""
    filled = width if fraction >= 1 else min(width - 1, math.floor(max(fraction, 0) * width))
    return "█" * filled + "░" * (width - filled)


def short_date(day: date | str | None) -> str:
    """``MM-DD``: reports are about one year, the year is in the heading."""
    if day is None:
        return ""
    text = day.isoformat() if isinstance(day, date) else str(day)
    return text[5:] if len(text) == 10 else text


def weekday(day: date) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return names[day.weekday()]


def period_label(label: str) -> str:
    """``Q1``/``M04``/``H2``/``W15``/``Y``, or their Chinese forms (一季度, 4月, 下半年…)."""
    fixed = _words("period")
    if label in fixed:
        return fixed[label]
    if len(label) == 3 and label[0] == "M" and label[1:].isdigit():
        return _("M{n:02d}").format(n=int(label[1:]))
    if len(label) == 3 and label[0] == "W" and label[1:].isdigit():
        return _("W{n:02d}").format(n=int(label[1:]))
    return label


def day_label(key: str, name: str | None) -> str:
    """A named day as written by the plan; a built-in keeps its English name in English."""
    from wmcj.namedays import BUILTIN_NAMES, BUILTIN_NAMES_EN

    if language() == "en" and key in BUILTIN_NAMES_EN and name in (None, BUILTIN_NAMES[key]):
        return BUILTIN_NAMES_EN[key]
    if name and name != key:
        return name
    return short_date(key) if _ISO_DATE.fullmatch(key) else key


def _period_name(task: dict[str, Any], period: dict[str, Any]) -> str:
    if task.get("every"):
        return period_label(period["label"])
    return day_label(period["label"], period.get("name"))


def marks(task: dict[str, Any]) -> list[tuple[str, str]]:
    """(text, outcome) per period or day: ``Q1✓``, ``清明节✗``, ``M05·``; summed for weeks."""
    periods = task.get("periods") or []
    if len(periods) > MAX_MARKS:
        totals = {"met": 0, "short": 0, "open": 0}
        for period in periods:
            totals[period["outcome"]] += 1
        return [(f"{OUTCOME_MARKS[o]}{n}", o) for o, n in totals.items() if n]
    return [(_period_name(task, p) + OUTCOME_MARKS[p["outcome"]], p["outcome"]) for p in periods]


def count_text(task: dict[str, Any]) -> str:
    """``3/20 项`` for a plain task; the period or day marks for a recurring one."""
    found = marks(task)
    if found:
        return " ".join(text for text, _outcome in found)
    unit = f" {task['unit']}" if task.get("unit") else ""
    return f"{task['count']}/{task['target']}{unit}"


def undocumented_text(task: dict[str, Any]) -> str:
    if not task.get("undocumented"):
        return ""
    return _("{n} without the required evidence").format(n=task["undocumented"])


def due_text(task: dict[str, Any]) -> str:
    """The deadline, except the implied year end of a recurring task (its marks say more)."""
    due = task.get("due")
    if due is None or (task.get("every") and short_date(due) == "12-31"):
        return ""
    return short_date(due)


def area_heading(number: int, area: dict[str, Any]) -> str:
    return _("{number}. {title} ({kind}) — progress {progress}").format(
        number=number,
        title=area["title"],
        kind=kind_label(area["kind"]),
        progress=percent(area["progress"]),
    )


def report_heading(data: dict[str, Any]) -> str:
    return _("{title} — progress as of {day}").format(title=data["title"], day=data["as_of"])


def counts_text(counts: dict[str, int]) -> str:
    return "  ".join(f"{status_label(s)} {n}" for s, n in counts.items())


def overdue_reason(entry: dict[str, Any]) -> str:
    """Why a task is overdue: the periods or days that fell short, else its passed deadline."""
    if entry.get("short"):
        names = "、".join(
            period_label(p["label"]) if not p.get("name") else day_label(p["label"], p["name"])
            for p in entry["short"]
        )
        return _("fell short: {periods}").format(periods=names)
    return _("deadline {day} passed").format(day=short_date(entry.get("due")))


def overdue_text(entry: dict[str, Any]) -> str:
    return f"{entry['id']}  {entry['title']} — {overdue_reason(entry)}"


def upcoming_text(entry: dict[str, Any]) -> str:
    """``04-26 周四  世界知识产权日  [ip-day-events]``; a span shows its last day too."""
    day: date = entry["date"]
    when = f"{short_date(day)} {weekday(day)}"
    if entry.get("until"):
        when += f" – {short_date(entry['until'])}"
    if entry["what"] == "due":
        name = _("due: {title}").format(title=entry.get("name") or "")
    else:
        name = day_label(entry["what"] if entry["what"] != "date" else str(day), entry.get("name"))
    tasks = f"  [{', '.join(entry['tasks'])}]" if entry.get("tasks") else ""
    return f"{when}  {name}{tasks}"


def upcoming_heading(after: date) -> str:
    """``Next 14 days (04-16 – 04-29)``: the days after the as-of day that ``upcoming`` covers."""
    from datetime import timedelta

    from wmcj.report import UPCOMING_DAYS

    return _("Next {days} days ({first} – {last})").format(
        days=UPCOMING_DAYS,
        first=short_date(after + timedelta(days=1)),
        last=short_date(after + timedelta(days=UPCOMING_DAYS)),
    )


# -- the report ---------------------------------------------------------------


def _task_columns() -> list[Column]:
    return [
        Column("id", _("ID")),
        Column("title", _("Task")),
        Column("owner", _("Owner")),
        Column("due", _("Due"), no_wrap=True),
        Column("progress", _("Progress"), justify="right", no_wrap=True),
        Column("count", _("Count / periods")),
        Column("status", _("Status"), no_wrap=True),
    ]


def _box(plain: bool) -> Box:
    from rich import box

    return box.ASCII2 if plain else box.ROUNDED


def _bar_width(console_width: int) -> int:
    """The bar shrinks on narrow screens and gives way to the bare percentage below 100."""
    if console_width >= 120:
        return 10
    return 6 if console_width >= 100 else 0


def _marks_cell(task: dict[str, Any]) -> Text:
    from rich.text import Text

    found = marks(task)
    if not found:
        cell = Text(count_text(task))
    else:
        cell = Text()
        for index, (text, outcome) in enumerate(found):
            if index:
                cell.append(" ")
            cell.append(text, style=OUTCOME_STYLES[outcome])
    note = undocumented_text(task)
    if note:
        cell.append(f"\n{note}", style="yellow")
    return cell


def area_table(area: dict[str, Any], *, plain: bool, width: int) -> RenderableType:
    """One area's tasks. The id sits above the title in one column, so the Chinese title
    gets the room; every cell wraps except the bar, the date and the status word.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(box=_box(plain), show_edge=True, expand=False)
    table.add_column(_("Task"), overflow="fold")
    table.add_column(_("Owner"), overflow="fold", max_width=max(8, width // 8))
    table.add_column(_("Due"), no_wrap=True)
    table.add_column(_("Progress"), justify="right", no_wrap=True)
    table.add_column(_("Count / periods"), overflow="fold", max_width=max(12, width // 5))
    table.add_column(_("Status"), no_wrap=True)
    bar = _bar_width(width)
    for task in area["tasks"]:
        progress = percent(task["progress"])
        table.add_row(
            Text(task["id"], style="bold") + Text("\n") + Text(task["title"]),
            Text(task["owner"] or ""),
            Text(due_text(task)),
            Text(f"{progress_bar(task['progress'], bar)} {progress:>6}" if bar else progress),
            _marks_cell(task),
            Text(status_label(task["status"]), style=STATUS_STYLES[task["status"]]),
        )
    return table


def _summary_panel(data: dict[str, Any], *, plain: bool, width: int) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    bar = progress_bar(data["progress"], _bar_width(width) or 10)
    grid.add_row(_("Plan progress"), f"{bar} {percent(data['progress'])}")
    grid.add_row(_("Score"), f"{data['score']:.1f}")
    counts = Text()
    for index, (status, n) in enumerate(data["status_counts"].items()):
        if index:
            counts.append("  ")
        counts.append(f"{status_label(status)} {n}", style=STATUS_STYLES[status] if n else "dim")
    grid.add_row(_("Tasks by status"), counts)
    parts: list[Any] = [grid, Text("")]
    parts.append(Text(_("Overdue ({n})").format(n=len(data["overdue"])), style="bold red"))
    parts += [Text(f"- {overdue_text(e)}") for e in data["overdue"]] or [Text(_("none"))]
    parts.append(Text(""))
    parts.append(Text(upcoming_heading(data["as_of"]), style="bold"))
    parts += [Text(f"- {upcoming_text(e)}") for e in data["upcoming"]] or [Text(_("none"))]
    return Panel(
        Group(*parts),
        title=_("Summary"),
        title_align="left",
        box=_box(plain),
        expand=False,
    )


def report_text(data: dict[str, Any], width: int = FILE_WIDTH) -> str:
    """The report as plain text, for pipes, files and mail."""
    return render_to_text(report_renderable(data, plain=True, width=width), width)


def report_renderable(data: dict[str, Any], *, plain: bool, width: int) -> RenderableType:
    """The whole report: a heading, one table per area, the summary panel."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [Text(report_heading(data), style="bold"), Text(data["unit"])]
    for number, area in enumerate(data["areas"], start=1):
        parts.append(Text(""))
        parts.append(Text(area_heading(number, area), style="bold"))
        parts.append(area_table(area, plain=plain, width=width))
    parts.append(Text(""))
    parts.append(_summary_panel(data, plain=plain, width=width))
    return Group(*parts)


def _report_rows(data: dict[str, Any]) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    for area in data["areas"]:
        for task in area["tasks"]:
            yield area, task


def report_markdown(data: dict[str, Any]) -> str:
    """Pipe tables per area and the summary as a list: for pasting into WeChat or e-mail."""
    lines = [f"# {md_escape(report_heading(data))}", "", md_escape(data["unit"]), ""]
    columns = _task_columns()
    for number, area in enumerate(data["areas"], start=1):
        lines += [f"## {md_escape(area_heading(number, area))}", ""]
        rows = [
            {
                "id": task["id"],
                "title": task["title"],
                "owner": task["owner"],
                "due": due_text(task),
                "progress": percent(task["progress"]),
                "count": " ".join(filter(None, (count_text(task), undocumented_text(task)))),
                "status": status_label(task["status"]),
            }
            for task in area["tasks"]
        ]
        lines.append(to_markdown(columns, rows))
    lines += [f"## {md_escape(_('Summary'))}", ""]
    lines.append(f"- {_('Plan progress')}: {percent(data['progress'])}")
    lines.append(f"- {_('Score')}: {data['score']:.1f}")
    lines.append(
        "- " + _("Tasks by status: {counts}").format(counts=counts_text(data["status_counts"]))
    )
    lines.append(f"- {_('Overdue ({n})').format(n=len(data['overdue']))}:")
    lines += [f"  - {md_escape(overdue_text(e))}" for e in data["overdue"]] or [f"  - {_('none')}"]
    lines.append(f"- {md_escape(upcoming_heading(data['as_of']))}:")
    lines += [f"  - {md_escape(upcoming_text(e))}" for e in data["upcoming"]] or [
        f"  - {_('none')}"
    ]
    return "\n".join(lines) + "\n"


def report_csv(data: dict[str, Any]) -> str:
    """One row per task with its area and figures; UTF-8 with a BOM so Excel shows Chinese."""
    columns = [
        Column("area", _("Area")),
        Column("area_title", _("Area title")),
        Column("kind", _("Kind")),
        Column("id", _("ID")),
        Column("title", _("Task")),
        Column("owner", _("Owner")),
        Column("due", _("Due")),
        Column("weight", _("Weight")),
        Column("count", _("Count")),
        Column("target", _("Target count")),
        Column("unit", _("Unit of count")),
        Column("periods", _("Periods")),
        Column("progress", _("Progress (%)")),
        Column("undocumented", _("Undocumented")),
        Column("status", _("Status")),
        Column("done_on", _("Done on")),
    ]
    rows = [
        {
            "area": area["id"],
            "area_title": area["title"],
            "kind": kind_label(area["kind"]),
            "id": task["id"],
            "title": task["title"],
            "owner": task["owner"],
            "due": task["due"],
            "weight": task["weight"],
            "count": task["count"],
            "target": task["target"],
            "unit": task["unit"],
            "periods": " ".join(text for text, _outcome in marks(task)),
            "progress": f"{task['progress'] * 100:.1f}",
            "undocumented": task["undocumented"],
            "status": status_label(task["status"]),
            "done_on": task["done_on"],
        }
        for area, task in _report_rows(data)
    ]
    return to_csv(columns, rows)


def render_to_text(renderable: RenderableType, width: int = FILE_WIDTH) -> str:
    """A Rich renderable as plain text: no escapes, for files and pipes."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(
        file=buffer, width=width, no_color=True, color_system=None, emoji=False, highlight=False
    ).print(renderable)
    return buffer.getvalue()


def _screen() -> Console:
    from wmcj.render import console

    return console()


def print_report(data: dict[str, Any], fmt: str, out: Path | None) -> None:
    """The report in one of the four formats, on the screen or into ``--out``."""
    from wmcj.render import colour_allowed, plain_width, to_json

    if fmt == "json":
        emit(to_json(data), out)
    elif fmt == "csv":
        emit(report_csv(data), out)
    elif fmt == "markdown":
        emit(report_markdown(data), out)
    elif out is not None:
        emit(report_text(data, FILE_WIDTH), out)
    elif not colour_allowed():
        emit(report_text(data, plain_width()), None)
    else:
        screen = _screen()
        plain = not screen.is_terminal
        screen.print(report_renderable(data, plain=plain, width=screen.width))


# -- the weekly summary ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the summary: its role decides how each format draws it."""

    kind: str  # title, text, heading, subheading, item, blank
    text: str = ""
    style: str | None = None


def summary_lines(data: dict[str, Any]) -> list[Line]:
    """The summary as a list of lines, the one source of its text, Markdown and Rich forms."""
    first: date = data["from"]
    last: date = data["to"]
    lines = [
        Line(
            "title",
            _("Weekly summary {week}: {first} – {last}").format(
                week=data["week"], first=first, last=last
            ),
        ),
        Line("text", f"{data['unit']} — {data['title']}"),
        Line(
            "text",
            _("Overall progress on {day}: {progress} ({change} points since {before})").format(
                day=last,
                progress=percent(data["progress"]),
                change=f"{data['progress_change'] * 100:+.1f}",
                before=short_date(date.fromordinal(last.toordinal() - 7)),
            ),
        ),
        Line(
            "text", _("Tasks by status: {counts}").format(counts=counts_text(data["status_counts"]))
        ),
        Line("blank"),
        Line("heading", _("Activities this week ({n})").format(n=len(data["activities"]))),
    ]
    activities = {a["id"]: a for a in data["activities"]}
    for group in data["areas"]:
        if group["id"] is None:
            title = _("Not linked to a task")
        else:
            title = _("{title} ({kind})").format(
                title=group["title"], kind=kind_label(group["kind"])
            )
        lines.append(Line("subheading", title))
        for activity_id in group["activities"]:
            activity = activities[activity_id]
            day: date = activity["date"]
            tasks = f"  [{', '.join(activity['tasks'])}]" if activity["tasks"] else ""
            lines.append(
                Line("item", f"{short_date(day)} {weekday(day)}  {activity['title']}{tasks}")
            )
    if not data["activities"]:
        lines.append(Line("item", _("no activities recorded this week")))
    lines += [
        Line("blank"),
        Line("heading", _("Marked done this week ({n})").format(n=len(data["done"]))),
    ]
    for done in data["done"]:
        day = done["date"]
        lines.append(
            Line(
                "item",
                f"{short_date(day)} {weekday(day)}  {done['id']}  {done['title']}",
                STATUS_STYLES["done"],
            )
        )
    if not data["done"]:
        lines.append(Line("item", _("none")))
    lines += [
        Line("blank"),
        Line(
            "heading",
            _("Overdue on {day} ({n})").format(day=short_date(last), n=len(data["overdue"])),
        ),
    ]
    lines += [Line("item", overdue_text(e), "red") for e in data["overdue"]] or [
        Line("item", _("none"))
    ]
    lines += [Line("blank"), Line("heading", upcoming_heading(last))]
    lines += [Line("item", upcoming_text(e)) for e in data["upcoming"]] or [Line("item", _("none"))]
    return lines


def display_width(text: str) -> int:
    """Terminal cells a line takes: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def summary_plain(data: dict[str, Any]) -> str:
    """E-mail-ready text: no escapes, no box drawing, headings underlined with ASCII."""
    out: list[str] = []
    indent = ""  # items under an area's name are indented below it
    for line in summary_lines(data):
        if line.kind == "title":
            out += [line.text, "=" * display_width(line.text)]
        elif line.kind == "heading":
            out += [line.text, "-" * display_width(line.text)]
            indent = ""
        elif line.kind == "subheading":
            out.append(line.text)
            indent = "  "
        elif line.kind == "item":
            out.append(f"{indent}- {line.text}")
        else:
            out.append(line.text)
    return "\n".join(out) + "\n"


def summary_markdown(data: dict[str, Any]) -> str:
    """Headings and bullet lists, for a WeChat message, an e-mail or a wiki page."""
    prefix = {"title": "# ", "heading": "## ", "subheading": "### ", "item": "- "}
    out: list[str] = []
    for line in summary_lines(data):
        if line.kind in ("title", "heading", "subheading") and out and out[-1] != "":
            out.append("")
        out.append(prefix.get(line.kind, "") + md_escape(line.text) if line.text else "")
        if line.kind in ("title", "heading", "subheading"):
            out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n") + "\n"


def summary_renderable(data: dict[str, Any]) -> RenderableType:
    """The summary for a terminal: the same lines, with bold headings and coloured items."""
    from rich.console import Group
    from rich.text import Text

    styles = {"title": "bold", "heading": "bold cyan", "subheading": "bold"}
    parts = []
    indent = ""
    for line in summary_lines(data):
        if line.kind == "item":
            parts.append(Text(f"{indent}- ") + Text(line.text, style=line.style or ""))
        else:
            parts.append(Text(line.text, style=styles.get(line.kind, "")))
            indent = "  " if line.kind == "subheading" else ""
    return Group(*parts)


def print_summary(data: dict[str, Any], fmt: str, out: Path | None) -> None:
    """The summary as text (Rich on a terminal, plain otherwise), Markdown or JSON."""
    import sys

    from wmcj.render import colour_allowed, to_json

    if fmt == "json":
        emit(to_json(data), out)
    elif fmt == "markdown":
        emit(summary_markdown(data), out)
    elif out is None and colour_allowed(sys.stdout):
        _screen().print(summary_renderable(data))
    else:
        emit(summary_plain(data), out)


def summary_subject(data: dict[str, Any]) -> str:
    """The mail subject and robot title: ``【文明创建周报】2018-W15 某县科学技术局``."""
    return _("[Weekly summary] {week} {unit}").format(week=data["week"], unit=data["unit"])


def summary_html(data: dict[str, Any]) -> str:
    """The summary as a small HTML page, the rich alternative of the summary mail."""
    from html import escape

    tags = {"title": "h1", "heading": "h2", "subheading": "h3"}
    colours = {"red": "#c0392b", "bold red": "#c0392b", "green": "#1e8449"}
    body: list[str] = []
    in_list = False
    for line in summary_lines(data):
        if line.kind == "item":
            if not in_list:
                body.append("<ul>")
                in_list = True
            colour = colours.get(line.style or "")
            style = f' style="color:{colour}"' if colour else ""
            body.append(f"<li{style}>{escape(line.text)}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.kind in tags:
            body.append(f"<{tags[line.kind]}>{escape(line.text)}</{tags[line.kind]}>")
        elif line.text:
            body.append(f"<p>{escape(line.text)}</p>")
    if in_list:
        body.append("</ul>")
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        f"<title>{escape(summary_subject(data))}</title></head>\n"
        '<body style="font-family:sans-serif">\n' + "\n".join(body) + "\n</body>\n</html>\n"
    )
