"""The 台账 (dossier) for inspectors: every item of the plan with its evidence, in plan order.

``dossier_data`` gathers plain data (the report's figures, every activity, which
activities lack the evidence their task asks for); ``write_dossier`` lays it out as
a folder or a zip file::

    index.html                               the plan, progress per area, what is missing
    01-加强组织领导/                            one folder per area, numbered in report order
      05-work-meetings/                      one per task, numbered in plan order
        2018-04-09-召开一季度创建工作会议/        one per activity counted for the task
          记录.html                            its record page
          01-合影1.jpg                         its attachments, beside the page

Every page is self-contained (inline CSS, no scripts, no fonts or images from the
network) and prints on A4, each area starting on a new page. An activity linked to
two tasks appears under both, as inspectors read the dossier task by task.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wmcj.errors import InputError, RuntimeFailure
from wmcj.i18n import _, language
from wmcj.reportviews import (
    OUTCOME_MARKS,
    day_label,
    kind_label,
    percent,
    period_label,
    short_date,
    status_label,
    weekday,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.attachments import Store

#: Marks an index.html as ours, so writing the dossier again may replace its folder.
GENERATOR = "wmcj dossier"
#: Longest piece of a title kept in a folder name (Windows paths stay short enough).
NAME_LIMIT = 30
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f#%]+')
_CLAUSE = re.compile(r"[,，;；:：]")


# -- gathering ----------------------------------------------------------------------------


def _evidence_rules(session: Session, plan_id: int) -> dict[str, dict[str, Any]]:
    """Per task id: its evidence rule and the start…due an ``every`` task counts within."""
    from sqlmodel import select

    from wmcj.models import Task

    rules = {}
    for task in session.exec(select(Task).where(Task.plan_id == plan_id)):
        rules[task.key] = {
            "photos": task.evidence_photos,
            "words": task.evidence_words,
            "files": task.evidence_files,
            "start": task.start,
            "due": task.due,
        }
    return rules


def shortfall(rule: dict[str, Any], activity: dict[str, Any]) -> list[dict[str, Any]]:
    """What ``activity`` lacks of the task's evidence rule: [{what, need, have}], empty if none."""
    lacking = []
    for what, have in (
        ("photos", activity["photos"]),
        ("words", activity["note_chars"]),
        ("files", activity["files"]),
    ):
        need = rule.get(what)
        if need is not None and have < need:
            lacking.append({"what": what, "need": need, "have": have})
    return lacking


def _counts_for(task: dict[str, Any], rule: dict[str, Any], day: date, as_of: date) -> bool:
    """Whether an activity of ``day`` counts for the task as of ``as_of`` (as progress counts)."""
    if day > as_of:
        return False
    if task["every"]:
        first = rule.get("start") or date(day.year, 1, 1)
        last = rule.get("due") or date(day.year, 12, 31)
        return first <= day <= last
    if task["on"]:
        return any(p["first"] <= day <= p["last"] for p in task["periods"])
    return True


def dossier_data(
    *, session: Session, store: Store, year: int | None, as_of: date
) -> dict[str, Any]:
    """Everything the dossier shows: the plan, the report as of ``as_of``, every activity."""
    from wmcj.activities import list_activities
    from wmcj.clock import today
    from wmcj.plans import find_plan
    from wmcj.report import report_data

    report = report_data(session=session, year=year, as_of=as_of)
    plan = find_plan(session, report["year"])
    assert plan.id is not None
    activities = list_activities(session=session, store=store, year=report["year"])
    rules = _evidence_rules(session, plan.id)
    live = {t["id"] for area in report["areas"] for t in area["tasks"]}
    by_task: dict[str, list[dict[str, Any]]] = {key: [] for key in live}
    for activity in activities:
        for key in activity["tasks"]:
            if key in by_task:
                by_task[key].append(activity)
    undocumented = []
    for area in report["areas"]:
        for task in area["tasks"]:
            rule = rules.get(task["id"], {})
            for activity in by_task[task["id"]]:
                if not _counts_for(task, rule, activity["date"], as_of):
                    continue
                lacking = shortfall(rule, activity)
                if lacking:
                    undocumented.append(
                        {"task": task["id"], "activity": activity["id"], "lacking": lacking}
                    )
    return {
        "plan": {
            "year": plan.year,
            "unit": plan.unit,
            "title": plan.title,
            "target": plan.target,
            "leader": plan.leader,
            "office": plan.office,
            "goal": plan.goal,
        },
        "as_of": as_of,
        "made_on": today(),
        "report": report,
        "activities": activities,
        "by_task": {key: [a["id"] for a in items] for key, items in by_task.items()},
        "evidence": {
            key: {k: rules[key][k] for k in ("photos", "words", "files")} for key in rules
        },
        "undocumented": undocumented,
        "unfiled": [a["id"] for a in activities if not live.intersection(a["tasks"])],
    }


