"""Plans in the database: loading a plan file (matched by ids), finding and listing plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from wmcj.errors import InputError, NotFound
from wmcj.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Area, Plan, Task
    from wmcj.planfile import AreaSpec, PlanSpec, TaskSpec

_PLAN_FIELDS = ("unit", "title", "target", "leader", "office", "ideology", "goal")
_AREA_FIELDS = ("kind", "title", "text", "owner")


@dataclass
class LoadResult:
    """What a load changed, for the user and for tests."""

    year: int
    created: bool = False
    plan_changed: list[str] = field(default_factory=list)
    days_changed: bool = False
    areas_added: list[str] = field(default_factory=list)
    areas_changed: list[str] = field(default_factory=list)
    areas_removed: list[str] = field(default_factory=list)
    areas_retired: list[str] = field(default_factory=list)
    tasks_added: list[str] = field(default_factory=list)
    tasks_changed: list[str] = field(default_factory=list)
    tasks_removed: list[str] = field(default_factory=list)
    tasks_retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.plan_changed
            or self.days_changed
            or self.areas_added
            or self.areas_changed
            or self.areas_removed
            or self.areas_retired
            or self.tasks_added
            or self.tasks_changed
            or self.tasks_removed
            or self.tasks_retired
        )


def _task_values(spec: TaskSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "text": spec.text,
        "owner": spec.owner,
        "due": spec.due,
        "target": spec.target,
        "unit": spec.unit,
        "every": spec.every,
        "start": spec.start,
        "on": list(spec.on) if spec.on is not None else None,
        "window": spec.window,
        "weight": spec.weight,
        "evidence_photos": spec.evidence.photos,
        "evidence_words": spec.evidence.words,
        "evidence_files": spec.evidence.files,
    }


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def load_plan(
    *, session: Session, spec: PlanSpec, source: str | None = None, retire: bool = False
) -> LoadResult:
    """Bring the database in line with a validated plan file, within the caller's transaction.

    A task that has left the file but has activities or a done mark is never
    dropped silently: without ``retire`` the whole load is refused.
    """
    from sqlmodel import select

    from wmcj.models import Area, Plan, Task

    result = LoadResult(year=spec.year)
    plan = session.exec(select(Plan).where(Plan.year == spec.year)).first()
    plan_values = {name: getattr(spec, name) for name in _PLAN_FIELDS}
    if plan is None:
        plan = Plan(year=spec.year, **plan_values)
        session.add(plan)
        session.flush()
        result.created = True
    else:
        result.plan_changed = [n for n, v in plan_values.items() if getattr(plan, n) != v]
        _apply(plan, plan_values)
    assert plan.id is not None

    result.days_changed = _sync_days(session, plan.id, spec) and not result.created

    areas = {a.key: a for a in session.exec(select(Area).where(Area.plan_id == plan.id))}
    tasks = {t.key: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    wanted_tasks = {task.key for _area, task in spec.tasks()}

    gone = [t for key, t in tasks.items() if key not in wanted_tasks and not t.retired]
    worked = _tasks_with_work(session, [t.id for t in gone if t.id is not None])
    _check_gone(plan, gone, worked, retire)

    for position, area_spec in enumerate(spec.areas):
        area = _sync_area(session, plan.id, position, area_spec, areas.get(area_spec.key), result)
        areas[area.key] = area
        for task_position, task_spec in enumerate(area_spec.tasks):
            _sync_task(
                session, plan.id, area, task_position, task_spec, tasks.get(task_spec.key), result
            )

    for task in gone:
        if task.id in worked:
            task.retired = True
            result.tasks_retired.append(task.key)
        else:
            session.delete(task)
            result.tasks_removed.append(task.key)
    session.flush()

    wanted_areas = {a.key for a in spec.areas}
    for key, area in areas.items():
        if key in wanted_areas:
            continue
        keeps = session.exec(select(Task.id).where(Task.area_id == area.id)).first()
        if keeps is not None:
            if not area.retired:
                area.retired = True
                result.areas_retired.append(key)
        else:
            session.delete(area)
            result.areas_removed.append(key)

    if result.changed:
        plan.source = source
        plan.loaded_at = datetime.now(UTC).replace(microsecond=0)
    session.flush()
    return result


def _check_gone(plan: Plan, gone: list[Task], worked: set[int], retire: bool) -> None:
    """Refuse to drop tasks that hold work, unless the user asked to retire them."""
    if retire or not gone:
        return
    blocked = [t.key for t in gone if t.id in worked]
    if blocked:
        raise InputError(
            _(
                "tasks {tasks} are gone from the file but have activities or a done mark in"
                " plan {year}; put them back, or load with --retire to keep them as retired"
            ).format(tasks=", ".join(f"'{k}'" for k in blocked), year=plan.year)
        )


def _tasks_with_work(session: Session, task_ids: list[int]) -> set[int]:
    from sqlmodel import select

    from wmcj.models import ActivityTask, Completion

    if not task_ids:
        return set()
    linked = session.exec(
        select(ActivityTask.task_id).where(ActivityTask.task_id.in_(task_ids)).distinct()
    ).all()
    done = session.exec(select(Completion.task_id).where(Completion.task_id.in_(task_ids))).all()
    return set(linked) | set(done)


def _sync_days(session: Session, plan_id: int, spec: PlanSpec) -> bool:
    """Store the plan's named days, resolved; say whether they changed."""
    from sqlmodel import select

    from wmcj.models import NamedDay
    from wmcj.namedays import BUILTIN_KEYS

    own = {d.key for d in spec.days}
    wanted = {
        key: (day.name, day.date, day.until, key in BUILTIN_KEYS and key not in own)
        for key, day in spec.named_days().items()
    }
    rows = {d.key: d for d in session.exec(select(NamedDay).where(NamedDay.plan_id == plan_id))}
    changed = False
    for key, row in rows.items():
        if key not in wanted:
            session.delete(row)
            changed = True
    for key, (name, first, until, builtin) in wanted.items():
        values = {"name": name, "date": first, "until": until, "builtin": builtin}
        row = rows.get(key)
        if row is None:
            session.add(NamedDay(plan_id=plan_id, key=key, **values))
            changed = True
        elif _apply(row, values):
            changed = True
    return changed


