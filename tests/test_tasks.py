"""The task service: listings and filters, one task in full, done marks; database properties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from wmcj.db import Database
from wmcj.errors import InputError, NotFound
from wmcj.models import Activity, ActivityTask, Completion, Plan, Task
from wmcj.planfile import parse_plan
from wmcj.plans import load_plan
from wmcj.tasks import detail_json, list_tasks, listing_json, mark_done, reopen_task, show_task
from wmcj.tracking import plan_status

PLAN = """\
version: 1
year: 2018
unit: 测试单位
title: 2018年测试方案
office: 办公室
days:
  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}
areas:
  - id: leadership
    title: 组织领导
    owner: 领导小组
    tasks:
      - id: work-plan
        title: 制定方案
        due: 03-31
        weight: 3
      - id: meetings
        title: 每季度两次会议
        every: quarter
        target: 2
        evidence: {words: 20}
      - id: weekly-news
        title: 每周一篇动态
        every: week
        start: 03-05
        due: 06-30
  - id: activities
    title: 活动
    tasks:
      - id: festivals
        title: 节日活动
        on: [qingming, sci-tech-week, 10-01]
        window: 0
        evidence: {photos: 2}
      - id: regulations
        title: 完善制度
        target: 3
        unit: 项
  - id: safeguards
    kind: safeguard
    title: 保障
    tasks:
      - id: summary
        title: 年度总结
        due: 12-31
        weight: 0.5
