"""Loading a plan again: matched by ids, one transaction, nothing with work is lost."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wmcj.db import Database
from wmcj.errors import InputError
from wmcj.models import Activity, ActivityTask, Completion, Task
from wmcj.planfile import parse_plan
from wmcj.plans import load_plan

BASE = """\
version: 1
year: 2018
unit: 某县科学技术局
title: 方案
office: 局办公室
areas:
  - id: leadership
    title: 加强组织领导
    tasks:
      - id: work-plan
        title: 制定方案
        due: 03-31
      - id: work-meetings
        title: 召开工作会议
        every: quarter
  - id: activities
    title: 丰富活动载体
    tasks:
      - id: festival-events
        title: 节日活动
        on: [qingming, mid-autumn]
"""


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: what 'the database is untouched' means."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


@pytest.fixture
def database(db_path: Path) -> Database:
    db = Database(f"sqlite:///{db_path}")
    yield db
    db.close()


def load(db: Database, text: str, retire: bool = False):
    with db.write() as session:
        return load_plan(session=session, spec=parse_plan(text, "plan.yaml"), retire=retire)


def add_work(db: Database, task_key: str, done: bool = False) -> None:
    from sqlmodel import select

    with db.write() as session:
        task = session.exec(select(Task).where(Task.key == task_key)).one()
        activity = Activity(plan_id=task.plan_id, date=date(2018, 4, 5), title="清明祭扫")
        session.add(activity)
        session.flush()
        session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
        if done:
            session.add(Completion(task_id=task.id, date=date(2018, 4, 6)))


def test_first_load_adds_everything(database: Database) -> None:
    result = load(database, BASE)
    assert result.created
    assert result.areas_added == ["leadership", "activities"]
    assert result.tasks_added == ["work-plan", "work-meetings", "festival-events"]


def test_same_file_twice_changes_nothing(database: Database, db_path: Path) -> None:
    load(database, BASE)
    before = dump(db_path)
    result = load(database, BASE)
    assert not result.changed
    assert dump(db_path) == before


def test_changed_and_added_tasks(database: Database) -> None:
    load(database, BASE)
    text = BASE.replace("due: 03-31", "due: 04-30").replace(
        "        every: quarter\n",
        "        every: quarter\n"
        "      - id: regulations\n        title: 完善制度\n        target: 20\n",
    )
    result = load(database, text)
    assert result.tasks_changed == ["work-plan"]
    assert result.tasks_added == ["regulations"]
    assert not result.tasks_removed and not result.areas_changed
    with database.read() as session:
        from sqlmodel import select

        task = session.exec(select(Task).where(Task.key == "work-plan")).one()
        assert task.due == date(2018, 4, 30)


def test_dropped_task_without_work_is_removed(database: Database) -> None:
    load(database, BASE)
    result = load(
        database,
        BASE.replace("      - id: work-plan\n        title: 制定方案\n        due: 03-31\n", ""),
    )
    assert result.tasks_removed == ["work-plan"]


def test_dropped_task_with_work_refuses_the_whole_load(database: Database, db_path: Path) -> None:
    load(database, BASE)
    add_work(database, "work-plan")
    before = dump(db_path)
    text = BASE.replace("      - id: work-plan\n        title: 制定方案\n        due: 03-31\n", "")
    text = text.replace("title: 方案", "title: 新方案")  # a change that must not land either
    with pytest.raises(InputError, match=r"'work-plan'.*--retire"):
        load(database, text)
    assert dump(db_path) == before


def test_done_mark_alone_counts_as_work(database: Database) -> None:
    load(database, BASE)
    from sqlmodel import select

    with database.write() as session:
        task = session.exec(select(Task).where(Task.key == "work-plan")).one()
        session.add(Completion(task_id=task.id, date=date(2018, 3, 30)))
    with pytest.raises(InputError):
        load(
            database,
            BASE.replace(
                "      - id: work-plan\n        title: 制定方案\n        due: 03-31\n", ""
            ),
        )


def test_retire_keeps_task_and_activities(database: Database) -> None:
    load(database, BASE)
    add_work(database, "festival-events", done=True)
    # The whole area goes: its task has work, so the area is kept as retired.
    text = BASE[: BASE.index("  - id: activities")]
    result = load(database, text, retire=True)
    assert result.tasks_retired == ["festival-events"]
    assert result.areas_retired == ["activities"]
    from sqlmodel import select

    with database.read() as session:
        task = session.exec(select(Task).where(Task.key == "festival-events")).one()
        assert task.retired
        links = session.exec(select(ActivityTask).where(ActivityTask.task_id == task.id)).all()
        assert len(links) == 1
    # Loading the same retired state again: no changes.
    assert not load(database, text, retire=True).changed
    # Putting it back revives it, activities and all.
    revived = load(database, BASE)
    assert revived.tasks_changed == ["festival-events"]
    assert revived.areas_changed == ["activities"]
    with database.read() as session:
        assert not session.exec(select(Task).where(Task.key == "festival-events")).one().retired


def test_task_moves_between_areas(database: Database) -> None:
    load(database, BASE)
    add_work(database, "work-plan")
    text = BASE.replace("      - id: work-plan\n        title: 制定方案\n        due: 03-31\n", "")
    text += "      - id: work-plan\n        title: 制定方案\n        due: 03-31\n"
    result = load(database, text)
    # work-meetings moved up a place in its area: a change of order is a change too.
    assert sorted(result.tasks_changed) == ["work-meetings", "work-plan"]
    from sqlmodel import select

    from wmcj.models import Area

    with database.read() as session:
        task = session.exec(select(Task).where(Task.key == "work-plan")).one()
        area = session.get(Area, task.area_id)
        assert area.key == "activities"


def test_named_day_override_is_a_change(database: Database) -> None:
    load(database, BASE)
    text = BASE.replace("areas:\n", "days:\n  qingming: {name: 清明节, date: 04-04}\nareas:\n")
    result = load(database, text)
    assert result.days_changed and result.changed
    assert not load(database, text).changed


# -- any plan that validates, loaded twice, changes nothing the second time ------------

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
titles = st.text(
    alphabet=st.sampled_from(list("创建文明单位工作方案会议学习志愿服务ABCxyz 、，:#'\"-")),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")
mmdd = st.dates(date(2018, 1, 1), date(2018, 12, 31)).map(lambda d: d.strftime("%m-%d"))


@st.composite
def task_yaml(draw: st.DrawFn, key: str) -> str:
    lines = [f"      - id: {key}", f"        title: {json.dumps(draw(titles), ensure_ascii=False)}"]
    kind = draw(st.sampled_from(["plain", "every", "on"]))
    if kind == "every":
        lines.append(
            f"        every: {draw(st.sampled_from(['week', 'month', 'quarter', 'half', 'year']))}"
        )
        if draw(st.booleans()):
            lines.append("        start: 02-01")
    elif kind == "on":
        days = draw(
            st.lists(
                st.sampled_from(["qingming", "ip-day", "mid-autumn", "06-01"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        lines.append(f"        on: [{', '.join(days)}]")
        if draw(st.booleans()):
            lines.append(f"        window: {draw(st.integers(0, 30))}")
    if draw(st.booleans()):
        lines.append(f"        due: {draw(mmdd) if kind != 'every' else '12-31'}")
    if draw(st.booleans()):
        lines.append(f"        target: {draw(st.integers(1, 30))}")
    if draw(st.booleans()):
        lines.append(f"        weight: {draw(st.sampled_from(['0.5', '1', '2', '3.25']))}")
    if draw(st.booleans()):
        lines.append(f"        evidence: {{photos: {draw(st.integers(1, 3))}}}")
    return "\n".join(lines) + "\n"


@st.composite
def plans(draw: st.DrawFn) -> str:
    keys = draw(st.lists(slugs, min_size=1, max_size=8, unique=True))
    area_count = draw(st.integers(1, min(3, len(keys))))
    text = "version: 1\nyear: 2018\nunit: 单位\ntitle: 方案\nareas:\n"
    for index in range(area_count):
        mine = keys[index::area_count]
        kind = draw(st.sampled_from(["key-work", "safeguard"]))
        text += f"  - id: area-{index}\n    kind: {kind}\n    title: 领域{index}\n    tasks:\n"
        for key in mine:
            text += draw(task_yaml(key))
    return text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=plans())
def test_any_valid_plan_loaded_twice_changes_nothing(tmp_path: Path, text: str) -> None:
    import uuid

    path = tmp_path / f"{uuid.uuid4().hex}.db"
    db = Database(f"sqlite:///{path}")
    try:
        assert load(db, text).created
        before = dump(path)
        assert not load(db, text).changed
        assert dump(path) == before
    finally:
        db.close()