def _sync_area(
    session: Session,
    plan_id: int,
    position: int,
    spec: AreaSpec,
    area: Area | None,
    result: LoadResult,
) -> Area:
    from wmcj.models import Area

    values = {name: getattr(spec, name) for name in _AREA_FIELDS}
    if area is None:
        area = Area(plan_id=plan_id, key=spec.key, position=position, **values)
        session.add(area)
        session.flush()
        result.areas_added.append(spec.key)
        return area
    changed = _apply(area, values) | _apply(area, {"retired": False})
    moved = _apply(area, {"position": position})
    if changed or moved:
        result.areas_changed.append(spec.key)
    return area


def _sync_task(
    session: Session,
    plan_id: int,
    area: Area,
    position: int,
    spec: TaskSpec,
    task: Task | None,
    result: LoadResult,
) -> None:
    from wmcj.models import Task

    values = _task_values(spec)
    if task is None:
        assert area.id is not None
        session.add(
            Task(plan_id=plan_id, area_id=area.id, key=spec.key, position=position, **values)
        )
        result.tasks_added.append(spec.key)
        return
    changed = _apply(task, values)
    changed |= _apply(task, {"area_id": area.id, "position": position, "retired": False})
    if changed:
        result.tasks_changed.append(spec.key)


# -- finding plans ------------------------------------------------------------


def plan_years(session: Session) -> list[int]:
    from sqlmodel import select

    from wmcj.models import Plan

    return list(session.exec(select(Plan.year).order_by(Plan.year)))


def find_plan(session: Session, year: int | None, today: date | None = None) -> Plan:
    """The plan of ``year``; by default the plan of today's year, else the latest one."""
    from sqlmodel import select

    from wmcj.models import Plan

    years = plan_years(session)
    if not years:
        raise NotFound(_("no plan is loaded yet; load one with: wmcj plan load FILE"))
    if year is None:
        if today is None:
            from wmcj.clock import today as clock_today

            today = clock_today()
        year = today.year if today.year in years else years[-1]
    elif year not in years:
        raise NotFound(
            _("no plan for {year} is loaded (loaded: {years})").format(
                year=year, years=", ".join(map(str, years))
            )
        )
    return session.exec(select(Plan).where(Plan.year == year)).one()


