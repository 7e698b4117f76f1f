"""From the database to progress: live rules, activity tallies aggregated in SQL, done marks.

The progress module computes; this module only gathers its inputs, with a fixed
number of queries whatever the number of activities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from wmcj.plans import effective_owner, find_plan
from wmcj.progress import AreaRule, Day, PlanProgress, Tally, TaskRule, plan_progress

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Plan, Task


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """A plan's header, its rules and where it stands as of a day."""

    plan: Plan
    progress: PlanProgress
    rules: dict[str, TaskRule]
    units: dict[str, str | None]
    days: dict[str, Day]


def named_days(session: Session, plan_id: int) -> dict[str, Day]:
    """The plan's named days (built-in and its own), resolved at load time."""
    from sqlmodel import select

    from wmcj.models import NamedDay

    rows = session.exec(select(NamedDay).where(NamedDay.plan_id == plan_id)).all()
    return {r.key: Day(r.key, r.name, r.date, r.until) for r in rows}


def task_rule(task: Task, area_key: str, owner: str, days: dict[str, Day]) -> TaskRule:
    """What progress needs of a task row; literal dates in ``on`` become one-day Days."""
    on: list[Day] = []
    for ref in task.on or ():
        if ref in days:
            on.append(days[ref])
        else:
            literal = date.fromisoformat(ref)
            on.append(Day(ref, ref, literal))
    return TaskRule(
        key=task.key,
        title=task.title,
        owner=owner,
        area=area_key,
        target=task.target,
        weight=task.weight,
        due=task.due,
        every=task.every,  # type: ignore[arg-type]
        start=task.start,
        on=tuple(on),
        window=7 if task.window is None else task.window,
    )


def plan_rules(
    session: Session, plan: Plan, days: dict[str, Day]
) -> tuple[list[AreaRule], dict[str, str | None]]:
    """Live areas (key work first, then safeguards, in plan order) with their live tasks."""
    from sqlmodel import select

    from wmcj.models import Area, Task

    areas = session.exec(select(Area).where(Area.plan_id == plan.id)).all()
    tasks = session.exec(
        select(Task)
        .where(Task.plan_id == plan.id, Task.retired == False)  # noqa: E712
        .order_by(Task.position)
    ).all()
    by_area: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_area.setdefault(task.area_id, []).append(task)
    units = {t.key: t.unit for t in tasks}
    result = []
    for area in sorted(areas, key=lambda a: (a.kind != "key-work", a.position)):
        rules = tuple(
            task_rule(t, area.key, effective_owner(t.owner, area.owner, plan.office), days)
            for t in by_area.get(area.id, [])
        )
        if rules:
            result.append(AreaRule(area.key, area.kind, area.title, rules))
    return result, units


def tallies(session: Session, plan_id: int, as_of: date | None = None) -> dict[str, list[Tally]]:
    """Per live task, its linked activities counted per date, with how many are undocumented.

    One query, whatever the number of activities: it walks the plan's activities in date
    order through ``ix_activity_plan_tally``, an index holding every column the count
    needs, so SQLite never reads the activity rows themselves (titles, notes); then each
    activity's links and tasks by their keys. ``CROSS JOIN`` fixes that order: left to
    choose, without statistics, SQLite starts from the tasks and scans the plan's
    activities once per task. An activity's tasks are always those of its own plan
    (wmcj.activities resolves them there), so these are exactly the activities linked to
    the plan's tasks.
    """
    from sqlalchemy import text

    sql = """
        SELECT t.key, a.date, COUNT(*),
               SUM(CASE WHEN (t.evidence_photos IS NOT NULL AND a.photos < t.evidence_photos)
                          OR (t.evidence_words IS NOT NULL AND a.note_chars < t.evidence_words)
                          OR (t.evidence_files IS NOT NULL AND a.files < t.evidence_files)
                        THEN 1 ELSE 0 END)
        FROM activity a
        CROSS JOIN activity_task l
        CROSS JOIN task t
        WHERE a.plan_id = :plan {bound}
          AND l.activity_id = a.id
          AND t.id = l.task_id AND t.plan_id = :plan AND t.retired = 0
        GROUP BY t.id, a.date
    """
    params: dict[str, Any] = {"plan": plan_id}
    bound = ""
    if as_of is not None:
        bound = "AND a.date <= :as_of"
        params["as_of"] = as_of.isoformat()
    rows = session.connection().execute(text(sql.format(bound=bound)), params).all()
    result: dict[str, list[Tally]] = {}
    days: dict[Any, date] = {}  # a year has at most 366 dates: parse each once
    for key, day, count, undocumented in rows:
        parsed = days.get(day)
        if parsed is None:
            parsed = days[day] = date.fromisoformat(str(day))
        tallied = result.get(key)
        if tallied is None:
            tallied = result[key] = []
        tallied.append(Tally(parsed, int(count), int(undocumented or 0)))
    return result


def done_marks(session: Session, plan_id: int) -> dict[str, date]:
    from sqlmodel import select

    from wmcj.models import Completion, Task

    rows = session.exec(
        select(Task.key, Completion.date)
        .join(Completion, Completion.task_id == Task.id)
        .where(Task.plan_id == plan_id)
    ).all()
    return dict(rows)


def plan_status(*, session: Session, year: int | None, as_of: date) -> PlanStatus:
    """Where the plan of ``year`` stands as of ``as_of``."""
    plan = find_plan(session, year, today=as_of if year is None else None)
    return plan_statuses(session=session, plan=plan, days=[as_of])[0]


def plan_statuses(*, session: Session, plan: Plan, days: Sequence[date]) -> list[PlanStatus]:
    """Where ``plan`` stands as of each of ``days``, reading the database once for all.

    Progress only counts the tallies up to its own as-of day, so the tallies up to the
    latest day serve every earlier one (the weekly summary wants two Sundays).
    """
    assert plan.id is not None
    named = named_days(session, plan.id)
    areas, units = plan_rules(session, plan, named)
    counted = tallies(session, plan.id, max(days))
    done = done_marks(session, plan.id)
    rules = {rule.key: rule for area in areas for rule in area.tasks}
    return [
        PlanStatus(
            plan=plan,
            progress=plan_progress(plan.year, day, areas, counted, done),
            rules=rules,
            units=units,
            days=named,
        )
        for day in days
    ]