# -- names on disk -------------------------------------------------------------------------


def safe_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A piece of a file name from plan or user text: no path or URL specials, not too long."""
    cleaned = _UNSAFE.sub("-", re.sub(r"\s+", "", text)).strip(".-")
    return cleaned[:limit].rstrip(".-")


def area_folder(number: int, area: dict[str, Any]) -> str:
    """``01-加强组织领导``: the area's number and the first clause of its title."""
    clause = _CLAUSE.split(area["title"], maxsplit=1)[0]
    return f"{number:02d}-{safe_name(clause) or area['id']}"


def task_folder(number: int, task: dict[str, Any]) -> str:
    return f"{number:02d}-{task['id']}"


def _record_name() -> str:
    return _("record") + ".html"


@dataclass
class _Record:
    """One record page: an activity filed under a task (or under no live task)."""

    activity: dict[str, Any]
    folder: str  # posix path from the dossier's root
    task: dict[str, Any] | None
    area: dict[str, Any] | None
    files: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (name, attachment)

    @property
    def page(self) -> str:
        return f"{self.folder}/{_record_name()}"


def _activity_folder(activity: dict[str, Any], taken: set[str]) -> str:
    name = f"{activity['date'].isoformat()}-{safe_name(activity['title']) or activity['id']}"
    if name in taken:
        name = f"{name}-{activity['id']}"
    taken.add(name)
    return name