def plan_for_date(session: Session, day: date) -> Plan:
    """The plan an activity of ``day`` belongs to: the plan of that year."""
    from sqlmodel import select

    from wmcj.models import Plan

    plan = session.exec(select(Plan).where(Plan.year == day.year)).first()
    if plan is None:
        years = plan_years(session)
        if not years:
            raise NotFound(_("no plan is loaded yet; load one with: wmcj plan load FILE"))
        raise InputError(
            _("{day} lies outside every loaded plan's year (loaded: {years})").format(
                day=day.isoformat(), years=", ".join(map(str, years))
            )
        )
    return plan


# -- reading plans back ---------------------------------------------------------


def effective_owner(task_owner: str | None, area_owner: str | None, office: str | None) -> str:
    """A task's owner falls back to its area's, then to the plan's office."""
    return task_owner or area_owner or office or ""


def task_json(task: Task, area: Area, plan: Plan) -> dict[str, Any]:
    """A task as written in the plan, with its effective owner."""
    evidence = {
        k: v
        for k, v in (
            ("photos", task.evidence_photos),
            ("words", task.evidence_words),
            ("files", task.evidence_files),
        )
        if v is not None
    }
    return {
        "id": task.key,
        "area": area.key,
        "title": task.title,
        "text": task.text,
        "owner": effective_owner(task.owner, area.owner, plan.office),
        "due": task.due,
        "target": task.target,
        "unit": task.unit,
        "every": task.every,
        "start": task.start,
        "on": task.on,
        "window": (7 if task.window is None else task.window) if task.on else None,
        "weight": task.weight,
        "evidence": evidence or None,
        "retired": task.retired,
    }


def plan_outline(*, session: Session, year: int | None) -> dict[str, Any]:
    """The loaded plan as plain data: header, named days, areas with their tasks."""
    from sqlmodel import select

    from wmcj.models import Area, NamedDay, Task

    plan = find_plan(session, year)
    areas = session.exec(select(Area).where(Area.plan_id == plan.id).order_by(Area.position)).all()
    tasks = session.exec(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).all()
    days = session.exec(
        select(NamedDay).where(NamedDay.plan_id == plan.id).order_by(NamedDay.date)
    ).all()
    by_area: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_area.setdefault(task.area_id, []).append(task)
    ordered = sorted(areas, key=lambda a: (a.kind != "key-work", a.position))
    return {
        "year": plan.year,
        "unit": plan.unit,
        "title": plan.title,
        "target": plan.target,
        "leader": plan.leader,
        "office": plan.office,
        "ideology": plan.ideology,
        "goal": plan.goal,
        "source": plan.source,
        "loaded_at": plan.loaded_at,
        "days": [
            {"key": d.key, "name": d.name, "date": d.date, "until": d.until, "builtin": d.builtin}
            for d in days
        ],
        "areas": [
            {
                "id": area.key,
                "kind": area.kind,
                "title": area.title,
                "text": area.text,
                "owner": area.owner or plan.office,
                "retired": area.retired,
                "tasks": [task_json(t, area, plan) for t in by_area.get(area.id, [])],
            }
            for area in ordered
        ],
    }


def list_plans(*, session: Session) -> list[dict[str, Any]]:
    """One row per loaded plan with its size."""
    from sqlalchemy import func
    from sqlmodel import select

    from wmcj.models import Activity, Area, Plan, Task

    def counts(model: Any, *where: Any) -> dict[int, int]:
        query = select(model.plan_id, func.count()).where(*where).group_by(model.plan_id)
        return dict(session.exec(query).all())

    areas = counts(Area, Area.retired == False)  # noqa: E712
    tasks = counts(Task, Task.retired == False)  # noqa: E712
    activities = counts(Activity)
    return [
        {
            "year": p.year,
            "unit": p.unit,
            "title": p.title,
            "target": p.target,
            "areas": areas.get(p.id, 0),
            "tasks": tasks.get(p.id, 0),
            "activities": activities.get(p.id, 0),
            "loaded_at": p.loaded_at,
            "source": p.source,
        }
        for p in session.exec(select(Plan).order_by(Plan.year))
    ]
