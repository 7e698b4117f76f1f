"""Tasks of a plan: where each stands, one task in full, marking tasks done and reopening them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from wmcj.errors import InputError, NotFound
from wmcj.i18n import _
from wmcj.progress import STATUSES, Period, TaskProgress, TaskRule

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Area, Plan, Task


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A task as the plan file writes it, and where it stands (None: retired, out of the score)."""

    written: dict[str, Any]
    standing: TaskProgress | None


@dataclass(frozen=True, slots=True)
class TaskListing:
    """The tasks of one plan as of a day, in plan order."""

    year: int
    as_of: date
    lines: list[TaskLine]
    day_names: dict[str, str]


@dataclass(frozen=True, slots=True)
class DoneMark:
    date: date
    note: str | None


@dataclass(frozen=True, slots=True)
class LinkedActivity:
    """An activity linked to a task: whether it counts as of the day and carries the evidence."""

    id: int
    date: date
    title: str
    people: int | None
    who: list[str] | None
    place: str | None
    photos: int
    files: int
    note_chars: int
    counted: bool
    documented: bool


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """One task in full: as written, where it stands, its done mark and its activities."""

    year: int
    as_of: date
    written: dict[str, Any]
    area_title: str
    standing: TaskProgress | None
    rule: TaskRule | None
    done: DoneMark | None
    activities: list[LinkedActivity]
    day_names: dict[str, str]


@dataclass(frozen=True, slots=True)
class DoneResult:
    """What ``task done``/``reopen`` did: the mark now (None once reopened) and the one before."""

    key: str
    title: str
    year: int
    mark: DoneMark | None
    previous: DoneMark | None


# -- finding --------------------------------------------------------------------------


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return _(" — did you mean '{choice}'?").format(choice=close[0]) if close else ""