def _attachment_names(activity: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``01-合影.jpg``…: numbered in their order, so two files of one name never collide."""
    names = []
    for number, attachment in enumerate(activity["attachments"], start=1):
        stem, suffix = Path(attachment["name"]).stem, Path(attachment["name"]).suffix
        if not re.fullmatch(r"\.[A-Za-z0-9]{1,16}", suffix):
            stem, suffix = attachment["name"], ""
        names.append((f"{number:02d}-{safe_name(stem, 60) or 'file'}{suffix}", attachment))
    return names


def _layout(data: dict[str, Any]) -> tuple[dict[tuple[str, int], _Record], list[_Record]]:
    """Where every record page goes: per (task, activity), plus the activities of no live task."""
    activities = {a["id"]: a for a in data["activities"]}
    records: dict[tuple[str, int], _Record] = {}
    areas = data["report"]["areas"]
    for area_number, area in enumerate(areas, start=1):
        area_dir = area_folder(area_number, area)
        for task_number, task in enumerate(area["tasks"], start=1):
            task_dir = f"{area_dir}/{task_folder(task_number, task)}"
            taken: set[str] = set()
            for activity_id in data["by_task"].get(task["id"], []):
                activity = activities[activity_id]
                folder = f"{task_dir}/{_activity_folder(activity, taken)}"
                records[(task["id"], activity_id)] = _Record(
                    activity, folder, task, area, _attachment_names(activity)
                )
    unfiled = []
    if data["unfiled"]:
        other = f"{len(areas) + 1:02d}-{safe_name(_('Other activities'))}"
        taken = set()
        for activity_id in data["unfiled"]:
            activity = activities[activity_id]
            folder = f"{other}/{_activity_folder(activity, taken)}"
            unfiled.append(_Record(activity, folder, None, None, _attachment_names(activity)))
    return records, unfiled


# -- pages ---------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "WenQuanYi Micro Hei", "SimSun", sans-serif; color: #1f2328; background: #fff;
  max-width: 1120px; margin: 0 auto; padding: 24px 28px; font-size: 14px; line-height: 1.55; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1f4e78; }
h3 { font-size: 15px; margin: 18px 0 4px; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
.unit { font-size: 16px; color: #444; margin: 0 0 12px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
.facts dt { font-weight: bold; color: #444; }
.facts dd { margin: 0; }
.goal { background: #f6f8fa; border-left: 4px solid #1f4e78; padding: 8px 12px; margin: 12px 0; }
nav.toc ol { margin: 4px 0; padding-left: 22px; columns: 2; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border: 1px solid #c9d1d9; padding: 4px 6px; vertical-align: top; text-align: left; }
thead th { background: #d9e1f2; white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
td.id { font-family: monospace; font-size: 12px; white-space: nowrap; }
.bar { display: inline-block; width: 60px; height: 8px; background: #e1e4e8; margin-right: 6px;
  vertical-align: middle; }
.bar > span { display: block; height: 100%; background: #2f81f7; }
.status { white-space: nowrap; padding: 0 4px; border-radius: 3px; }
.status-done { color: #006100; background: #c6efce; }
.status-met { color: #1f4e78; background: #ddebf7; }
.status-overdue { color: #9c0006; background: #ffc7ce; font-weight: bold; }
.status-in-progress { color: #9c5700; background: #ffeb9c; }
.status-not-started { color: #6e7781; }
.mark { display: inline-block; margin: 0 8px 2px 0; white-space: nowrap; }
.mark-met { color: #1a7f37; }
.mark-short { color: #cf222e; font-weight: bold; }
.mark-open { color: #6e7781; }
.missing { border: 2px solid #cf222e; background: #fff8f8; padding: 4px 14px 8px; margin: 18px 0; }
.missing h2 { border-bottom-color: #cf222e; color: #9c0006; }
.ok { color: #1a7f37; }
.warn { color: #9c0006; }
.task { border-top: 1px solid #d0d7de; padding-top: 4px; }
.meta { color: #57606a; margin: 0 0 4px; }
ol.records { margin: 4px 0 8px; padding-left: 22px; }
ol.records li { margin: 2px 0; }
.files { color: #57606a; font-size: 13px; }
.files a { margin-right: 8px; }
.none { color: #6e7781; font-style: italic; }
.note { white-space: pre-wrap; background: #f6f8fa; padding: 8px 12px; }
figure { display: inline-block; margin: 0 12px 12px 0; vertical-align: top; }
figure img { max-width: 320px; max-height: 240px; border: 1px solid #c9d1d9; }
figcaption { font-size: 12px; color: #57606a; }
footer { margin-top: 32px; color: #6e7781; font-size: 12px; border-top: 1px solid #d0d7de; }
section.area { break-before: page; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; }
  .noprint { display: none; }
  .missing { break-inside: auto; }
  h2, h3 { break-after: avoid; }
}
"""


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text))


def href(path: str) -> str:
    """A relative link to a file of the dossier, percent-encoded (folders are Chinese)."""
    return esc(quote(path, safe="/-._~"))


def _relative(target: str, start_folder: str) -> str:
    """``target`` (from the root) as seen from a page in ``start_folder`` (from the root)."""
    depth = len([p for p in start_folder.split("/") if p]) if start_folder else 0
    return "../" * depth + target


def _page(title: str, body: str) -> str:
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def _status(status: str) -> str:
    return f'<span class="status status-{esc(status)}">{esc(status_label(status))}</span>'


def _bar(fraction: float) -> str:
    width = max(0.0, min(fraction, 1.0)) * 100
    return (
        f'<span class="bar"><span style="width:{width:.1f}%"></span></span>{esc(percent(fraction))}'
    )


