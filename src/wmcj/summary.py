"""The weekly summary as plain data: one ISO week's work, as of its Sunday.

The week's activities and done marks are read by date, whatever plan they
belong to (a week can straddle New Year); progress, overdue and upcoming work
come from the plan the week is reported against.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from wmcj.errors import InputError
from wmcj.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Plan

_WEEK = re.compile(r"(\d{4})-?[Ww](\d{1,2})")


def parse_week(text: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www`` (``2018-W15``; ``2018w15`` is accepted)."""
    match = _WEEK.fullmatch(text.strip())
    monday = None
    if match:
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            monday = None
    if monday is None:
        raise InputError(
            _("--week '{value}' is not an ISO week; write it as YYYY-Www, e.g. 2018-W15").format(
                value=text
            )
        )
    return monday


def last_complete_week(before: date) -> date:
    """The Monday of the last ISO week that ended before ``before``.

    The week holding ``before`` is never complete yet, even on its Sunday.
    """
    return before - timedelta(days=before.weekday() + 7)


def week_label(monday: date) -> str:
    iso_year, week, _weekday = monday.isocalendar()
    return f"{iso_year}-W{week:02d}"


def week_plan(session: Session, monday: date, chosen: bool) -> Plan:
    """The plan a week is reported against.

    The plan of the week's year (the YYYY of ``YYYY-Www``); for a week that
    straddles New Year and has no plan for that year, the plan of its Sunday's,
    then its Monday's year. A week the user chose (``--week``) with none of them
    is an error; the default week falls back like every other command: to the
    latest loaded plan.
    """
    from wmcj.plans import find_plan, plan_years

    sunday = monday + timedelta(days=6)
    years = plan_years(session)
    iso_year = monday.isocalendar()[0]
    for year in (iso_year, sunday.year, monday.year):
        if year in years:
            return find_plan(session, year)
    return find_plan(session, iso_year if chosen else None, today=sunday)


def _week_activities(
    session: Session, plan: Plan, first: date, last: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The activities dated first…last, each with its tasks, and their grouping by area."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Area, Task

    rows = session.exec(
        select(Activity, Task, Area)
        .join(ActivityTask, ActivityTask.activity_id == Activity.id, isouter=True)
        .join(Task, Task.id == ActivityTask.task_id, isouter=True)
        .join(Area, Area.id == Task.area_id, isouter=True)
        .where(Activity.date >= first, Activity.date <= last)
        .order_by(Activity.date, Activity.id)
    ).all()

    def area_order(area: Area) -> tuple[bool, int, bool, int]:
        return (area.plan_id != plan.id, area.plan_id, area.kind != "key-work", area.position)

    activities: dict[int, dict[str, Any]] = {}
    links: dict[int, list[tuple[Area, Task]]] = {}
    areas: dict[tuple[int, str], Area] = {}
    for activity, task, area in rows:
        assert activity.id is not None
        activities.setdefault(
            activity.id,
            {"id": activity.id, "date": activity.date, "title": activity.title},
        )
        if task is not None and area is not None:
            links.setdefault(activity.id, []).append((area, task))
            areas[(area.plan_id, area.key)] = area
    by_area: dict[tuple[int, str], list[int]] = {}
    for activity_id, entry in activities.items():
        linked = sorted(
            links.get(activity_id, []), key=lambda p: (*area_order(p[0]), p[1].position)
        )
        entry["tasks"] = [task.key for _area, task in linked]
        entry["areas"] = list(dict.fromkeys(area.key for area, _task in linked))
        for area, _task in linked:
            group = by_area.setdefault((area.plan_id, area.key), [])
            if activity_id not in group:
                group.append(activity_id)
    grouped = [
        {
            "id": area.key,
            "kind": area.kind,
            "title": area.title,
            "activities": by_area[ref],
        }
        for ref, area in sorted(areas.items(), key=lambda item: area_order(item[1]))
    ]
    unlinked = [a for a, entry in activities.items() if not entry["tasks"]]
    if unlinked:
        grouped.append({"id": None, "kind": None, "title": None, "activities": unlinked})
    return list(activities.values()), grouped


def _week_done(session: Session, first: date, last: date) -> list[dict[str, Any]]:
    """Tasks marked done on a day of the week, by date."""
    from sqlmodel import select

    from wmcj.models import Area, Completion, Task

    rows = session.exec(
        select(Completion, Task, Area)
        .join(Task, Task.id == Completion.task_id)
        .join(Area, Area.id == Task.area_id)
        .where(Completion.date >= first, Completion.date <= last)
        .order_by(Completion.date, Area.position, Task.position)
    ).all()
    return [
        {
            "id": task.key,
            "title": task.title,
            "area": area.key,
            "date": completion.date,
            "note": completion.note,
        }
        for completion, task, area in rows
    ]


def summary_data(*, session: Session, week: date | None, as_of: date) -> dict[str, Any]:
    """The summary of the ISO week starting on Monday ``week`` (default: the last complete
    week before ``as_of``), everything as of that week's Sunday.
    """
    from wmcj.report import overdue_json, upcoming
    from wmcj.tracking import plan_statuses

    monday = week if week is not None else last_complete_week(as_of)
    sunday = monday + timedelta(days=6)
    plan = week_plan(session, monday, chosen=week is not None)
    now, before = plan_statuses(
        session=session, plan=plan, days=[sunday, sunday - timedelta(days=7)]
    )
    activities, by_area = _week_activities(session, plan, monday, sunday)
    progress = now.progress
    return {
        "year": plan.year,
        "unit": plan.unit,
        "title": plan.title,
        "week": week_label(monday),
        "from": monday,
        "to": sunday,
        "activities": activities,
        "areas": by_area,
        "done": _week_done(session, monday, sunday),
        "overdue": overdue_json(progress.tasks()),
        "upcoming": upcoming(session=session, plan=plan, after=sunday),
        "progress": progress.progress,
        "progress_before": before.progress.progress,
        "progress_change": progress.progress - before.progress.progress,
        "score": progress.score,
        "status_counts": dict(progress.status_counts),
    }
