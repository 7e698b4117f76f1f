"""From the database to progress: live rules, activity tallies aggregated in SQL, done marks.

The progress module computes; this module only gathers its inputs, with a fixed
number of queries whatever the number of activities.
"""

from __future__ import annotations

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
    """Per live task, its linked activities counted per date, with how many are undocumented."""
    from sqlalchemy import text

    sql = """
        SELECT t.key, a.date, COUNT(*),
               SUM(CASE WHEN (t.evidence_photos IS NOT NULL AND a.photos < t.evidence_photos)
                          OR (t.evidence_words IS NOT NULL AND a.note_chars < t.evidence_words)
                          OR (t.evidence_files IS NOT NULL AND a.files < t.evidence_files)
                        THEN 1 ELSE 0 END)
        FROM task t
        JOIN activity_task l ON l.task_id = t.id
        JOIN activity a ON a.id = l.activity_id
        WHERE t.plan_id = :plan AND t.retired = 0 {bound}
        GROUP BY t.key, a.date
    """
    params: dict[str, Any] = {"plan": plan_id}
    bound = ""
    if as_of is not None:
        bound = "AND a.date <= :as_of"
        params["as_of"] = as_of.isoformat()
    result: dict[str, list[Tally]] = {}
    for key, day, count, undocumented in session.connection().execute(
        text(sql.format(bound=bound)), params
    ):
        result.setdefault(key, []).append(
            Tally(date.fromisoformat(str(day)), int(count), int(undocumented or 0))
        )
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
    assert plan.id is not None
    days = named_days(session, plan.id)
    areas, units = plan_rules(session, plan, days)
    progress = plan_progress(
        plan.year, as_of, areas, tallies(session, plan.id, as_of), done_marks(session, plan.id)
    )
    rules = {rule.key: rule for area in areas for rule in area.tasks}
    return PlanStatus(plan=plan, progress=progress, rules=rules, units=units, days=days)