def _period_name(task: dict[str, Any], period: dict[str, Any]) -> str:
    if task["every"]:
        return period_label(period["label"])
    return day_label(period["label"], period.get("name"))


def _marks(task: dict[str, Any]) -> str:
    """Every period or day with ✓ / ✗ / ·, its dates in the tooltip; else count/target."""
    if not task["periods"]:
        unit = f" {task['unit']}" if task.get("unit") else ""
        return esc(f"{task['count']}/{task['target']}{unit}")
    marks = []
    for period in task["periods"]:
        outcome = period["outcome"]
        span = f"{period['first'].isoformat()} – {period['last'].isoformat()}"
        tip = _("{span}: {count} of {target}").format(
            span=span, count=period["count"], target=period["target"]
        )
        marks.append(
            f'<span class="mark mark-{outcome}" title="{esc(tip)}">'
            f"{esc(_period_name(task, period))}{OUTCOME_MARKS[outcome]}</span>"
        )
    return "".join(marks)


def _lacking_text(lacking: list[dict[str, Any]]) -> str:
    names = {"photos": _("photos"), "words": _("words of note"), "files": _("files")}
    return "；".join(
        _("{what} {have}/{need}").format(what=names[x["what"]], have=x["have"], need=x["need"])
        for x in lacking
    )


def _rule_text(rule: dict[str, Any]) -> str:
    names = {"photos": _("photos"), "words": _("words of note"), "files": _("files")}
    parts = [f"{names[k]} ≥ {v}" for k, v in rule.items() if v is not None]
    return "，".join(parts)


def _gap(task: dict[str, Any]) -> str:
    """What a task still lacks: the periods or days that fell short, else count/target."""
    if task["periods"]:
        short = [p for p in task["periods"] if p["outcome"] == "short"]
        open_ = [p for p in task["periods"] if p["outcome"] == "open"]
        parts = []
        if short:
            parts.append(
                _("fell short: {periods}").format(
                    periods="、".join(_period_name(task, p) for p in short)
                )
            )
        if open_:
            parts.append(_("{n} still to come").format(n=len(open_)))
        return "；".join(parts)
    unit = f" {task['unit']}" if task.get("unit") else ""
    text = _("{count} of {target}{unit} recorded").format(
        count=task["count"], target=task["target"], unit=unit
    )
    if task["status"] == "overdue" and task.get("due"):
        text += "；" + _("deadline {day} passed").format(day=short_date(task["due"]))
    return text


def _files_line(record: _Record, from_folder: str) -> str:
    if not record.files:
        return ""
    links = " ".join(
        f'<a href="{href(_relative(f"{record.folder}/{name}", from_folder))}">'
        f"{esc(attachment['name'])}</a>"
        for name, attachment in record.files
    )
    return f' <span class="files">{esc(_("Attachments"))}: {links}</span>'


def _index(
    data: dict[str, Any], records: dict[tuple[str, int], _Record], unfiled: list[_Record]
) -> str:
    plan, report = data["plan"], data["report"]
    activities = {a["id"]: a for a in data["activities"]}
    parts: list[str] = [f"<header><h1>{esc(plan['title'])}</h1>"]
    parts.append(f'<p class="unit">{esc(plan["unit"])}</p><dl class="facts">')
    facts = [
        (_("Level aimed for"), esc(plan["target"]) if plan["target"] else ""),
        (_("Leading group"), esc(plan["leader"]) if plan["leader"] else ""),
        (_("As of"), esc(data["as_of"].isoformat())),
        (_("Plan progress"), _bar(report["progress"])),
        (_("Score"), esc(f"{report['score']:.1f}")),
        (
            _("Tasks by status"),
            " ".join(f"{_status(s)} {n}" for s, n in report["status_counts"].items()),
        ),
        (_("Activities recorded"), esc(len(data["activities"]))),
    ]
    parts += [f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts if v]
    parts.append("</dl>")
    if plan["goal"]:
        parts.append(f'<p class="goal"><b>{esc(_("Goal"))}</b>　{esc(plan["goal"])}</p>')
    parts.append("</header>")

    parts.append(_areas_table(report, bool(unfiled)))

    parts.append(_missing(data, records))

    for number, area in enumerate(report["areas"], start=1):
        parts.append(_area_section(number, area, data, records, activities))
    if unfiled:
        parts.append(f'<section class="area" id="unfiled"><h2>{esc(_("Other activities"))}</h2>')
        parts.append(
            f'<p class="meta">{esc(_("Activities whose tasks are no longer in the plan."))}</p>'
            '<ol class="records">'
        )
        for record in unfiled:
            parts.append(_record_item(record, ""))
        parts.append("</ol></section>")
    parts.append(
        "<footer>"
        + esc(
            _("Made by wmcj on {day}; progress as of {as_of}.").format(
                day=data["made_on"].isoformat(), as_of=data["as_of"].isoformat()
            )
        )
        + "</footer>"
    )
    return _page(plan["title"], "\n".join(parts))


