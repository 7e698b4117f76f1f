"""The progress report as plain data: every live task's figures, what is overdue, what comes next.

Everything here is read from ``tracking.plan_status``, so the report, its JSON and
the tests see the same numbers; nothing is rounded (display rounds).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from wmcj.errors import NotFound
from wmcj.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Plan
    from wmcj.progress import AreaProgress, Period, TaskProgress, TaskRule
    from wmcj.tracking import PlanStatus

#: How far ahead "upcoming" looks: the 14 days after the as-of day.
UPCOMING_DAYS = 14


def period_json(period: Period) -> dict[str, Any]:
    """A period of an ``every`` task, or the window of an ``on`` day, with its outcome."""
    return {
        "label": period.label,
        "name": period.name,
        "first": period.first,
        "last": period.last,
        "count": period.count,
        "target": period.target,
        "outcome": period.outcome,
    }


def task_json(task: TaskProgress, rule: TaskRule | None, unit: str | None) -> dict[str, Any]:
    """One task's figures as of the report's day."""
    return {
        "id": task.key,
        "title": task.title,
        "owner": task.owner,
        "due": task.due,
        "count": task.count,
        "target": task.target,
        "unit": unit,
        "progress": task.progress,
        "status": task.status,
        "weight": task.weight,
        "undocumented": task.undocumented,
        "done_on": task.done_on,
        "every": rule.every if rule is not None else None,
        "on": [day.key for day in rule.on] if rule is not None else [],
        "periods": [period_json(p) for p in task.periods],
    }


def area_json(area: AreaProgress, status: PlanStatus) -> dict[str, Any]:
    return {
        "id": area.key,
        "kind": area.kind,
        "title": area.title,
        "progress": area.progress,
        "tasks": [
            task_json(t, status.rules.get(t.key), status.units.get(t.key)) for t in area.tasks
        ],
    }


def overdue_json(tasks: Iterable[TaskProgress]) -> list[dict[str, Any]]:
    """The overdue tasks, in plan order, each with the periods or days that fell short."""
    return [
        {
            "id": task.key,
            "title": task.title,
            "area": task.area,
            "owner": task.owner,
            "due": task.due,
            "short": [
                {"label": p.label, "name": p.name, "first": p.first, "last": p.last}
                for p in task.periods
                if p.outcome == "short"
            ],
        }
        for task in tasks
        if task.status == "overdue"
    ]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upcoming(
    *, session: Session, plan: Plan, after: date, tasks: set[str] | None = None
) -> list[dict[str, Any]]:
    """Named days, literal ``on`` dates and dues in the 14 days after ``after`` (in date order).

    With ``tasks``, only entries hanging on one of those tasks are kept.
    """
    from wmcj.calendar import calendar_entries

    last = after + timedelta(days=UPCOMING_DAYS)
    entries = calendar_entries(
        session=session, plan=plan, first=after + timedelta(days=1), last=last
    )
    result = []
    for entry in entries:
        day = _as_date(entry["date"])
        if not after < day <= last:
            continue
        hung = list(entry.get("tasks") or [])
        if tasks is not None and not tasks.intersection(hung):
            continue
        until = entry.get("until")
        result.append(
            {
                "date": day,
                "until": _as_date(until) if until else None,
                "what": entry["what"],
                "name": entry.get("name"),
                "tasks": hung,
            }
        )
    return result


def report_data(
    *, session: Session, year: int | None, as_of: date, area: str | None = None
) -> dict[str, Any]:
    """Where the plan stands as of ``as_of``: its figures, areas, overdue and upcoming work.

    With ``area``, only that area is listed, and the status counts, the overdue
    and the upcoming lists are that area's; ``progress`` and ``score`` stay the plan's.
    """
    from wmcj.tracking import plan_status

    status = plan_status(session=session, year=year, as_of=as_of)
    progress = status.progress
    areas = list(progress.areas)
    if area is not None:
        areas = [a for a in areas if a.key == area]
        if not areas:
            raise NotFound(unknown_area(area, [a.key for a in progress.areas], progress.year))
    tasks = [task for a in areas for task in a.tasks]
    if area is None:
        counts = dict(progress.status_counts)
    else:
        counts = dict.fromkeys(progress.status_counts, 0)
        for task in tasks:
            counts[task.status] += 1
    keys = {task.key for task in tasks} if area is not None else None
    return {
        "year": progress.year,
        "unit": status.plan.unit,
        "title": status.plan.title,
        "as_of": as_of,
        "area": area,
        "progress": progress.progress,
        "score": progress.score,
        "status_counts": counts,
        "areas": [area_json(a, status) for a in areas],
        "overdue": overdue_json(tasks),
        "upcoming": upcoming(session=session, plan=status.plan, after=as_of, tasks=keys),
    }


def unknown_area(key: str, known: list[str], year: int) -> str:
    """``no area 'x' in plan 2018 — did you mean 'y'?``, or the list of areas."""
    message = _("no area '{key}' in plan {year}").format(key=key, year=year)
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return message + _(" — did you mean '{choice}'?").format(choice=close[0])
    return message + _("; the areas are: {keys}").format(keys=", ".join(known))
