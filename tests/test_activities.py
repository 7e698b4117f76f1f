"""Recording activities: checks before writing, task links, evidence figures, moving plans."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wmcj.activities import (
    MAX_HOURS,
    MAX_PEOPLE,
    ActivityFields,
    add_activity,
    edit_activity,
    list_activities,
    note_chars,
    parse_hours,
    parse_people,
    remove_activity,
    show_activity,
    split_names,
)
from wmcj.attachments import Store, changing
from wmcj.db import Database
from wmcj.errors import InputError, NotFound
from wmcj.models import Activity
from wmcj.tracking import plan_status

PLAN_2019 = """\
version: 1
year: 2019
unit: 某县科学技术局
title: 2019年文明单位创建工作方案
office: 局办公室
areas:
  - id: activities
    title: 丰富活动载体
    tasks:
      - id: ip-day-events
        title: 4.26世界知识产权日活动
        on: [ip-day]
        evidence: {photos: 2}
      - id: wechat-news
        title: 微信公众平台发布工作动态
        every: month
        target: 4
"""


@pytest.fixture
def db(loaded: Path, db_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{db_path}")
    yield database
    database.close()


def add(db: Database, **values: Any) -> int:
    fields = ActivityFields(
        title=values.pop("title", "活动"),
        date=values.pop("date", date(2018, 4, 26)),
        tasks=values.pop("tasks", ["ip-day-events"]),
        **values,
    )
    with changing(db.files) as files, db.write() as session:
        return add_activity(session=session, files=files, fields=fields)


def edit(db: Database, number: int, **kwargs: Any) -> None:
    with changing(db.files) as files, db.write() as session:
        edit_activity(session=session, files=files, number=number, **kwargs)


def record(db: Database, number: int) -> dict[str, Any]:
    with db.read() as session:
        return show_activity(session=session, store=Store(db.files), number=number)


def task_progress(db: Database, key: str, as_of: date, year: int = 2018) -> Any:
    with db.read() as session:
        status = plan_status(session=session, year=year, as_of=as_of)
    return next(t for a in status.progress.areas for t in a.tasks if t.key == key)


def photo(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# -- what people type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["张三,李四"], ["张三", "李四"]),
        (["张三，李四、王五"], ["张三", "李四", "王五"]),
        (["张三", " 李四 ", "张三"], ["张三", "李四"]),
        (["", " , 、"], []),
    ],
)
def test_names_split_on_commas_and_dunhao(values: list[str], expected: list[str]) -> None:
    assert split_names(values) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("12", 12), (" 7 ", 7), ("", None), (str(MAX_PEOPLE), MAX_PEOPLE)],
)
def test_people_accepted(text: str, expected: int | None) -> None:
    assert parse_people(text) == expected


@pytest.mark.parametrize("text", ["-1", "2.5", "十", "1e3", str(MAX_PEOPLE + 1), "abc"])
def test_people_refused(text: str) -> None:
    with pytest.raises(InputError, match="--people"):
        parse_people(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0.0), ("2.5", 2.5), ("3", 3.0), ("", None), (str(MAX_HOURS), float(MAX_HOURS))],
)
def test_hours_accepted(text: str, expected: float | None) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize("text", ["-0.5", "nan", "inf", "-inf", "8784.01", "两小时", "1,5"])
def test_hours_refused(text: str) -> None:
    with pytest.raises(InputError, match="--hours"):
        parse_hours(text)


def test_note_chars_leave_out_white_space() -> None:
    assert note_chars("开展 宣传\n活动\t。\u3000") == 7
    assert note_chars(None) == 0
    assert note_chars("   \n") == 0


@given(st.text())
def test_note_chars_count_every_non_space_character(text: str) -> None:
    assert note_chars(text) == len(re.sub(r"\s", "", text))
    assert note_chars(text + " \n\t\u3000" + text) == 2 * note_chars(text)


# -- recording -----------------------------------------------------------------------


def test_an_activity_counts_for_every_task_it_names(db: Database) -> None:
    add(db, tasks=["wechat-news", "ip-day-events", "work-meetings", "wechat-news"])
    as_of = date(2018, 4, 30)
    assert task_progress(db, "wechat-news", as_of).count == 1
    assert task_progress(db, "ip-day-events", as_of).count == 1
    assert task_progress(db, "work-meetings", as_of).count == 1
    assert task_progress(db, "regulations", as_of).count == 0
    assert record(db, 1)["tasks"] == ["work-meetings", "ip-day-events", "wechat-news"]


def test_evidence_figures_are_kept_on_the_row_and_follow_edits(
    db: Database, tmp_path: Path
) -> None:
    one = photo(tmp_path, "one.jpg", b"1")
    two = photo(tmp_path, "two.HEIC", b"2")
    sheet = photo(tmp_path, "签到表.pdf", b"3")
    number = add(db, note="开展 知识产权\n宣传", attach=[one, sheet])
    as_of = date(2018, 4, 30)
    assert task_progress(db, "ip-day-events", as_of).undocumented == 1  # needs 2 photos

    with db.read() as session:
        row = session.get(Activity, number)
        assert (row.photos, row.files, row.note_chars) == (1, 1, 8)

    edit(db, number, changes={"note": "已完成"}, attach=[two])
    with db.read() as session:
        row = session.get(Activity, number)
        assert (row.photos, row.files, row.note_chars) == (2, 1, 3)
    assert task_progress(db, "ip-day-events", as_of).undocumented == 0

    edit(db, number, changes={"note": None}, detach=["one.jpg", "签到表.pdf"])
    with db.read() as session:
        row = session.get(Activity, number)
        assert (row.photos, row.files, row.note_chars, row.note) == (1, 0, 0, None)
    assert task_progress(db, "ip-day-events", as_of).undocumented == 1


def test_a_date_in_a_year_without_plan_is_refused(db: Database) -> None:
    with pytest.raises(InputError, match="2017-12-31 lies outside every loaded plan's year"):
        add(db, date=date(2017, 12, 31))


def test_unknown_task_suggests_the_closest_id(db: Database) -> None:
    with pytest.raises(NotFound, match="did you mean 'ip-day-events'"):
        add(db, tasks=["ip-day-event"])
    with pytest.raises(NotFound, match="did you mean 'sci-tech-week-events'"):
        add(db, tasks=["科技活动周活动"])  # the task's title, typed instead of its id


def test_retired_tasks_take_no_new_activities_but_old_links_stay(
    db: Database, run: Any, write_plan: Any
) -> None:
    number = add(db, tasks=["ip-day-events", "wechat-news"], people=3)
    plan = PLAN_2019.replace("2019", "2018")
    assert run("plan", "load", str(write_plan(plan)), "--retire").exit_code == 0
    plan_without = plan.replace(
        "      - id: wechat-news\n        title: 微信公众平台发布工作动态\n        every: month\n"
        "        target: 4\n",
        "",
    )
    result = run("plan", "load", str(write_plan(plan_without)), "--retire")
    assert result.exit_code == 0, result.stderr
    with pytest.raises(InputError, match="task 'wechat-news' is retired in plan 2018"):
        add(db, tasks=["wechat-news"])
    edit(db, number, changes={"people": 4})  # the old link to the retired task is kept
    assert record(db, number)["tasks"] == ["ip-day-events", "wechat-news"]
    assert record(db, number)["people"] == 4


def test_a_new_date_in_another_year_moves_the_activity_to_that_plan(
    db: Database, run: Any, write_plan: Any
) -> None:
    assert run("plan", "load", str(write_plan(PLAN_2019, "2019.yaml"))).exit_code == 0
    number = add(db, tasks=["ip-day-events", "wechat-news"])
    edit(db, number, changes={"date": date(2019, 4, 26)})
    moved = record(db, number)
    assert (moved["year"], moved["date"]) == (2019, date(2019, 4, 26))
    assert task_progress(db, "ip-day-events", date(2019, 4, 30), 2019).count == 1
    assert task_progress(db, "ip-day-events", date(2018, 12, 31)).count == 0

    with pytest.raises(NotFound, match="no task 'regulations' in plan 2019"):
        edit(db, number, changes={"tasks": ["regulations"]})
    number = add(db, tasks=["regulations"])
    with pytest.raises(NotFound, match="no task 'regulations' in plan 2019"):
        edit(db, number, changes={"date": date(2019, 1, 2)})  # its task is not in 2019's plan


def test_edit_without_changes_is_refused(db: Database) -> None:
    number = add(db)
    with pytest.raises(InputError, match="nothing to change"):
        edit(db, number, changes={})


def test_unknown_activity(db: Database) -> None:
    with pytest.raises(NotFound, match="no activity #7"):
        edit(db, 7, changes={"people": 1})
    with pytest.raises(NotFound, match="no activity #0"):
        record(db, 0)


def test_detach_by_name_or_hash_prefix(db: Database, tmp_path: Path) -> None:
    a = photo(tmp_path, "a.jpg", b"aaa")
    b = photo(tmp_path, "b.jpg", b"bbb")
    number = add(db, attach=[a, b])
    sha_b = record(db, number)["attachments"][1]["sha256"]
    with pytest.raises(NotFound, match=r"did you mean 'a\.jpg'"):
        edit(db, number, detach=["a.jpeg"])
    edit(db, number, detach=[sha_b[:8]])
    assert [x["name"] for x in record(db, number)["attachments"]] == ["a.jpg"]


def test_a_shared_file_leaves_the_store_with_its_last_user(db: Database, tmp_path: Path) -> None:
    shared = photo(tmp_path, "合影.jpg", b"group photo")
    first = add(db, attach=[shared])
    second = add(db, attach=[shared])
    path = Path(record(db, first)["attachments"][0]["path"])
    assert path == Path(record(db, second)["attachments"][0]["path"])
    with changing(db.files) as files, db.write() as session:
        remove_activity(session=session, files=files, number=first)
    assert path.read_bytes() == b"group photo"
    edit(db, second, detach=["合影.jpg"])
    assert not path.exists()


def test_a_failed_transaction_leaves_no_new_files(db: Database, tmp_path: Path) -> None:
    picture = photo(tmp_path, "new.png", b"png")
    fields = ActivityFields(
        title="x", date=date(2018, 4, 26), tasks=["ip-day-events"], attach=[picture]
    )
    with pytest.raises(RuntimeError), changing(db.files) as files, db.write() as session:
        add_activity(session=session, files=files, fields=fields)
        raise RuntimeError("commit failed")
    assert not any(p.is_file() for p in db.files.rglob("*"))
    with db.read() as session:
        assert list_activities(session=session, store=Store(db.files)) == []