def _areas_table(report: dict[str, Any], unfiled: bool) -> str:
    """The contents: each area with its progress and how its tasks stand, linked."""
    heads = (_("Area"), _("Kind"), _("Progress"), _("Tasks"), _("done"), _("met"), _("overdue"))
    parts = [
        f'<nav class="toc"><h2>{esc(_("Contents"))}</h2>',
        f'<p><a href="#missing">{esc(_("What is missing"))}</a></p>',
        "<table><thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in heads)
        + "</tr></thead><tbody>",
    ]
    for number, area in enumerate(report["areas"], start=1):
        statuses = [t["status"] for t in area["tasks"]]
        parts.append(
            f'<tr><td><a href="#area-{esc(area["id"])}">{number}. {esc(area["title"])}</a></td>'
            f"<td>{esc(kind_label(area['kind']))}</td>"
            f'<td class="num">{_bar(area["progress"])}</td>'
            f'<td class="num">{len(statuses)}</td>'
            + "".join(
                f'<td class="num">{statuses.count(s) or ""}</td>'
                for s in ("done", "met", "overdue")
            )
            + "</tr>"
        )
    parts.append("</tbody></table>")
    if unfiled:
        parts.append(f'<p><a href="#unfiled">{esc(_("Other activities"))}</a></p>')
    parts.append("</nav>")
    return "\n".join(parts)


#: The order of the missing list: what is late first.
_URGENCY = {"overdue": 0, "in-progress": 1, "not-started": 2}


