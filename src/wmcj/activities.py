"""Activities: what staff did, linked to the plan's tasks it counts for, with its photos and files.

An activity belongs to the plan of its date's year; its task ids are resolved in
that plan. The evidence figures (``photos``, ``files``, ``note_chars``) are kept on
the row so reports can check evidence rules in SQL; this module keeps them right.
Attachment bytes go to the store (:mod:`wmcj.attachments`) only after everything
else has been checked.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wmcj.attachments import Store, StoreChanges, check_readable
from wmcj.errors import InputError, NotFound
from wmcj.i18n import _
from wmcj.plans import find_plan, plan_for_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from wmcj.models import Activity, Attachment, Plan, Task

#: Limits beyond which a figure is a typing slip, not a record.
MAX_PEOPLE = 1_000_000
MAX_HOURS = 24 * 366

#: What separates names in ``--who`` and ``--tag``: ASCII and full-width commas, 顿号.
_SEPARATORS = re.compile(r"[,，、]")

#: The fields ``edit`` may change; a value of None clears an optional one.
EDITABLE = ("title", "date", "tasks", "people", "who", "hours", "place", "note", "tags")


@dataclass
class ActivityFields:
    """A new activity as the user described it (already parsed, not yet checked)."""

    title: str
    date: date
    tasks: list[str]
    people: int | None = None
    who: list[str] = field(default_factory=list)
    hours: float | None = None
    place: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    attach: list[Path] = field(default_factory=list)


# -- turning what people type into values ----------------------------------------


def split_names(values: Iterable[str]) -> list[str]:
    """Names from repeated options, each possibly a list: ``张三,李四`` / ``张三、李四``."""
    names: list[str] = []
    for value in values:
        for part in _SEPARATORS.split(value):
            name = part.strip()
            if name and name not in names:
                names.append(name)
    return names


def parse_people(text: str) -> int | None:
    """``--people``: a whole number ≥ 0; empty means none given."""
    value = text.strip()
    if not value:
        return None
    try:
        people = int(value)
    except ValueError:
        raise InputError(
            _("--people '{value}' is not a whole number; give how many took part, e.g. 12").format(
                value=text
            )
        ) from None
    return check_people(people)


def parse_hours(text: str) -> float | None:
    """``--hours``: a number of hours ≥ 0 (decimals allowed); empty means none given."""
    value = text.strip()
    if not value:
        return None
    try:
        hours = float(value)
    except ValueError:
        raise InputError(
            _("--hours '{value}' is not a number; give the hours spent, e.g. 2.5").format(
                value=text
            )
        ) from None
    return check_hours(hours)


def check_people(people: int) -> int:
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise InputError(
            _("--people must be a whole number of 0 or more, not {value}").format(value=people)
        )
    if people > MAX_PEOPLE:
        raise InputError(
            _("--people {value} is more than {limit}; check the figure").format(
                value=people, limit=f"{MAX_PEOPLE:,}"
            )
        )
    return people


def check_hours(hours: float) -> float:
    if isinstance(hours, bool) or not math.isfinite(hours) or hours < 0:
        raise InputError(
            _("--hours must be a number of 0 or more, not {value}").format(value=hours)
        )
    if hours > MAX_HOURS:
        raise InputError(
            _("--hours {value} is more than a year's hours ({limit}); check the figure").format(
                value=f"{hours:g}", limit=MAX_HOURS
            )
        )
    return float(hours)


def check_title(title: str) -> str:
    """A title is kept exactly as typed, but it must say something."""
    if not title or not title.strip():
        raise InputError(_("the title is empty; say in a few words what was done"))
    return title


def note_chars(note: str | None) -> int:
    """The evidence rule's ``words``: the note's characters, white space excluded."""
    return sum(1 for char in note or "" if not char.isspace())


def _text_or_none(text: str | None) -> str | None:
    """Optional text is kept as typed; blank means there is none."""
    return text if text is not None and text.strip() else None


# -- finding things ------------------------------------------------------------------


def _did_you_mean(word: str, choices: dict[str, str]) -> str:
    """`` — did you mean 'x'?`` for the closest of ``choices`` (what people type → id)."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return ""
    return _(" — did you mean '{choice}'?").format(choice=choices[close[0]])