"""
KEYS = ["work-plan", "meetings", "weekly-news", "festivals", "regulations", "summary"]
Y = 2018


def d(mmdd: str) -> date:
    return date.fromisoformat(f"{Y}-{mmdd}")


def load(database: Database, text: str = PLAN, retire: bool = False) -> None:
    with database.write() as session:
        load_plan(session=session, spec=parse_plan(text), retire=retire)


def add_activity(
    session: Session,
    day: date,
    tasks: list[str],
    *,
    title: str = "活动",
    photos: int = 0,
    files: int = 0,
    note_chars: int = 0,
    people: int | None = None,
    place: str | None = None,
) -> int:
    """An activity row linked to tasks, as ``activity add`` would store it."""
    plan = session.exec(select(Plan).where(Plan.year == day.year)).one()
    ids = {t.key: t.id for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    activity = Activity(
        plan_id=plan.id,
        date=day,
        title=title,
        photos=photos,
        files=files,
        note="记" * note_chars or None,
        note_chars=note_chars,
        people=people,
        place=place,
    )
    session.add(activity)
    session.flush()
    for key in tasks:
        session.add(ActivityTask(activity_id=activity.id, task_id=ids[key]))
    session.flush()
    assert activity.id is not None
    return activity.id


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'tasks.db'}")
    load(db)
    yield db
    db.close()


def statuses(database: Database, as_of: date, **filters: object) -> dict[str, str]:
    with database.read() as session:
        listing = list_tasks(session=session, year=Y, as_of=as_of, **filters)  # type: ignore[arg-type]
    return {row["id"]: row["status"] for row in listing_json(listing)}


# -- listing ----------------------------------------------------------------------------------


def test_list_in_plan_order_with_each_status(database: Database) -> None:
    with database.write() as session:
        add_activity(session, d("03-10"), ["regulations", "meetings"])
        add_activity(session, d("03-20"), ["meetings"])
    # work-plan: due 03-31 passed; meetings: Q1 has 2 → only Q1 met so far, Q2 open;
    # weekly-news: W10 (03-05…03-11) ended short; regulations: 1 of 3; summary: nothing yet.
    assert statuses(database, d("04-02")) == {
        "work-plan": "overdue",
        "meetings": "in-progress",
        "weekly-news": "overdue",
        "festivals": "not-started",
        "regulations": "in-progress",
        "summary": "not-started",
    }


def test_list_filters_by_area_and_status(database: Database) -> None:
    with database.write() as session:
        add_activity(session, d("03-10"), ["regulations"])
    assert statuses(database, d("04-02"), area="activities") == {
        "festivals": "not-started",
        "regulations": "in-progress",
    }
    # meetings' Q1 ended empty, weekly-news' W10 (03-05…03-11) too, work-plan's due passed.
    assert statuses(database, d("04-02"), status="overdue") == {
        "work-plan": "overdue",
        "meetings": "overdue",
        "weekly-news": "overdue",
    }
    assert statuses(database, d("04-02"), area="leadership", status="not-started") == {}


def test_list_json_gives_figures_unrounded(database: Database) -> None:
    with database.write() as session:
        add_activity(session, d("03-10"), ["regulations"])
    with database.read() as session:
        rows = listing_json(list_tasks(session=session, year=Y, as_of=d("04-02")))
    regulations = next(r for r in rows if r["id"] == "regulations")
    assert regulations["progress"] == 1 / 3
    assert (regulations["count"], regulations["target"], regulations["due"]) == (1, 3, None)
    meetings = next(r for r in rows if r["id"] == "meetings")
    assert meetings["due"] == d("12-31")  # an `every` task's effective end
    assert [p["label"] for p in meetings["periods"]] == ["Q1", "Q2", "Q3", "Q4"]


def test_bad_status_lists_the_statuses(database: Database) -> None:
    with database.read() as session, pytest.raises(InputError) as caught:
        list_tasks(session=session, year=Y, as_of=d("04-02"), status="late")
    assert str(caught.value) == (
        "--status 'late' is not a status; use one of: done, met, overdue, in-progress, not-started"
    )


def test_unknown_area_suggests_the_nearest(database: Database) -> None:
    with database.read() as session, pytest.raises(NotFound) as caught:
        list_tasks(session=session, year=Y, as_of=d("04-02"), area="leadershp")
    assert str(caught.value) == "no area 'leadershp' in plan 2018 — did you mean 'leadership'?"
    with database.read() as session, pytest.raises(NotFound) as caught:
        list_tasks(session=session, year=Y, as_of=d("04-02"), area="zzz")
    assert str(caught.value) == (
        "no area 'zzz' in plan 2018; the areas are: leadership, activities, safeguards"
    )


def retire_summary(database: Database) -> None:
    """Drop `summary` from the file after it got an activity: it stays, retired."""
    with database.write() as session:
        add_activity(session, d("02-01"), ["summary"])
    without = PLAN.split("  - id: safeguards")[0]
    load(database, without, retire=True)


def test_retired_tasks_only_with_all_and_without_progress(database: Database) -> None:
    retire_summary(database)
    assert "summary" not in statuses(database, d("04-02"))
    assert statuses(database, d("04-02"), include_retired=True)["summary"] == "retired"
    with database.read() as session:
        listing = list_tasks(session=session, year=Y, as_of=d("04-02"), include_retired=True)
    row = next(r for r in listing_json(listing) if r["id"] == "summary")
    assert (row["retired"], row["progress"], row["count"]) == (True, None, None)
    # A status filter shows live tasks only.
    assert "summary" not in statuses(
        database, d("04-02"), include_retired=True, status="not-started"
    )


# -- one task -----------------------------------------------------------------------------------


def test_show_lists_activities_newest_first_with_counted_and_documented(
    database: Database,
) -> None:
    with database.write() as session:
        first = add_activity(session, d("04-05"), ["festivals"], photos=2, people=12, place="广场")
        outside = add_activity(session, d("04-06"), ["festivals"], photos=2)  # window 0
        short = add_activity(session, d("05-26"), ["festivals"], photos=1)  # last day of span
        later = add_activity(session, d("10-01"), ["festivals"], photos=5)
    with database.read() as session:
        detail = show_task(session=session, key="festivals", year=Y, as_of=d("06-01"))
    data = detail_json(detail)
    assert [(a["id"], a["counted"], a["documented"]) for a in data["activities"]] == [
        (later, False, True),  # after the as-of day
        (short, True, False),  # 1 photo of 2
        (outside, False, True),  # outside every window
        (first, True, True),
    ]
    assert data["activities"][-1]["people"] == 12
    assert data["activities"][-1]["place"] == "广场"
    assert (data["count"], data["undocumented"], data["status"]) == (2, 1, "in-progress")
    days = [(p["label"], p["name"], p["date"], p["until"], p["outcome"]) for p in data["periods"]]
    assert days == [
        ("qingming", "清明节", d("04-05"), None, "met"),
        ("sci-tech-week", "科技活动周", d("05-19"), d("05-26"), "met"),
        ("2018-10-01", "2018-10-01", d("10-01"), None, "open"),
    ]


def test_show_keeps_a_later_done_mark_but_does_not_count_it(database: Database) -> None:
    with database.write() as session:
        mark_done(
            session=session,
            key="work-plan",
            year=Y,
            day=d("04-10"),
            note="已印发",
            today=d("05-01"),
        )
    with database.read() as session:
        before = detail_json(show_task(session=session, key="work-plan", year=Y, as_of=d("04-09")))
        after = detail_json(show_task(session=session, key="work-plan", year=Y, as_of=d("04-10")))
    assert (before["status"], before["progress"], before["done"]) == ("overdue", 0.0, None)
    assert before["done_mark"] == {"date": d("04-10"), "note": "已印发"}
    assert (after["status"], after["progress"], after["done"]) == ("done", 1.0, d("04-10"))


def test_unknown_task_suggests_the_nearest(database: Database) -> None:
    with database.read() as session, pytest.raises(NotFound) as caught:
        show_task(session=session, key="regulation", year=Y, as_of=d("04-02"))
    assert str(caught.value) == "no task 'regulation' in plan 2018 — did you mean 'regulations'?"
    with database.read() as session, pytest.raises(NotFound) as caught:
        show_task(session=session, key="xyz", year=Y, as_of=d("04-02"))
    assert str(caught.value) == "no task 'xyz' in plan 2018; see the ids with: wmcj task list"


def test_show_a_retired_task(database: Database) -> None:
    retire_summary(database)
    with database.read() as session:
        data = detail_json(show_task(session=session, key="summary", year=Y, as_of=d("04-02")))
    assert (data["status"], data["retired"], data["progress"]) == ("retired", True, None)
    assert [a["counted"] for a in data["activities"]] == [False]


# -- done marks ---------------------------------------------------------------------------------


def completions(database: Database) -> list[tuple[str, date, str | None]]:
    with database.read() as session:
        rows = session.exec(
            select(Task.key, Completion.date, Completion.note).join(
                Completion, Completion.task_id == Task.id
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_done_then_again_moves_the_mark_and_keeps_the_note(database: Database) -> None:
    with database.write() as session:
        first = mark_done(
            session=session,
            key="work-plan",
            year=None,
            day=d("03-20"),
            note=" 已印发 ",
            today=d("04-01"),
        )
    assert first.previous is None
    assert completions(database) == [("work-plan", d("03-20"), "已印发")]
    with database.write() as session:
        again = mark_done(
            session=session, key="work-plan", year=None, day=d("03-25"), note=None, today=d("04-01")
        )
    assert again.previous is not None and again.previous.date == d("03-20")
    assert completions(database) == [("work-plan", d("03-25"), "已印发")]
    with database.write() as session:
        mark_done(
            session=session, key="work-plan", year=Y, day=None, note="重新印发", today=d("04-01")
        )
    assert completions(database) == [("work-plan", d("04-01"), "重新印发")]


@pytest.mark.parametrize(
    ("year", "day", "today", "message"),
    [
        (
            Y,
            date(2019, 1, 2),
            date(2019, 2, 1),
            "the done date 2019-01-02 is not in plan 2018's year;"
            " give --date YYYY-MM-DD within 2018",
        ),
        (
            None,
            date(2019, 1, 2),
            date(2019, 2, 1),
            "2019-01-02 lies outside every loaded plan's year (loaded: 2018)",
        ),
        (
            None,
            None,
            date(2019, 2, 1),  # today's year has no plan: the default plan is 2018's
            "the done date 2019-02-01 is not in plan 2018's year;"
            " give --date YYYY-MM-DD within 2018",
        ),
        (
            None,
            d("05-02"),
            d("05-01"),
            "the done date 2018-05-02 is after today (2018-05-01);"
            " a task is marked done once it is done",
        ),
    ],
)
def test_done_refuses_a_date_outside_the_plan_or_in_the_future(
    database: Database, year: int | None, day: date | None, today: date, message: str
) -> None:
    with pytest.raises(InputError) as caught, database.write() as session:
        mark_done(session=session, key="work-plan", year=year, day=day, note=None, today=today)
    assert str(caught.value) == message
    assert completions(database) == []


def test_done_and_reopen_refuse_a_retired_task(database: Database) -> None:
    retire_summary(database)
    message = (
        "task 'summary' is retired from plan 2018 (gone from the plan file);"
        " its done mark cannot be changed"
    )
    with pytest.raises(InputError) as caught, database.write() as session:
        mark_done(
            session=session, key="summary", year=Y, day=d("03-01"), note=None, today=d("04-01")
        )
    assert str(caught.value) == message
    with pytest.raises(InputError) as caught, database.write() as session:
        reopen_task(session=session, key="summary", year=Y, today=d("04-01"))
    assert str(caught.value) == message


def test_reopen_removes_the_mark(database: Database) -> None:
    with database.write() as session:
        mark_done(
            session=session, key="summary", year=Y, day=d("03-01"), note="x", today=d("04-01")
        )
    with database.write() as session:
        result = reopen_task(session=session, key="summary", year=None, today=d("04-01"))
    assert result.mark is None
    assert result.previous is not None and result.previous.date == d("03-01")
    assert completions(database) == []
    with pytest.raises(InputError) as caught, database.write() as session:
        reopen_task(session=session, key="summary", year=None, today=d("04-01"))
    assert str(caught.value) == (
        "task 'summary' is not marked done in plan 2018; there is nothing to reopen"
    )


# -- properties over the database ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One loaded plan for every example; each example works in a transaction rolled back."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('properties') / 'p.db'}")
    load(db)
    yield db
    db.close()


@contextmanager
def scratch(db: Database) -> Iterator[Session]:
    with Session(db.engine) as session:
        session.begin()
        try:
            yield session
        finally:
            session.rollback()


def in_year(first: date = date(Y, 1, 1), last: date = date(Y, 12, 31)) -> st.SearchStrategy[date]:
    return st.dates(first, last)


# Days where rules change (window and period edges, starts, dues): drawn often, so activities
# pile up in the same period or window and the edges get hit.
EDGES = [d(x) for x in ("03-04", "03-05", "03-31", "04-01", "04-05", "04-06", "05-18", "05-19")]
EDGES += [d(x) for x in ("05-26", "05-27", "06-30", "07-01", "10-01", "12-31")]
DAYS = st.one_of(st.sampled_from(EDGES), in_year())
LINKS = st.sets(st.sampled_from(KEYS), min_size=1, max_size=3).map(sorted)
ACTIVITY = st.tuples(DAYS, LINKS, st.integers(0, 3), st.integers(0, 40))


def record(session: Session, activities: list[tuple[date, list[str], int, int]]) -> None:
    for day, tasks, photos, chars in activities:
        add_activity(session, day, tasks, photos=photos, note_chars=chars)


def mark(session: Session, marks: dict[str, date]) -> None:
    ids = {t.key: t.id for t in session.exec(select(Task))}
    for key, day in marks.items():
        session.add(Completion(task_id=ids[key], date=day))
    session.flush()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(ACTIVITY, max_size=15),
    extra=ACTIVITY,
    same_day=st.integers(0, 20),
    marks=st.dictionaries(st.sampled_from(KEYS), in_year(), max_size=2),
    as_of=in_year(date(Y, 1, 1), date(Y + 1, 1, 10)),
)
def test_adding_an_activity_never_lowers_progress(
    shared: Database,
    before: list[tuple[date, list[str], int, int]],
    extra: tuple[date, list[str], int, int],
    same_day: int,
    marks: dict[str, date],
    as_of: date,
) -> None:
    if before and same_day < 2 * len(before):
        # Most often the new activity joins a day (and tasks) already worked on: the
        # period or window that has some activities gets one more.
        day, tasks, *_ = before[same_day % len(before)]
        extra = (day, tasks, *extra[2:])  # type: ignore[assignment]
    with scratch(shared) as session:
        record(session, before)
        mark(session, marks)
        then = plan_status(session=session, year=Y, as_of=as_of).progress
        record(session, [extra])
        now = plan_status(session=session, year=Y, as_of=as_of).progress
    old = {t.key: t.progress for t in then.tasks()}
    for task in now.tasks():
        assert task.progress >= old[task.key], task.key
    assert now.progress >= then.progress - 1e-12


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    as_of=in_year(date(Y, 1, 1), date(Y, 12, 30)),
    offsets=st.lists(
        st.tuples(st.integers(1, 364), LINKS, st.integers(0, 3), st.integers(0, 40)), max_size=12
    ),
    marks=st.dictionaries(st.sampled_from(KEYS), st.integers(1, 364), max_size=3),
)
def test_before_any_work_every_task_is_not_started_or_overdue(
    shared: Database,
    as_of: date,
    offsets: list[tuple[int, list[str], int, int]],
    marks: dict[str, int],
) -> None:
    last = date(Y, 12, 31)
    later = [
        (min(as_of + timedelta(days=n), last), tasks, photos, chars)
        for n, tasks, photos, chars in offsets
    ]
    with scratch(shared) as session:
        record(session, later)
        mark(session, {key: min(as_of + timedelta(days=n), last) for key, n in marks.items()})
        progress = plan_status(session=session, year=Y, as_of=as_of).progress
    for task in progress.tasks():
        assert task.status in ("not-started", "overdue"), (task.key, task.status)
        assert (task.count, task.progress, task.undocumented) == (0, 0.0, 0)