def _missing(data: dict[str, Any], records: dict[tuple[str, int], _Record]) -> str:
    report = data["report"]
    short = [
        (area, task)
        for area in report["areas"]
        for task in area["tasks"]
        if task["status"] not in ("done", "met")
    ]
    short.sort(key=lambda pair: _URGENCY.get(pair[1]["status"], 3))
    parts = [
        '<section class="missing" id="missing">',
        f"<h2>{esc(_('What is missing (as of {day})').format(day=data['as_of'].isoformat()))}</h2>",
        f"<h3>{esc(_('Tasks short of their target ({n})').format(n=len(short)))}</h3>",
    ]
    if short:
        parts.append(
            "<table><thead><tr>"
            + "".join(
                f"<th>{esc(h)}</th>"
                for h in (_("ID"), _("Task"), _("Owner"), _("Status"), _("What is short"))
            )
            + "</tr></thead><tbody>"
        )
        for _area, task in short:
            parts.append(
                f'<tr><td class="id"><a href="#task-{esc(task["id"])}">{esc(task["id"])}</a></td>'
                f"<td>{esc(task['title'])}</td><td>{esc(task['owner'])}</td>"
                f"<td>{_status(task['status'])}</td><td>{esc(_gap(task))}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append(f'<p class="ok">{esc(_("Every task has reached its target."))}</p>')
    undocumented = data["undocumented"]
    heading = _("Activities without the required evidence ({n})").format(n=len(undocumented))
    parts.append(f"<h3>{esc(heading)}</h3>")
    if undocumented:
        parts.append(
            "<table><thead><tr>"
            + "".join(
                f"<th>{esc(h)}</th>" for h in (_("Date"), _("Activity"), _("Task"), _("Lacking"))
            )
            + "</tr></thead><tbody>"
        )
        for entry in undocumented:
            record = records[(entry["task"], entry["activity"])]
            activity = record.activity
            parts.append(
                f'<tr><td class="num">{esc(activity["date"].isoformat())}</td>'
                f'<td><a href="{href(record.page)}">{esc(activity["title"])}</a></td>'
                f'<td class="id"><a href="#task-{esc(entry["task"])}">{esc(entry["task"])}</a></td>'
                f'<td class="warn">{esc(_lacking_text(entry["lacking"]))}</td></tr>'
            )
        parts.append("</tbody></table>")
    else:
        parts.append(
            f'<p class="ok">{esc(_("Every activity carries the evidence its task asks for."))}</p>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def _record_item(record: _Record, from_folder: str, lacking: str = "") -> str:
    activity = record.activity
    warn = f' <span class="warn">{esc(_("lacking"))}: {esc(lacking)}</span>' if lacking else ""
    return (
        f'<li><a href="{href(_relative(record.page, from_folder))}">'
        f"{esc(activity['date'].isoformat())} {esc(activity['title'])}</a>"
        f"{_files_line(record, from_folder)}{warn}</li>"
    )


def _area_section(
    number: int,
    area: dict[str, Any],
    data: dict[str, Any],
    records: dict[tuple[str, int], _Record],
    activities: dict[int, dict[str, Any]],
) -> str:
    heading = _("{number}. {title} ({kind}) — progress {progress}").format(
        number=number,
        title=area["title"],
        kind=kind_label(area["kind"]),
        progress=percent(area["progress"]),
    )
    parts = [f'<section class="area" id="area-{esc(area["id"])}"><h2>{esc(heading)}</h2>']
    parts.append(
        "<table><thead><tr>"
        + "".join(
            f"<th>{esc(h)}</th>"
            for h in (
                _("ID"),
                _("Task"),
                _("Owner"),
                _("Due"),
                _("Count / periods"),
                _("Progress"),
                _("Status"),
            )
        )
        + "</tr></thead><tbody>"
    )
    for task in area["tasks"]:
        due = (
            "" if task["every"] and short_date(task["due"]) == "12-31" else short_date(task["due"])
        )
        parts.append(
            f'<tr><td class="id"><a href="#task-{esc(task["id"])}">{esc(task["id"])}</a></td>'
            f"<td>{esc(task['title'])}</td><td>{esc(task['owner'])}</td>"
            f'<td class="num">{esc(due)}</td><td>{_marks(task)}</td>'
            f'<td class="num">{_bar(task["progress"])}</td><td>{_status(task["status"])}</td></tr>'
        )
    parts.append("</tbody></table>")
    lacking = {
        (e["task"], e["activity"]): _lacking_text(e["lacking"]) for e in data["undocumented"]
    }
    for task_number, task in enumerate(area["tasks"], start=1):
        rule = _rule_text(data["evidence"].get(task["id"], {}))
        meta = [_("Owner") + f": {task['owner']}"]
        if task["due"] and not task["every"]:
            meta.append(_("Due") + f": {task['due'].isoformat()}")
        if rule:
            meta.append(_("Evidence required") + f": {rule}")
        if task["done_on"]:
            meta.append(_("Marked done on {day}").format(day=task["done_on"].isoformat()))
        parts.append(
            f'<div class="task" id="task-{esc(task["id"])}">'
            f"<h3>{task_number:02d} · {esc(task['id'])} — {esc(task['title'])} "
            f"{_status(task['status'])}</h3>"
            f'<p class="meta">{esc("　".join(meta))}</p><p>{_marks(task)}</p>'
        )
        ids = data["by_task"].get(task["id"], [])
        if ids:
            parts.append('<ol class="records">')
            for activity_id in ids:
                record = records[(task["id"], activity_id)]
                parts.append(_record_item(record, "", lacking.get((task["id"], activity_id), "")))
            parts.append("</ol>")
        else:
            parts.append(f'<p class="none">{esc(_("No activity recorded yet."))}</p>')
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _record_page(
    record: _Record, data: dict[str, Any], records: dict[tuple[str, int], _Record]
) -> str:
    activity = record.activity
    plan = data["plan"]
    titles = {t["id"]: t["title"] for area in data["report"]["areas"] for t in area["tasks"]}
    back = _relative("index.html", record.folder)
    anchor = f"#task-{record.task['id']}" if record.task else "#unfiled"
    parts = [
        f'<p class="noprint"><a href="{href(back)}{esc(anchor)}">'
        f"← {esc(_('Back to the dossier'))}</a></p>",
        f"<h1>{esc(activity['title'])}</h1>",
        f'<p class="unit">{esc(plan["unit"])} · {esc(plan["title"])}</p>',
    ]
    if record.task is not None and record.area is not None:
        parts.append(
            f'<p class="meta">{esc(record.area["title"])} › {esc(record.task["id"])} — '
            f"{esc(record.task['title'])}</p>"
        )
    task_lines = []
    for key in activity["tasks"]:
        other = records.get((key, activity["id"]))
        label = f"{key} — {titles[key]}" if key in titles else key
        if other is not None and other is not record:
            task_lines.append(
                f'<a href="{href(_relative(other.page, record.folder))}">{esc(label)}</a>'
            )
        else:
            task_lines.append(esc(label))
    day: date = activity["date"]
    fields = [
        (_("Date"), esc(f"{day.isoformat()} {weekday(day)}")),
        (_("Tasks"), "<br>".join(task_lines)),
        (_("Number of people"), esc(activity["people"]) if activity["people"] is not None else ""),
        (_("Participants"), esc("、".join(activity["who"]))),
        (_("Hours"), esc(f"{activity['hours']:g}") if activity["hours"] is not None else ""),
        (_("Place"), esc(activity["place"] or "")),
        (_("Tags"), esc("、".join(activity["tags"]))),
        (_("Activity number"), esc(f"#{activity['id']}")),
    ]
    parts.append("<table><tbody>")
    parts += [f'<tr><th style="width:9em">{esc(k)}</th><td>{v}</td></tr>' for k, v in fields if v]
    parts.append("</tbody></table>")
    parts.append(f"<h2>{esc(_('Account of the activity'))}</h2>")
    if activity["note"]:
        parts.append(f'<div class="note">{esc(activity["note"])}</div>')
    else:
        parts.append(f'<p class="none">{esc(_("No account written."))}</p>')
    if record.task is not None:
        rule = data["evidence"].get(record.task["id"], {})
        text = _rule_text(rule)
        if text:
            lacking = shortfall(rule, activity)
            verdict = (
                f'<span class="warn">✗ {esc(_("lacking"))}: {esc(_lacking_text(lacking))}</span>'
                if lacking
                else f'<span class="ok">✓ {esc(_("complete"))}</span>'
            )
            parts.append(
                f'<p class="meta">{esc(_("Evidence required"))}: {esc(text)}　{verdict}</p>'
            )
    parts.append(f"<h2>{esc(_('Evidence ({n})').format(n=len(record.files)))}</h2>")
    photos = [(n, a) for n, a in record.files if a["photo"]]
    others = [(n, a) for n, a in record.files if not a["photo"]]
    for name, attachment in photos:
        parts.append(
            f'<figure><a href="{href(name)}">'
            f'<img src="{href(name)}" alt="{esc(attachment["name"])}"></a>'
            f"<figcaption>{esc(attachment['name'])}</figcaption></figure>"
        )
    if others:
        parts.append("<ul>")
        parts += [
            f'<li><a href="{href(name)}">{esc(a["name"])}</a> ({esc(_size(a["size"]))})</li>'
            for name, a in others
        ]
        parts.append("</ul>")
    if not record.files:
        parts.append(f'<p class="none">{esc(_("No photos or files attached."))}</p>')
    return _page(activity["title"], "\n".join(parts))


# -- writing -------------------------------------------------------------------------------


@dataclass
class DossierWritten:
    """What ``write_dossier`` produced, for the user and for tests."""

    path: Path
    areas: int
    tasks: int
    records: int
    attachments: int
    short_tasks: int
    undocumented: int


def _is_ours(folder: Path) -> bool:
    index = folder / "index.html"
    try:
        return index.is_file() and GENERATOR in index.read_text("utf-8", errors="replace")[:2000]
    except OSError:
        return False


def _check_target(out: Path) -> bool:
    """Refuse to write over anything but an earlier dossier; say whether it is a zip."""
    as_zip = out.suffix.lower() == ".zip"
    if as_zip:
        if out.is_dir():
            raise InputError(
                _("{path} is a folder; give a file name ending in .zip").format(path=out)
            )
        return True
    if out.is_file():
        raise InputError(
            _("{path} is a file; give a folder for the dossier, or a name ending in .zip").format(
                path=out
            )
        )
    if out.is_dir() and any(out.iterdir()) and not _is_ours(out):
        raise InputError(
            _(
                "{path} is a folder with other files in it; give a new folder (an earlier"
                " dossier would be replaced)"
            ).format(path=out)
        )
    return False


def _copy(source: str, target: Path, activity: dict[str, Any], name: str) -> None:
    # A copy, never a link: editing a photo in the dossier must not touch the store.
    try:
        shutil.copyfile(source, target)
    except FileNotFoundError:
        raise RuntimeFailure(
            _(
                "attachment '{name}' of activity #{number} is missing from the store ({path});"
                " detach it with: wmcj activity edit {number} --detach '{name}'"
            ).format(name=name, number=activity["id"], path=source)
        ) from None


def _build(data: dict[str, Any], root: Path) -> DossierWritten:
    records, unfiled = _layout(data)
    report = data["report"]
    for area_number, area in enumerate(report["areas"], start=1):
        for task_number, task in enumerate(area["tasks"], start=1):
            folder = root / area_folder(area_number, area) / task_folder(task_number, task)
            folder.mkdir(parents=True, exist_ok=True)
    attachments = 0
    for record in [*records.values(), *unfiled]:
        folder = root / record.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / _record_name()).write_text(_record_page(record, data, records), "utf-8")
        for name, attachment in record.files:
            _copy(attachment["path"], folder / name, record.activity, attachment["name"])
            attachments += 1
    (root / "index.html").write_text(_index(data, records, unfiled), "utf-8")
    return DossierWritten(
        path=root,
        areas=len(report["areas"]),
        tasks=sum(len(a["tasks"]) for a in report["areas"]),
        records=len(records) + len(unfiled),
        attachments=attachments,
        short_tasks=sum(
            1 for a in report["areas"] for t in a["tasks"] if t["status"] not in ("done", "met")
        ),
        undocumented=len(data["undocumented"]),
    )


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_dir():
                archive.writestr(zipfile.ZipInfo(name + "/"), b"")
            else:
                archive.write(path, name)


def write_dossier(data: dict[str, Any], out: Path) -> DossierWritten:
    """Write the dossier to the folder ``out`` (replacing an earlier dossier) or to ``out.zip``.

    It is built beside its destination and moved into place whole, so a failure
    leaves no half-written dossier and an earlier one untouched.
    """
    out = out.expanduser()
    as_zip = _check_target(out)
    parent = out.parent if str(out.parent) else Path()
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise RuntimeFailure(
            _("cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)
        ) from None
    aside: Path | None = None
    try:
        written = _build(data, building)
        if as_zip:
            handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
            os.close(handle)
            try:
                _zip(building, Path(temp))
                Path(temp).replace(out)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        else:
            if out.exists():
                aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
                aside.rmdir()
                out.replace(aside)
            building.replace(out)
    except OSError as exc:
        if aside is not None and not out.exists():
            aside.replace(out)
            aside = None
        raise RuntimeFailure(
            _("cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)
        ) from None
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    written.path = out
    return written