def _resolve_tasks(session: Session, plan: Plan, keys: list[str]) -> list[Task]:
    """The live tasks named by ``keys`` (each maybe ``a,b``) in ``plan``, duplicates dropped."""
    from sqlmodel import select

    from wmcj.models import Task

    tasks = {t.key: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    live = {t.key: t.key for t in tasks.values() if not t.retired}
    live.update({t.title: t.key for t in tasks.values() if not t.retired})
    found: list[Task] = []
    for key in split_names(keys):
        task = tasks.get(key)
        if task is None:
            hint = _did_you_mean(key, live) or _(
                "; see the task ids with: wmcj plan show --year {year}"
            ).format(year=plan.year)
            raise NotFound(
                _("no task '{key}' in plan {year}").format(key=key, year=plan.year) + hint
            )
        if task.retired:
            raise InputError(
                _(
                    "task '{key}' is retired in plan {year}; activities can only be recorded"
                    " for live tasks"
                ).format(key=key, year=plan.year)
            )
        found.append(task)
    if not found:
        raise InputError(_("give at least one --task the activity counts for"))
    return found


def _activity(session: Session, number: int) -> Activity:
    from wmcj.models import Activity

    # Beyond SQLite's integers there is no activity (and the driver would fail, not say so).
    activity = session.get(Activity, number) if 0 < number < 2**63 else None
    if activity is None:
        raise NotFound(_("no activity #{number}").format(number=number))
    return activity


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# -- recording -----------------------------------------------------------------------


def add_activity(*, session: Session, files: StoreChanges, fields: ActivityFields) -> int:
    """Record one activity and return its number; nothing is written if anything is wrong."""
    from wmcj.models import Activity

    title = check_title(fields.title)
    people = None if fields.people is None else check_people(fields.people)
    hours = None if fields.hours is None else check_hours(fields.hours)
    sources = _attachable(fields.attach)
    plan = plan_for_date(session, fields.date)
    tasks = _resolve_tasks(session, plan, fields.tasks)

    # Everything is checked: only now do bytes go to the store.
    note = _text_or_none(fields.note)
    now = _now()
    activity = Activity(
        plan_id=plan.id,
        date=fields.date,
        title=title,
        people=people,
        who=split_names(fields.who) or None,
        hours=hours,
        place=_text_or_none(fields.place),
        note=note,
        note_chars=note_chars(note),
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    session.flush()
    assert activity.id is not None
    _link(session, activity.id, tasks)
    _tag(session, activity.id, split_names(fields.tags))
    _attach(session, files, activity, sources, [])
    session.flush()
    return activity.id


def _attachable(paths: Iterable[Path]) -> list[Path]:
    """The files to attach, each checked readable, the same path given twice kept once."""
    sources: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        check_readable(path)
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            sources.append(path)
    return sources


def _link(session: Session, activity_id: int, tasks: list[Task]) -> None:
    from sqlmodel import delete

    from wmcj.models import ActivityTask

    session.exec(delete(ActivityTask).where(ActivityTask.activity_id == activity_id))
    for task in tasks:
        assert task.id is not None
        session.add(ActivityTask(activity_id=activity_id, task_id=task.id))


def _tag(session: Session, activity_id: int, tags: list[str]) -> None:
    from sqlmodel import delete

    from wmcj.models import ActivityTag

    session.exec(delete(ActivityTag).where(ActivityTag.activity_id == activity_id))
    for position, tag in enumerate(tags):
        session.add(ActivityTag(activity_id=activity_id, tag=tag, position=position))


def _attach(
    session: Session,
    files: StoreChanges,
    activity: Activity,
    sources: list[Path],
    kept: list[Attachment],
) -> None:
    """Store the new files, add their rows after ``kept``, and recount the evidence."""
    from wmcj.models import Attachment

    assert activity.id is not None
    rows = list(kept)
    have = {(a.sha256, a.name) for a in rows}
    position = max((a.position for a in rows), default=-1) + 1
    for source in sources:
        stored = files.put(source)
        if (stored.sha256, stored.name) in have:
            continue  # the very same file under the same name: attached already
        have.add((stored.sha256, stored.name))
        row = Attachment(
            activity_id=activity.id,
            position=position,
            sha256=stored.sha256,
            name=stored.name,
            media_type=stored.media_type,
            size=stored.size,
            photo=stored.photo,
        )
        session.add(row)
        rows.append(row)
        position += 1
    activity.photos = sum(1 for a in rows if a.photo)
    activity.files = len(rows) - activity.photos


def _release(session: Session, files: StoreChanges, gone: Iterable[Attachment]) -> None:
    """Drop from the store the files of ``gone`` rows that no remaining row uses."""
    from sqlmodel import select

    from wmcj.models import Attachment

    session.flush()
    store = files.store
    for row in gone:
        path = store.path(row.sha256, row.name)
        users = session.exec(select(Attachment.name).where(Attachment.sha256 == row.sha256)).all()
        if not any(store.path(row.sha256, name) == path for name in users):
            files.drop(row.sha256, row.name)


def edit_activity(
    *,
    session: Session,
    files: StoreChanges,
    number: int,
    changes: dict[str, Any] | None = None,
    attach: Iterable[Path] = (),
    detach: Iterable[str] = (),
) -> None:
    """Change an activity: given fields replace the old ones (None clears an optional one).

    ``tasks`` replaces the task links; ``attach`` adds files; ``detach`` removes
    attachments by file name (or sha256 prefix). A new date in another year moves the
    activity to that year's plan, its task ids resolved there.
    """
    from sqlmodel import select

    from wmcj.models import Attachment, Plan

    changes = changes or {}
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    attach, detach = list(attach), list(detach)
    if not changes and not attach and not detach:
        raise InputError(_("nothing to change; give the options to change (see --help)"))

    activity = _activity(session, number)
    assert activity.id is not None
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = check_title(changes["title"] or "")
    if "people" in changes:
        values["people"] = None if changes["people"] is None else check_people(changes["people"])
    if "hours" in changes:
        values["hours"] = None if changes["hours"] is None else check_hours(changes["hours"])
    for name in ("place", "note"):
        if name in changes:
            values[name] = _text_or_none(changes[name])
    if "who" in changes:
        values["who"] = split_names(changes["who"] or []) or None
    sources = _attachable(attach)

    old_plan = session.get(Plan, activity.plan_id)
    assert old_plan is not None
    plan = old_plan
    if "date" in changes:
        if changes["date"] is None:
            raise InputError(_("an activity needs a date; give --date YYYY-MM-DD"))
        values["date"] = changes["date"]
        plan = plan_for_date(session, changes["date"])
    tasks: list[Task] | None = None
    if "tasks" in changes:
        tasks = _resolve_tasks(session, plan, list(changes["tasks"] or []))
    elif plan.id != old_plan.id:
        tasks = _resolve_tasks(session, plan, _task_keys(session, activity.id))

    rows = list(
        session.exec(
            select(Attachment)
            .where(Attachment.activity_id == activity.id)
            .order_by(Attachment.position, Attachment.id)
        )
    )
    gone = _detached(rows, detach, number)

    # Everything is checked: write.
    for name, value in values.items():
        setattr(activity, name, value)
    activity.plan_id = plan.id  # type: ignore[assignment]
    activity.note_chars = note_chars(activity.note)
    if tasks is not None:
        _link(session, activity.id, tasks)
    if "tags" in changes:
        _tag(session, activity.id, split_names(changes["tags"] or []))
    for row in gone:
        session.delete(row)
    _attach(session, files, activity, sources, [r for r in rows if r not in gone])
    activity.updated_at = _now()
    _release(session, files, gone)
    session.flush()


def _detached(rows: list[Attachment], detach: list[str], number: int) -> list[Attachment]:
    """The attachments ``--detach`` names: by file name, or by a sha256 prefix (≥ 6 digits)."""
    gone: list[Attachment] = []
    for wanted in detach:
        hits = [r for r in rows if r.name == wanted]
        prefix = wanted.lower()
        if not hits and len(prefix) >= 6:
            hits = [r for r in rows if r.sha256.startswith(prefix)]
        if not hits:
            hint = _did_you_mean(wanted, {r.name: r.name for r in rows})
            raise NotFound(
                _("activity #{number} has no attachment '{name}'").format(
                    number=number, name=wanted
                )
                + hint
            )
        if len(hits) > 1 and len({r.sha256 for r in hits}) > 1:
            raise InputError(
                _(
                    "activity #{number} has several attachments named '{name}'; give the"
                    " start of its sha256 instead (see wmcj activity show {number})"
                ).format(number=number, name=wanted)
            )
        gone.extend(r for r in hits if r not in gone)
    return gone


def _task_keys(session: Session, activity_id: int) -> list[str]:
    from sqlmodel import select

    from wmcj.models import ActivityTask, Task

    return list(
        session.exec(
            select(Task.key)
            .join(ActivityTask, ActivityTask.task_id == Task.id)
            .where(ActivityTask.activity_id == activity_id)
            .order_by(Task.id)
        )
    )


def remove_activity(*, session: Session, files: StoreChanges, number: int) -> None:
    """Delete an activity with its links, tags and attachments; unused files leave the store."""
    from sqlmodel import delete, select

    from wmcj.models import ActivityTag, ActivityTask, Attachment

    activity = _activity(session, number)
    rows = list(session.exec(select(Attachment).where(Attachment.activity_id == number)))
    session.exec(delete(Attachment).where(Attachment.activity_id == number))
    session.exec(delete(ActivityTag).where(ActivityTag.activity_id == number))
    session.exec(delete(ActivityTask).where(ActivityTask.activity_id == number))
    session.delete(activity)
    _release(session, files, rows)
    session.flush()


# -- reading back ----------------------------------------------------------------------


def _records(session: Session, store: Store, ids: Any) -> list[dict[str, Any]]:
    """Activities as plain data (the JSON shape), for the ids selected by ``ids`` (a subquery)."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTag, ActivityTask, Area, Attachment, Plan, Task

    activities = session.exec(
        select(Activity, Plan.year)
        .join(Plan, Plan.id == Activity.plan_id)
        .where(Activity.id.in_(ids))  # type: ignore[union-attr]
        .order_by(Activity.date, Activity.id)
    ).all()
    links: dict[int, list[tuple[tuple[bool, int, int], str]]] = {}
    for activity_id, key, kind, area_position, task_position in session.exec(
        select(ActivityTask.activity_id, Task.key, Area.kind, Area.position, Task.position)
        .join(Task, Task.id == ActivityTask.task_id)
        .join(Area, Area.id == Task.area_id)
        .where(ActivityTask.activity_id.in_(ids))  # type: ignore[attr-defined]
    ):
        order = (kind != "key-work", area_position, task_position)
        links.setdefault(activity_id, []).append((order, key))
    tags: dict[int, list[str]] = {}
    for activity_id, tag in session.exec(
        select(ActivityTag.activity_id, ActivityTag.tag)
        .where(ActivityTag.activity_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ActivityTag.activity_id, ActivityTag.position, ActivityTag.tag)
    ):
        tags.setdefault(activity_id, []).append(tag)
    attachments: dict[int, list[dict[str, Any]]] = {}
    for row in session.exec(
        select(Attachment)
        .where(Attachment.activity_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Attachment.position, Attachment.id)
    ):
        attachments.setdefault(row.activity_id, []).append(
            {
                "name": row.name,
                "sha256": row.sha256,
                "media_type": row.media_type,
                "size": row.size,
                "photo": row.photo,
                "path": str(store.path(row.sha256, row.name).absolute()),
            }
        )
    records = []
    for activity, year in activities:
        assert activity.id is not None
        records.append(
            {
                "id": activity.id,
                "year": year,
                "date": activity.date,
                "title": activity.title,
                "tasks": [key for _order, key in sorted(links.get(activity.id, []))],
                "people": activity.people,
                "who": list(activity.who or []),
                "hours": activity.hours,
                "place": activity.place,
                "note": activity.note,
                "tags": tags.get(activity.id, []),
                "attachments": attachments.get(activity.id, []),
                "photos": activity.photos,
                "files": activity.files,
                "note_chars": activity.note_chars,
                "created_at": activity.created_at,
                "updated_at": activity.updated_at,
            }
        )
    return records


def show_activity(*, session: Session, store: Store, number: int) -> dict[str, Any]:
    """One activity with everything about it, and the titles of its tasks."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Task

    _activity(session, number)
    (record,) = _records(session, store, select(Activity.id).where(Activity.id == number))
    titles = session.exec(
        select(Task.key, Task.title)
        .join(ActivityTask, ActivityTask.task_id == Task.id)
        .where(ActivityTask.activity_id == number)
    ).all()
    record["task_titles"] = dict(titles)
    return record


def list_activities(
    *,
    session: Session,
    store: Store,
    year: int | None = None,
    task: str | None = None,
    area: str | None = None,
    tag: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    """Activities in date order: by default the default plan's; with a date range, any year's."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTag, ActivityTask, Area, Task

    if start is not None and end is not None and start > end:
        raise InputError(
            _("--from {start} is after --to {end}; swap them").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    query = select(Activity.id)
    plan: Plan | None = None
    if year is not None or (start is None and end is None):
        plan = find_plan(session, year)
        query = query.where(Activity.plan_id == plan.id)
    if start is not None:
        query = query.where(Activity.date >= start)
    if end is not None:
        query = query.where(Activity.date <= end)
    if task is not None:
        task_ids = _named(session, plan, Task, task, _("task"))
        linked = select(ActivityTask.activity_id).where(
            ActivityTask.task_id.in_(task_ids)  # type: ignore[attr-defined]
        )
        query = query.where(Activity.id.in_(linked))  # type: ignore[union-attr]
    if area is not None:
        area_ids = _named(session, plan, Area, area, _("area"))
        linked = (
            select(ActivityTask.activity_id)
            .join(Task, Task.id == ActivityTask.task_id)
            .where(Task.area_id.in_(area_ids))  # type: ignore[attr-defined]
        )
        query = query.where(Activity.id.in_(linked))  # type: ignore[union-attr]
    if tag is not None:
        tagged = select(ActivityTag.activity_id).where(ActivityTag.tag == tag.strip())
        query = query.where(Activity.id.in_(tagged))  # type: ignore[union-attr]
    return _records(session, store, query)


def _named(session: Session, plan: Plan | None, model: Any, key: str, what: str) -> list[int]:
    """The ids of the tasks or areas with this id, in ``plan`` or in any plan; unknown: refuse."""
    from sqlmodel import select

    query = select(model.id, model.key)
    if plan is not None:
        query = query.where(model.plan_id == plan.id)
    rows = session.exec(query).all()
    ids = [row_id for row_id, row_key in rows if row_key == key]
    if ids:
        return ids
    hint = _did_you_mean(key, {k: k for _id, k in rows})
    if plan is not None:
        message = _("no {what} '{key}' in plan {year}").format(what=what, key=key, year=plan.year)
    else:
        message = _("no {what} '{key}' in any loaded plan").format(what=what, key=key)
    raise NotFound(message + hint)
