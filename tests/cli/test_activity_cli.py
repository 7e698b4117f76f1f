"""``wmcj activity``: add, list, show, edit, rm — as a user types them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from wmcj.cli import activity as activity_cli
from wmcj.db import Database
from wmcj.tracking import plan_status

PLAN_2018 = Path(__file__).resolve().parents[2] / "plans" / "2018.yaml"

PLAN_2019 = """\
version: 1
year: 2019
unit: 某县科学技术局
title: 2019年文明单位创建工作方案
areas:
  - id: activities
    title: 丰富活动载体
    tasks:
      - id: ip-day-events
        title: 4.26世界知识产权日活动
        on: [ip-day]
"""


# -- helpers -------------------------------------------------------------------------


def snapshot(db_path: Path) -> tuple[list[str], dict[str, str]]:
    """Everything a command could change: every row of every table, every stored file."""
    with sqlite3.connect(db_path) as conn:
        rows = list(conn.iterdump())
    conn.close()
    store = db_path.with_name(db_path.stem + "-files")
    files = {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (store.rglob("*") if store.exists() else [])
        if p.is_file()
    }
    return rows, files


def as_json(run: Any, *args: str) -> Any:
    result = run("activity", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def added(run: Any, *args: str) -> int:
    result = run("activity", "add", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("recorded activity #")
    assert result.stdout.count("\n") == 1
    return int(result.stdout.strip().rsplit("#", 1)[1])


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMCJ_TODAY", "2018-04-26")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "材料"
    folder.mkdir()
    made = {
        "photo": folder / "现场 照片.JPG",
        "photo2": folder / "合影.png",
        "sheet": folder / "签到表.pdf",
    }
    made["photo"].write_bytes(b"\xff\xd8\xff jpeg bytes")
    made["photo2"].write_bytes(b"\x89PNG png bytes")
    made["sheet"].write_bytes(b"%PDF-1.4 sign-in sheet")
    return made


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- add and list ------------------------------------------------------------------------


def test_add_then_list_json_gives_back_every_field(
    run: Any, loaded: Path, today: None, files: dict[str, Path], db_path: Path
) -> None:
    number = added(
        run,
        "4.26知识产权日宣传",
        "--date",
        "2018-04-25",
        "--task",
        "wechat-news",
        "--task",
        "ip-day-events, wechat-news",
        "--people",
        "12",
        "--who",
        "张三,李四、王五",
        "--who",
        "赵六",
        "--hours",
        "2.5",
        "--place",
        "县科技馆广场",
        "--note",
        "发放宣传资料 300 份。\n接受咨询 50 人次。",
        "--attach",
        str(files["photo"]),
        "--attach",
        str(files["sheet"]),
        "--tag",
        "宣传",
        "--tag",
        "志愿服务,知识产权",
    )
    assert number == 1
    (row,) = as_json(run)
    store = db_path.with_name("wmcj-files")
    assert row.pop("created_at") and row.pop("updated_at")
    assert (
        row
        == {
            "id": 1,
            "year": 2018,
            "date": "2018-04-25",
            "title": "4.26知识产权日宣传",
            "tasks": ["ip-day-events", "wechat-news"],  # plan order, once each
            "people": 12,
            "who": ["张三", "李四", "王五", "赵六"],
            "hours": 2.5,
            "place": "县科技馆广场",
            "note": "发放宣传资料 300 份。\n接受咨询 50 人次。",
            "tags": ["宣传", "志愿服务", "知识产权"],  # in the order typed
            "attachments": [
                {
                    "name": "现场 照片.JPG",
                    "sha256": sha(files["photo"]),
                    "media_type": "image/jpeg",
                    "size": files["photo"].stat().st_size,
                    "photo": True,
                    "path": str(store / sha(files["photo"])[:2] / f"{sha(files['photo'])}.jpg"),
                },
                {
                    "name": "签到表.pdf",
                    "sha256": sha(files["sheet"]),
                    "media_type": "application/pdf",
                    "size": files["sheet"].stat().st_size,
                    "photo": False,
                    "path": str(store / sha(files["sheet"])[:2] / f"{sha(files['sheet'])}.pdf"),
                },
            ],
            "photos": 1,
            "files": 1,
            "note_chars": len("发放宣传资料300份。接受咨询50人次。"),
        }
    )
    for attachment in row["attachments"]:
        assert (
            Path(attachment["path"]).read_bytes()
            == (files["photo"] if attachment["photo"] else files["sheet"]).read_bytes()
        )


def test_date_defaults_to_today_and_optional_fields_to_nothing(
    run: Any, loaded: Path, today: None
) -> None:
    added(run, "例会", "--task", "work-meetings")
    (row,) = as_json(run)
    assert (row["date"], row["people"], row["hours"], row["place"], row["note"]) == (
        "2018-04-26",
        None,
        None,
        None,
        None,
    )
    assert (row["who"], row["tags"], row["attachments"]) == ([], [], [])


ODD_TEXTS = [
    "'); DROP TABLE activity;--",
    "\"双引号\" 'single' `back` \\backslash %s {x} $HOME",
    "🎉👍🏽 👨‍👩‍👧 表情",
    "中" * 2000,
    "第一行\n第二行\r\n\t缩进 ",
    "<b>&amp;</b> | pipe | ",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_text_comes_back_exactly_as_typed(
    run: Any, loaded: Path, today: None, text: str
) -> None:
    name = text.replace(",", "").replace("，", "").replace("、", "").strip()[:50]
    added(
        run,
        text,
        "--task",
        "regulations",
        "--note",
        text,
        "--place",
        text,
        "--who",
        name,
        "--tag",
        name,
    )
    (row,) = as_json(run)
    assert row["title"] == text
    assert row["note"] == text
    assert row["place"] == text
    assert row["who"] == [name]
    assert row["tags"] == [name]
    shown = run("activity", "show", "1", "--format", "json")
    assert json.loads(shown.stdout)["title"] == text
    table = run("activity", "list")
    assert table.exit_code == 0
    if text == "中" * 2000:  # wrapped in the table, never cut
        assert table.stdout.count("中") == 4000  # title and place


def test_table_csv_and_markdown(run: Any, loaded: Path, today: None, tmp_path: Path) -> None:
    added(
        run,
        "制度 | 汇编",
        "--task",
        "regulations",
        "--task",
        "work-meetings",
        "--people",
        "3",
        "--hours",
        "1.5",
        "--place",
        "会议室",
        "--tag",
        "制度",
    )
    table = run("activity", "list")
    header = table.stdout.splitlines()[0].split()
    assert header == ["#", "Date", "Title", "Tasks", "People", "Hours", "Place"]
    assert "work-meetings, regulations" in table.stdout
    assert "1.5" in table.stdout and "会议室" in table.stdout

    out = tmp_path / "活动.csv"
    assert run("activity", "list", "--format", "csv", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff#,Year,Date,Title,Tasks,People,Hours,Place,Who,Tags,Note")
    assert "1,2018,2018-04-26,制度 | 汇编,work-meetings、regulations,3,1.5,会议室,,制度," in text

    markdown = run("activity", "list", "--format", "markdown").stdout
    assert "| 1 | 2018-04-26 | 制度 \\| 汇编 | work-meetings, regulations | 3 | 1.5 | 会议室 |" in (
        markdown
    )


def test_list_filters(run: Any, loaded: Path, today: None) -> None:
    added(run, "a", "--date", "2018-01-10", "--task", "work-meetings", "--tag", "会议")
    added(run, "b", "--date", "2018-04-26", "--task", "ip-day-events")
    added(
        run,
        "c",
        "--date",
        "2018-09-24",
        "--task",
        "traditional-festivals",
        "--task",
        "wechat-news",
        "--tag",
        "会议,节日",
    )

    def titles(*args: str) -> list[str]:
        return [r["title"] for r in as_json(run, *args)]

    assert titles() == ["a", "b", "c"]
    assert titles("--task", "wechat-news") == ["c"]
    assert titles("--area", "activities") == ["b", "c"]
    assert titles("--area", "leadership") == ["a"]
    assert titles("--tag", "会议") == ["a", "c"]
    assert titles("--from", "2018-04-26") == ["b", "c"]
    assert titles("--to", "2018-04-26") == ["a", "b"]
    assert titles("--from", "2018-02-01", "--to", "2018-05-01", "--year", "2018") == ["b"]
    assert as_json(run, "--tag", "没有") == []
    assert run("activity", "list", "--tag", "没有").stdout == "no activities\n"


def test_activity_counts_for_several_tasks(
    run: Any, loaded: Path, today: None, db_path: Path
) -> None:
    added(
        run,
        "工作动态与例会",
        "--date",
        "2018-02-01",
        "--task",
        "wechat-news",
        "--task",
        "work-meetings",
        "--task",
        "daily-management",
    )
    db = Database(f"sqlite:///{db_path}")
    with db.read() as session:
        status = plan_status(session=session, year=2018, as_of=date(2018, 3, 1))
    db.close()
    counts = {t.key: t.count for a in status.progress.areas for t in a.tasks}
    assert (counts["wechat-news"], counts["work-meetings"], counts["daily-management"]) == (1, 1, 1)
    assert sum(counts.values()) == 3


# -- years ---------------------------------------------------------------------------------


def test_back_dated_activity_goes_to_its_own_year(
    run: Any, loaded: Path, write_plan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("plan", "load", str(write_plan(PLAN_2019, "2019.yaml"))).exit_code == 0
    monkeypatch.setenv("WMCJ_TODAY", "2019-01-03")
    added(run, "补记：年底宣传", "--date", "2018-12-28", "--task", "wechat-news")
    added(run, "今年的", "--task", "ip-day-events")
    assert [(r["year"], r["date"]) for r in as_json(run)] == [(2019, "2019-01-03")]
    assert [(r["year"], r["date"]) for r in as_json(run, "--year", "2018")] == [
        (2018, "2018-12-28")
    ]
    spanning = as_json(run, "--from", "2018-12-01", "--to", "2019-01-31")
    assert [r["year"] for r in spanning] == [2018, 2019]
    # wechat-news exists only in 2018's plan: refused in 2019 with the year named.
    result = run("activity", "add", "x", "--task", "wechat-news")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no task 'wechat-news' in plan 2019")


# -- errors: exit 2, one line, nothing written -------------------------------------------

ERRORS = [
    (
        ["x", "--task", "regulation"],
        "no task 'regulation' in plan 2018 — did you mean 'regulations'?",
    ),
    (["x", "--task", "regulations", "--task", "nope-nope-nope"], "no task 'nope-nope-nope'"),
    (["x"], "give at least one --task"),
    (["", "--task", "regulations"], "the title is empty"),
    (["  \n", "--task", "regulations"], "the title is empty"),
    (["two", "words", "--task", "regulations"], "more than one TITLE ('words')"),
    (["x", "--task", "regulations", "--date", "2018/04/26"], "is not a date"),
    (["x", "--task", "regulations", "--date", "20180426"], "is not a date"),
    (["x", "--task", "regulations", "--date", "2018-02-30"], "is not a date"),
    (
        ["x", "--task", "regulations", "--date", "2017-12-31"],
        "2017-12-31 lies outside every loaded plan's year (loaded: 2018)",
    ),
    (["x", "--task", "regulations", "--people", "-3"], "--people"),
    (["x", "--task", "regulations", "--people", "2.5"], "--people"),
    (["x", "--task", "regulations", "--people", "1000001"], "--people"),
    (["x", "--task", "regulations", "--hours", "-1"], "--hours"),
    (["x", "--task", "regulations", "--hours", "nan"], "--hours"),
    (["x", "--task", "regulations", "--hours", "inf"], "--hours"),
    (["x", "--task", "regulations", "--hours", "9000"], "--hours"),
    (["x", "--task", "regulations", "--attach", "{missing}"], "does not exist"),
    (["x", "--task", "regulations", "--attach", "{folder}"], "is a folder"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_bad_add_exits_2_with_one_line_and_writes_nothing(
    run: Any,
    loaded: Path,
    today: None,
    files: dict[str, Path],
    db_path: Path,
    args: list[str],
    message: str,
) -> None:
    added(run, "已有的", "--task", "regulations", "--attach", str(files["photo2"]))
    before = snapshot(db_path)
    places = {
        "missing": str(files["photo"].with_name("没有.jpg")),
        "folder": str(files["photo"].parent),
    }
    typed = [a.format(**places) for a in args]
    # A good photo is given too: it must not reach the store either.
    result = run("activity", "add", *typed, "--attach", str(files["photo"]))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert snapshot(db_path) == before


def test_retired_task_is_refused(run: Any, write_plan: Any, today: None, db_path: Path) -> None:
    plan = PLAN_2019.replace("2019", "2018") + (
        "      - id: wechat-news\n        title: 微信公众平台发布工作动态\n"
    )
    assert run("plan", "load", str(write_plan(plan))).exit_code == 0
    added(run, "动态", "--task", "wechat-news")
    assert (
        run(
            "plan", "load", str(write_plan(PLAN_2019.replace("2019", "2018"))), "--retire"
        ).exit_code
        == 0
    )
    before = snapshot(db_path)
    result = run("activity", "add", "x", "--task", "wechat-news")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: task 'wechat-news' is retired in plan 2018; activities can only be recorded"
        " for live tasks\n"
    )
    assert snapshot(db_path) == before


def test_a_failure_after_copying_takes_the_files_out_again(
    run: Any,
    loaded: Path,
    today: None,
    files: dict[str, Path],
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wmcj import activities

    added(run, "已有的", "--task", "regulations", "--attach", str(files["photo2"]))
    before = snapshot(db_path)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(activities, "_tag", broken)
    result = run(
        "activity",
        "add",
        "x",
        "--task",
        "regulations",
        "--attach",
        str(files["photo"]),
        "--attach",
        str(files["photo2"]),
    )
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(db_path) == before


# -- attachments ---------------------------------------------------------------------------


def test_shared_files_are_stored_once_and_leave_with_their_last_user(
    run: Any, loaded: Path, today: None, files: dict[str, Path], db_path: Path
) -> None:
    store = db_path.with_name("wmcj-files")
    first = added(
        run,
        "一",
        "--task",
        "ip-day-events",
        "--attach",
        str(files["photo"]),
        "--attach",
        str(files["sheet"]),
        "--attach",
        str(files["photo"]),
    )
    copy = files["photo"].with_name("复制.jpg")
    copy.write_bytes(files["photo"].read_bytes())
    second = added(run, "二", "--task", "ip-day-events", "--attach", str(copy))
    stored = sorted(str(p.relative_to(store)) for p in store.rglob("*") if p.is_file())
    photo_name = f"{sha(files['photo'])[:2]}/{sha(files['photo'])}.jpg"
    sheet_name = f"{sha(files['sheet'])[:2]}/{sha(files['sheet'])}.pdf"
    assert stored == sorted([photo_name, sheet_name])
    rows = {r["id"]: r for r in as_json(run)}
    assert (rows[first]["photos"], rows[first]["files"]) == (1, 1)  # same path given twice
    assert (rows[second]["photos"], rows[second]["files"]) == (1, 0)

    assert run("activity", "rm", str(first), "--yes").exit_code == 0
    assert (store / photo_name).exists()  # still used by the second activity
    assert not (store / sheet_name).exists()
    assert run("activity", "rm", str(second), "--yes").exit_code == 0
    assert not [p for p in store.rglob("*") if p.is_file()]


def test_show_lists_everything_with_stored_paths(
    run: Any, loaded: Path, today: None, files: dict[str, Path], db_path: Path
) -> None:
    added(
        run,
        "知识产权日",
        "--task",
        "ip-day-events",
        "--people",
        "8",
        "--note",
        "宣传 活动",
        "--attach",
        str(files["photo"]),
    )
    result = run("activity", "show", "1")
    assert result.exit_code == 0
    text = result.stdout
    assert "ip-day-events — 4.26世界知识产权日活动" in text
    assert "1 photo(s), 0 other file(s), note of 4 characters" in text
    stored = db_path.with_name("wmcj-files") / sha(files["photo"])[:2]
    assert str(stored / f"{sha(files['photo'])}.jpg") in text
    size = files["photo"].stat().st_size
    assert f"现场 照片.JPG (image/jpeg, {size} B)" in text
    data = json.loads(run("activity", "show", "1", "--format", "json").stdout)
    assert data["task_titles"] == {"ip-day-events": "4.26世界知识产权日活动"}


# -- edit and rm -----------------------------------------------------------------------------


def test_edit_replaces_given_fields_only(
    run: Any, loaded: Path, today: None, files: dict[str, Path], db_path: Path
) -> None:
    added(
        run,
        "旧标题",
        "--task",
        "ip-day-events",
        "--task",
        "wechat-news",
        "--people",
        "5",
        "--who",
        "张三",
        "--hours",
        "2",
        "--place",
        "会议室",
        "--note",
        "旧说明",
        "--tag",
        "旧",
        "--attach",
        str(files["photo"]),
        "--attach",
        str(files["sheet"]),
    )
    result = run(
        "activity",
        "edit",
        "1",
        "--title",
        "新标题",
        "--task",
        "sci-tech-week-events",
        "--people",
        "",
        "--tag",
        "新,宣传",
        "--attach",
        str(files["photo2"]),
        "--detach",
        "签到表.pdf",
        "--date",
        "2018-05-20",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "updated activity #1\n"
    (row,) = as_json(run)
    assert row["title"] == "新标题"
    assert row["date"] == "2018-05-20"
    assert row["tasks"] == ["sci-tech-week-events"]
    assert row["people"] is None
    assert (row["who"], row["hours"], row["place"], row["note"]) == (
        ["张三"],
        2.0,
        "会议室",
        "旧说明",
    )
    assert row["tags"] == ["新", "宣传"]  # in the order typed
    assert [a["name"] for a in row["attachments"]] == ["现场 照片.JPG", "合影.png"]
    assert (row["photos"], row["files"], row["note_chars"]) == (2, 0, 3)
    store = db_path.with_name("wmcj-files")
    assert not (store / sha(files["sheet"])[:2] / f"{sha(files['sheet'])}.pdf").exists()

    assert run("activity", "edit", "1", "--who", "", "--tag", "", "--note", "").exit_code == 0
    (row,) = as_json(run)
    assert (row["who"], row["tags"], row["note"], row["note_chars"]) == ([], [], None, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "--task", "regulaton"], "did you mean 'regulations'?"),
        (["1", "--date", "2019-04-26"], "lies outside every loaded plan's year"),
        (["1", "--people", "-1"], "--people"),
        (["1", "--title", " "], "the title is empty"),
        (["1", "--detach", "没有.jpg"], "activity #1 has no attachment '没有.jpg'"),
        (["1"], "nothing to change"),
        (["9", "--people", "1"], "no activity #9"),
    ],
)
def test_bad_edit_writes_nothing(
    run: Any,
    loaded: Path,
    today: None,
    files: dict[str, Path],
    db_path: Path,
    args: list[str],
    message: str,
) -> None:
    added(run, "活动", "--task", "ip-day-events", "--attach", str(files["photo"]))
    before = snapshot(db_path)
    extra = [] if args == ["1"] else ["--attach", str(files["sheet"])]  # no file copied either
    result = run("activity", "edit", *args, *extra)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert snapshot(db_path) == before


def test_rm_needs_yes_without_a_terminal(
    run: Any, loaded: Path, today: None, db_path: Path
) -> None:
    added(run, "活动", "--task", "ip-day-events")
    before = snapshot(db_path)
    result = run("activity", "rm", "1")
    assert result.exit_code == 2
    assert result.stderr == "error: not deleting activity #1 without confirmation; pass --yes\n"
    assert snapshot(db_path) == before
    result = run("activity", "rm", "1", "--yes")
    assert (result.exit_code, result.stdout) == (0, "deleted activity #1\n")
    assert as_json(run) == []
    missing = run("activity", "rm", "1", "--yes")
    assert (missing.exit_code, missing.stderr) == (2, "error: no activity #1\n")


def test_rm_asks_at_a_terminal(
    run: Any, loaded: Path, today: None, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(activity_cli, "_can_ask", lambda: True)
    added(run, "活动", "--task", "ip-day-events")
    before = snapshot(db_path)
    declined = run("activity", "rm", "1", input="n\n")
    assert declined.exit_code == 0
    assert "Delete activity #1 (2018-04-26 活动, 0 attachments)?" in declined.stdout
    assert "nothing deleted" in declined.stdout
    assert snapshot(db_path) == before
    accepted = run("activity", "rm", "1", input="y\n")
    assert accepted.exit_code == 0
    assert "deleted activity #1" in accepted.stdout
    assert as_json(run) == []


def test_unknown_number_for_show(run: Any, loaded: Path) -> None:
    result = run("activity", "show", "42")
    assert (result.exit_code, result.stderr) == (2, "error: no activity #42\n")


def test_messages_in_chinese(run: Any, loaded: Path, today: None) -> None:
    result = run("activity", "add", "例会", "--task", "work-meetings", env={"WMCJ_LANG": "zh"})
    assert result.stdout == "已记录活动 #1\n"
    result = run("activity", "add", "例会", "--task", "regulation", env={"WMCJ_LANG": "zh"})
    assert result.exit_code == 2
    assert "regulations" in result.stderr and "计划" in result.stderr


def test_every_command_has_an_example() -> None:
    for command in (
        activity_cli.activity_add,
        activity_cli.activity_list,
        activity_cli.activity_show,
        activity_cli.activity_edit,
        activity_cli.activity_rm,
    ):
        assert "Example: wmcj activity" in (command.__doc__ or "")


# -- the installed program -----------------------------------------------------------------


def test_installed_wmcj_end_to_end(tmp_path: Path) -> None:
    exe = shutil.which("wmcj", path=str(Path(sys.executable).parent)) or shutil.which("wmcj")
    command = [exe] if exe else [sys.executable, "-m", "wmcj"]
    env = {
        **os.environ,
        "WMCJ_DB": str(tmp_path / "e2e.db"),
        "WMCJ_TODAY": "2018-04-26",
        "WMCJ_LANG": "en",
    }
    picture = tmp_path / "现场.jpg"
    picture.write_bytes(b"\xff\xd8\xff end to end")

    def wmcj(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, env=env, check=False, timeout=60
        )

    assert wmcj("plan", "load", str(PLAN_2018)).returncode == 0
    result = wmcj(
        "activity",
        "add",
        "知识产权日宣传",
        "--task",
        "ip-day-events",
        "--attach",
        str(picture),
        "--people",
        "9",
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "recorded activity #1\n", "")
    listed = wmcj("activity", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["title"], row["tasks"], row["people"], row["photos"]) == (
        "知识产权日宣传",
        ["ip-day-events"],
        9,
        1,
    )
    assert Path(row["attachments"][0]["path"]).read_bytes() == picture.read_bytes()
    assert row["attachments"][0]["sha256"] == sha(picture)