def find_task(session: Session, plan: Plan, key: str) -> Task:
    """The task with id ``key`` in the plan (retired ones included), or NotFound with a hint."""
    from sqlmodel import select

    from wmcj.models import Task

    tasks = {t.key: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    if key in tasks:
        return tasks[key]
    hint = _suggest(key, sorted(tasks))
    if hint:
        raise NotFound(_("no task '{key}' in plan {year}").format(key=key, year=plan.year) + hint)
    raise NotFound(
        _("no task '{key}' in plan {year}; see the ids with: wmcj task list").format(
            key=key, year=plan.year
        )
    )


def _areas(session: Session, plan: Plan) -> list[Area]:
    """The plan's areas as reports order them: key work first, then safeguards, in plan order."""
    from sqlmodel import select

    from wmcj.models import Area

    areas = session.exec(select(Area).where(Area.plan_id == plan.id)).all()
    return sorted(areas, key=lambda a: (a.kind != "key-work", a.position))


def effective_due(written: dict[str, Any], year: int) -> date | None:
    """A task's deadline as reports give it: its ``due``, else 12-31 for ``every`` tasks."""
    if written["due"] is not None:
        return written["due"]
    return date(year, 12, 31) if written["every"] else None


def _day_names(days: dict[str, Any]) -> dict[str, str]:
    return {key: day.name for key, day in days.items()}


# -- listing --------------------------------------------------------------------------


def list_tasks(
    *,
    session: Session,
    year: int | None,
    as_of: date,
    area: str | None = None,
    status: str | None = None,
    include_retired: bool = False,
) -> TaskListing:
    """The plan's tasks with where each stands as of ``as_of``; retired ones only on request."""
    from sqlmodel import select

    from wmcj.models import Task
    from wmcj.plans import task_json
    from wmcj.tracking import plan_status

    if status is not None and status not in STATUSES:
        raise InputError(
            _("--status '{value}' is not a status; use one of: {choices}").format(
                value=status, choices=", ".join(STATUSES)
            )
        )
    found = plan_status(session=session, year=year, as_of=as_of)
    plan = found.plan
    areas = _areas(session, plan)
    if area is not None and area not in {a.key for a in areas}:
        keys = [a.key for a in areas]
        raise NotFound(
            _("no area '{key}' in plan {year}").format(key=area, year=plan.year)
            + (_suggest(area, keys) or _("; the areas are: {keys}").format(keys=", ".join(keys)))
        )
    standing = {t.key: t for t in found.progress.tasks()}
    tasks = session.exec(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).all()
    lines = []
    for row in areas:
        if area is not None and row.key != area:
            continue
        for task in tasks:
            if task.area_id != row.id or (task.retired and not include_retired):
                continue
            progress = None if task.retired else standing.get(task.key)
            if status is not None and (progress is None or progress.status != status):
                continue
            lines.append(TaskLine(task_json(task, row, plan), progress))
    return TaskListing(plan.year, as_of, lines, _day_names(found.days))


def _periods_json(periods: tuple[Period, ...], rule: TaskRule | None) -> list[dict[str, Any]]:
    days = {day.key: day for day in rule.on} if rule is not None else {}
    result = []
    for period in periods:
        item: dict[str, Any] = {
            "label": period.label,
            "first": period.first,
            "last": period.last,
            "count": period.count,
            "target": period.target,
            "outcome": period.outcome,
        }
        if period.label in days:
            day = days[period.label]
            item |= {"name": period.name, "date": day.date, "until": day.until}
        result.append(item)
    return result


def line_json(line: TaskLine, year: int, rule: TaskRule | None = None) -> dict[str, Any]:
    """One task for ``--format json``: as written plus where it stands; never rounded."""
    written, progress = line.written, line.standing
    data = {**written, "due": effective_due(written, year)}
    if progress is None:
        data |= {
            "count": None,
            "progress": None,
            "status": "retired",
            "undocumented": None,
            "done": None,
            "periods": [],
        }
        return data
    data |= {
        "count": progress.count,
        "progress": progress.progress,
        "status": progress.status,
        "undocumented": progress.undocumented,
        "done": progress.done_on,
        "periods": _periods_json(progress.periods, rule),
    }
    return data


def listing_json(listing: TaskListing) -> list[dict[str, Any]]:
    return [line_json(line, listing.year) for line in listing.lines]


# -- one task ---------------------------------------------------------------------------


def _documented(task: Task, photos: int, files: int, note_chars: int) -> bool:
    """Whether an activity carries what the task's evidence rule asks (always, without one)."""
    return not (
        (task.evidence_photos is not None and photos < task.evidence_photos)
        or (task.evidence_words is not None and note_chars < task.evidence_words)
        or (task.evidence_files is not None and files < task.evidence_files)
    )


def _counted(rule: TaskRule | None, year: int, day: date, as_of: date) -> bool:
    """Whether an activity of ``day`` counts for the task as of ``as_of`` (as progress counts)."""
    from wmcj.progress import counts_on

    return rule is not None and day <= as_of and counts_on(rule, year, day)


def show_task(*, session: Session, key: str, year: int | None, as_of: date) -> TaskDetail:
    """One task in full as of ``as_of``; its activities newest first."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Area, Completion
    from wmcj.plans import task_json
    from wmcj.tracking import plan_status

    found = plan_status(session=session, year=year, as_of=as_of)
    plan = found.plan
    task = find_task(session, plan, key)
    area = session.get(Area, task.area_id)
    assert area is not None
    progress = None
    if not task.retired:
        progress = next(t for t in found.progress.tasks() if t.key == task.key)
    rule = None if task.retired else found.rules[task.key]
    completion = session.exec(select(Completion).where(Completion.task_id == task.id)).first()
    rows = session.exec(
        select(Activity)
        .join(ActivityTask, ActivityTask.activity_id == Activity.id)
        .where(ActivityTask.task_id == task.id)
        .order_by(Activity.date.desc(), Activity.id.desc())  # type: ignore[union-attr]
    ).all()
    activities = [
        LinkedActivity(
            id=a.id or 0,
            date=a.date,
            title=a.title,
            people=a.people,
            who=a.who,
            place=a.place,
            photos=a.photos,
            files=a.files,
            note_chars=a.note_chars,
            counted=_counted(rule, plan.year, a.date, as_of),
            documented=_documented(task, a.photos, a.files, a.note_chars),
        )
        for a in rows
    ]
    return TaskDetail(
        year=plan.year,
        as_of=as_of,
        written=task_json(task, area, plan),
        area_title=area.title,
        standing=progress,
        rule=rule,
        done=DoneMark(completion.date, completion.note) if completion else None,
        activities=activities,
        day_names=_day_names(found.days),
    )


def detail_json(detail: TaskDetail) -> dict[str, Any]:
    """One task for ``task show --format json``."""
    data = line_json(TaskLine(detail.written, detail.standing), detail.year, detail.rule)
    data |= {
        "year": detail.year,
        "as_of": detail.as_of,
        "area_title": detail.area_title,
        # The mark as recorded, even when dated after the as-of day (then `done` is null).
        "done_mark": (
            {"date": detail.done.date, "note": detail.done.note} if detail.done else None
        ),
        "activities": [
            {
                "id": a.id,
                "date": a.date,
                "title": a.title,
                "people": a.people,
                "who": a.who,
                "place": a.place,
                "photos": a.photos,
                "files": a.files,
                "note_chars": a.note_chars,
                "counted": a.counted,
                "documented": a.documented,
            }
            for a in detail.activities
        ],
    }
    return data


# -- done marks ---------------------------------------------------------------------------


def _plan_for_mark(session: Session, year: int | None, day: date | None, today: date) -> Plan:
    """``--year``, else the plan of ``--date``, else the default plan."""
    from wmcj.plans import find_plan, plan_for_date

    if year is None and day is not None:
        return plan_for_date(session, day)
    return find_plan(session, year, today=today)


def _live(task: Task, plan: Plan) -> None:
    if task.retired:
        raise InputError(
            _(
                "task '{key}' is retired from plan {year} (gone from the plan file);"
                " its done mark cannot be changed"
            ).format(key=task.key, year=plan.year)
        )


def mark_done(
    *,
    session: Session,
    key: str,
    year: int | None,
    day: date | None,
    note: str | None,
    today: date,
) -> DoneResult:
    """Mark a task done on ``day`` (default today); marking it again moves the mark.

    A note given again replaces the old one; without ``--note`` the old note stays.
    """
    from sqlmodel import select

    from wmcj.models import Completion

    plan = _plan_for_mark(session, year, day, today)
    when = day if day is not None else today
    if when.year != plan.year:
        raise InputError(
            _(
                "the done date {day} is not in plan {year}'s year;"
                " give --date YYYY-MM-DD within {year}"
            ).format(day=when.isoformat(), year=plan.year)
        )
    if when > today:
        raise InputError(
            _(
                "the done date {day} is after today ({today});"
                " a task is marked done once it is done"
            ).format(day=when.isoformat(), today=today.isoformat())
        )
    task = find_task(session, plan, key)
    _live(task, plan)
    note = note.strip() if note is not None else None
    completion = session.exec(select(Completion).where(Completion.task_id == task.id)).first()
    previous = None
    if completion is None:
        assert task.id is not None
        completion = Completion(
            task_id=task.id,
            date=when,
            note=note or None,
            created_at=datetime.now(UTC).replace(microsecond=0),
        )
        session.add(completion)
    else:
        previous = DoneMark(completion.date, completion.note)
        completion.date = when
        if note is not None:
            completion.note = note or None
    session.flush()
    return DoneResult(task.key, task.title, plan.year, DoneMark(when, completion.note), previous)


def reopen_task(*, session: Session, key: str, year: int | None, today: date) -> DoneResult:
    """Remove a task's done mark; the removed mark comes back as ``previous``."""
    from sqlmodel import select

    from wmcj.models import Completion
    from wmcj.plans import find_plan

    plan = find_plan(session, year, today=today)
    task = find_task(session, plan, key)
    _live(task, plan)
    completion = session.exec(select(Completion).where(Completion.task_id == task.id)).first()
    if completion is None:
        raise InputError(
            _("task '{key}' is not marked done in plan {year}; there is nothing to reopen").format(
                key=task.key, year=plan.year
            )
        )
    removed = DoneMark(completion.date, completion.note)
    session.delete(completion)
    session.flush()
    return DoneResult(task.key, task.title, plan.year, None, removed)
