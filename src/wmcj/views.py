"""Rich and Markdown views of plan outlines and schedules (the CLI's presentation of plans)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wmcj.i18n import _
from wmcj.render import Column, cell_text, console, emit, md_escape, render_text, to_csv


def every_word(every: str) -> str:
    """每周 / every week …: literal messages, so the catalogue check sees each one."""
    words = {
        "week": _("every week"),
        "month": _("every month"),
        "quarter": _("every quarter"),
        "half": _("every half-year"),
        "year": _("every year"),
    }
    return words[every]


def day_display(key: str, name: str) -> str:
    """A built-in day under its English name in English; a plan's own name as written."""
    from wmcj.i18n import language
    from wmcj.namedays import BUILTIN_NAMES, BUILTIN_NAMES_EN

    if language() == "en" and BUILTIN_NAMES.get(key) == name:
        return BUILTIN_NAMES_EN[key]
    return name


def schedule_text(task: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """How a task is scheduled, in a few words: 每季度 1 次 / 清明节、中秋节 ±7 天 / 截止 03-31."""
    names = names or {}
    unit = task.get("unit") or _("times")
    parts: list[str] = []
    if task.get("every"):
        parts.append(
            _("{every}: {target} {unit}").format(
                every=every_word(task["every"]), target=task["target"], unit=unit
            )
        )
        if task.get("start"):
            parts.append(_("from {day}").format(day=_short(task["start"])))
    elif task.get("on"):
        days = "、".join(day_display(k, names.get(k, k)) for k in task["on"])
        parts.append(_("{days} ±{window} days").format(days=days, window=task.get("window", 7)))
        if task["target"] != 1:
            parts.append(_("{target} {unit} each").format(target=task["target"], unit=unit))
    elif task["target"] != 1 or task.get("unit"):
        parts.append(f"{task['target']} {unit}")
    if task.get("due"):
        parts.append(_("due {day}").format(day=_short(task["due"])))
    return "；".join(parts) if parts else "—"


def _short(day: Any) -> str:
    return cell_text(day)[5:] if len(cell_text(day)) == 10 else cell_text(day)


def _outline_columns() -> list[Column]:
    return [
        Column("id", _("Task"), no_wrap=True),
        Column("title", _("Title")),
        Column("owner", _("Owner")),
        Column("schedule", _("Schedule")),
        Column("weight", _("Weight"), justify="right"),
    ]


def _outline_rows(area: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{**t, "schedule": schedule_text(t, names)} for t in area["tasks"] if not t["retired"]]


def _kind(kind: str) -> str:
    return _("key work") if kind == "key-work" else _("safeguard")


def print_plan_outline(outline: dict[str, Any], out: Path | None) -> None:
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text

    from wmcj.render import rich_table

    names = {d["key"]: d["name"] for d in outline["days"] if not d["builtin"]}
    names |= {
        d["key"]: d["name"] for d in outline["days"] if d["builtin"] and d["key"] not in names
    }
    parts: list[Any] = [
        Text(f"{outline['title']}（{outline['unit']}，{outline['year']}）", style="bold")
    ]
    for label, key in (
        (_("Target"), "target"),
        (_("Leading group"), "leader"),
        (_("Office"), "office"),
        (_("Guiding ideology"), "ideology"),
        (_("Goal"), "goal"),
    ):
        if outline.get(key):
            parts.append(Text(f"{label}：{outline[key]}"))
    for number, area in enumerate(a for a in outline["areas"] if not a["retired"]):
        rows = _outline_rows(area, names)
        if not rows:
            continue
        title = escape(f"{number + 1}. [{_kind(area['kind'])}] {area['title']}")
        parts.append(Text(""))
        parts.append(rich_table(_outline_columns(), rows, title=title))
    group = Group(*parts)
    if out is not None:
        emit(render_text(group), out)
    else:
        console().print(group)


def plan_outline_markdown(outline: dict[str, Any], csv: bool = False) -> str:
    names = {d["key"]: d["name"] for d in outline["days"]}
    columns = [Column("area", _("Area")), *_outline_columns()]
    if csv:
        rows = [
            {**row, "area": area["id"]}
            for area in outline["areas"]
            for row in _outline_rows(area, names)
        ]
        return to_csv(columns, rows)
    from wmcj.render import to_markdown

    lines = [
        f"# {md_escape(outline['title'])}",
        "",
        f"{_('Unit')}：{md_escape(outline['unit'])}",
        "",
    ]
    if outline.get("goal"):
        lines += [f"{_('Goal')}：{md_escape(outline['goal'])}", ""]
    for area in outline["areas"]:
        rows = _outline_rows(area, names)
        if area["retired"] or not rows:
            continue
        lines += [f"## {md_escape(area['title'])}（{_kind(area['kind'])}）", ""]
        lines.append(to_markdown(_outline_columns(), rows))
    return "\n".join(lines)
