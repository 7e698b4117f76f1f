"""``wmcj task list/show/done/reopen`` as users type them: output, filters, errors."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from support import back_evidence
from wmcj.db import Database
from wmcj.models import Activity, ActivityTask, Plan, Task

PLAN = """\
version: 1
year: {year}
unit: 测试单位
title: {year}年测试方案
office: 办公室
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
        owner: 办公室
        every: quarter
        target: 2
        unit: 次
  - id: activities
    title: 活动
    tasks:
      - id: festivals
        title: 节日活动
        on: [qingming, ip-day]
        window: 3
        evidence: {{photos: 2}}
      - id: regulations
        title: 完善制度
        target: 3
        unit: 项
"""
# Without `regulations`: loading it with --retire keeps that task (it has an activity) retired.
PLAN_WITHOUT_REGULATIONS = PLAN.split("      - id: regulations")[0]


def add_activity(
    db_path: Path, day: str, tasks: list[str], *, photos: int = 0, title: str = "活动"
) -> int:
    """An activity row linked to tasks, as ``activity add`` stores it."""
    database = Database(f"sqlite:///{db_path}")
    when = date.fromisoformat(day)
    with database.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == when.year)).one()
        ids = {t.key: t.id for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
        activity = Activity(plan_id=plan.id, date=when, title=title, photos=photos, people=8)
        session.add(activity)
        session.flush()
        back_evidence(session, activity)
        for key in tasks:
            session.add(ActivityTask(activity_id=activity.id, task_id=ids[key]))
    database.close()
    assert activity.id is not None
    return activity.id


def dump(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


@pytest.fixture
def plan_2018(run, write_plan, db_path: Path) -> Path:
    """The test plan loaded, with activities: meetings Q1 met, Q2 short; festivals 1 of 2 days."""
    result = run("plan", "load", str(write_plan(PLAN.format(year=2018))))
    assert result.exit_code == 0, result.stderr
    add_activity(db_path, "2018-02-01", ["meetings"])
    add_activity(db_path, "2018-03-01", ["meetings", "regulations"])
    add_activity(db_path, "2018-05-10", ["meetings"])
    add_activity(db_path, "2018-04-02", ["festivals"], photos=2, title="清明祭扫")
    add_activity(db_path, "2018-04-30", ["festivals"], photos=0, title="知识产权宣传")
    return db_path


def listed(run, *args: str) -> dict[str, dict]:
    result = run("task", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {row["id"]: row for row in json.loads(result.stdout)}


def assert_refused(result, message: str) -> None:
    """Exit 2, exactly one line on stderr, nothing on stdout."""
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["list", "show", "done", "reopen"])
def test_help_shows_an_example(run, command: str) -> None:
    result = run("task", command, "--help")
    assert result.exit_code == 0
    assert "Example: wmcj task " + command in result.stdout


# -- list ---------------------------------------------------------------------------------------


def test_list_table(run, plan_2018: Path) -> None:
    result = run("task", "list", "--as-of", "2018-07-01")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "Plan 2018: tasks as of 2018-07-01"
    rows = {line.split()[0]: line for line in lines[3:] if line.strip()}
    assert list(rows) == ["work-plan", "meetings", "festivals", "regulations"]
    # id, title, owner, schedule, count (or marks), progress, status
    assert rows["work-plan"].split() == [
        "work-plan",
        "制定方案",
        "领导小组",
        "due",
        "03-31",
        "0/1",
        "0.0%",
        "overdue",
    ]
    assert "every quarter: 2 次" in rows["meetings"]
    assert rows["meetings"].split()[-6:] == ["Q1✓", "Q2✗", "Q3·", "Q4·", "25.0%", "overdue"]
    assert rows["regulations"].split()[-4:] == ["1/3", "项", "33.3%", "in-progress"]


def test_list_filters_by_status_and_area(run, plan_2018: Path) -> None:
    assert list(listed(run, "--as-of", "2018-07-01", "--status", "overdue")) == [
        "work-plan",
        "meetings",
        "festivals",
    ]
    assert list(listed(run, "--as-of", "2018-07-01", "--status", "in-progress")) == ["regulations"]
    assert list(listed(run, "--as-of", "2018-07-01", "--area", "activities")) == [
        "festivals",
        "regulations",
    ]
    assert listed(run, "--as-of", "2018-07-01", "--area", "activities", "--status", "met") == {}


def test_list_json_figures(run, plan_2018: Path) -> None:
    rows = listed(run, "--as-of", "2018-07-01")
    meetings = rows["meetings"]
    assert (meetings["count"], meetings["target"], meetings["progress"]) == (3, 2, 0.25)
    assert (meetings["status"], meetings["due"], meetings["owner"]) == (
        "overdue",
        "2018-12-31",
        "办公室",
    )
    assert [(p["label"], p["count"], p["outcome"]) for p in meetings["periods"]] == [
        ("Q1", 2, "met"),
        ("Q2", 1, "short"),
        ("Q3", 0, "open"),
        ("Q4", 0, "open"),
    ]
    festivals = rows["festivals"]
    # qingming 04-02…04-08 holds 04-02; ip-day 04-23…04-29 misses 04-30.
    assert (festivals["count"], festivals["progress"], festivals["undocumented"]) == (1, 0.5, 0)
    assert rows["regulations"]["progress"] == 1 / 3


def test_list_all_shows_retired_tasks_marked(run, plan_2018: Path, write_plan) -> None:
    result = run(
        "plan", "load", "--retire", str(write_plan(PLAN_WITHOUT_REGULATIONS.format(year=2018)))
    )
    assert result.exit_code == 0, result.stderr
    assert "regulations" not in listed(run, "--as-of", "2018-07-01")
    row = listed(run, "--as-of", "2018-07-01", "--all")["regulations"]
    assert (row["status"], row["retired"], row["progress"], row["count"]) == (
        "retired",
        True,
        None,
        None,
    )
    table = run("task", "list", "--as-of", "2018-07-01", "--all").stdout
    line = next(line for line in table.splitlines() if line.strip().startswith("regulations"))
    assert line.split()[-3:] == ["—", "—", "retired"]


def test_list_csv_markdown_and_out(run, plan_2018: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "tasks.csv"
    run("task", "list", "--as-of", "2018-07-01", "--format", "csv", "--out", str(sheet))
    csv = sheet.read_bytes().decode("utf-8")
    assert csv.startswith("\ufeffTask,Area,Title,Owner,Schedule,Count,Progress,Status\r\n")
    assert "work-plan,leadership,制定方案,领导小组,due 03-31,0/1,0.0%,overdue\r\n" in csv
    markdown = run("task", "list", "--as-of", "2018-07-01", "--format", "markdown").stdout
    assert markdown.startswith("## Plan 2018: tasks as of 2018-07-01\n\n| Task | Title |")
    out = tmp_path / "tasks.json"
    result = run("task", "list", "--as-of", "2018-07-01", "--format", "json", "--out", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert [row["id"] for row in json.loads(out.read_text(encoding="utf-8"))] == [
        "work-plan",
        "meetings",
        "festivals",
        "regulations",
    ]


def test_list_in_chinese(run, plan_2018: Path) -> None:
    result = run("task", "list", "--as-of", "2018-07-01", env={"WMCJ_LANG": "zh"})
    assert "2018 年计划：截至 2018-07-01 的任务" in result.stdout
    line = next(line for line in result.stdout.splitlines() if "meetings" in line)
    assert line.split()[-6:] == ["一季度✓", "二季度✗", "三季度·", "四季度·", "25.0%", "已逾期"]


# -- show -----------------------------------------------------------------------------------------


def test_show_periods_with_their_outcome(run, plan_2018: Path) -> None:
    result = run("task", "show", "meetings", "--as-of", "2018-07-01")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0] == "meetings  每季度两次会议"
    assert "  Owner：办公室\n" in text
    assert "  Schedule：every quarter: 2 次\n" in text
    assert "  Due：2018-12-31\n" in text
    assert "  Status：overdue\n" in text
    assert "  Periods：Q1 ✓ Q2 ✗ Q3 · Q4 ·\n" in text
    q2 = next(line for line in text.splitlines() if line.strip().startswith("Q2 "))
    assert q2.split() == ["Q2", "04-01–06-30", "1/2", "✗", "fell", "short"]
    assert "  Undocumented activities：0\n" in text
    assert "Activities (3)" in text
    dates = [line.split()[1] for line in text.splitlines() if re.match(r"\s*#\d", line)]
    assert dates == ["2018-05-10", "2018-03-01", "2018-02-01"]  # newest first


def test_show_named_days_with_their_windows(run, plan_2018: Path) -> None:
    text = run("task", "show", "festivals", "--as-of", "2018-05-01").stdout
    assert "  Days：Qingming Festival ✓ World Intellectual Property Day ✗\n" in text
    rows = [line.split() for line in text.splitlines() if "04-0" in line or "04-2" in line]
    assert ["Qingming", "Festival", "04-05", "04-02–04-08", "1/1", "✓", "met"] in rows
    assert "  Evidence：at least 2 photos\n" in text
    assert "  Undocumented activities：0\n" in text
    activity = next(line for line in text.splitlines() if "知识产权宣传" in line)
    assert activity.split()[-2:] == ["✗", "✗"]  # outside the window; no photos


def test_show_json(run, plan_2018: Path) -> None:
    result = run("task", "show", "festivals", "--as-of", "2018-05-01", "--format", "json")
    data = json.loads(result.stdout)
    assert (data["id"], data["status"], data["progress"], data["count"]) == (
        "festivals",
        "overdue",
        0.5,
        1,
    )
    assert data["evidence"] == {"photos": 2}
    assert [
        (p["label"], p["name"], p["first"], p["last"], p["outcome"]) for p in data["periods"]
    ] == [
        ("qingming", "清明节", "2018-04-02", "2018-04-08", "met"),
        ("ip-day", "世界知识产权日", "2018-04-23", "2018-04-29", "short"),
    ]
    assert [(a["title"], a["counted"], a["documented"]) for a in data["activities"]] == [
        ("知识产权宣传", False, False),
        ("清明祭扫", True, True),
    ]
    assert data["done_mark"] is None


# -- done and reopen ------------------------------------------------------------------------------


def test_done_and_a_mark_after_as_of_does_not_count(run, plan_2018: Path) -> None:
    result = run(
        "task",
        "done",
        "work-plan",
        "--date",
        "2018-04-10",
        "--note",
        "方案已印发",
        env={"WMCJ_TODAY": "2018-05-01"},
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "task 'work-plan' (制定方案) marked done on 2018-04-10\nnote: 方案已印发\n"
    )
    before = listed(run, "--as-of", "2018-04-09")["work-plan"]
    assert (before["status"], before["progress"], before["done"]) == ("overdue", 0.0, None)
    after = listed(run, "--as-of", "2018-04-10")["work-plan"]
    assert (after["status"], after["progress"], after["done"]) == ("done", 1.0, "2018-04-10")
    assert list(listed(run, "--as-of", "2018-04-10", "--status", "done")) == ["work-plan"]
    shown = run("task", "show", "work-plan", "--as-of", "2018-04-09").stdout
    assert "Done mark：marked done on 2018-04-10 (after 2018-04-09, so not counted yet)" in shown


def test_done_again_updates_the_mark(run, plan_2018: Path) -> None:
    env = {"WMCJ_TODAY": "2018-05-01"}
    run("task", "done", "work-plan", "--date", "2018-04-10", "--note", "初稿", env=env)
    same = run("task", "done", "work-plan", "--date", "2018-04-10", env=env)
    assert same.stdout == (
        "task 'work-plan' (制定方案) is already marked done on 2018-04-10; nothing changed\n"
        "note: 初稿\n"
    )
    moved = run("task", "done", "work-plan", "--note", "定稿", env=env)  # today
    assert moved.stdout == (
        "task 'work-plan' (制定方案) was already marked done on 2018-04-10;"
        " mark updated to 2018-05-01\nnote: 定稿\n"
    )
    data = json.loads(run("task", "show", "work-plan", "--format", "json", env=env).stdout)
    assert data["done_mark"] == {"date": "2018-05-01", "note": "定稿"}


def test_reopen(run, plan_2018: Path) -> None:
    env = {"WMCJ_TODAY": "2018-05-01"}
    run("task", "done", "meetings", env=env)
    result = run("task", "reopen", "meetings", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "task 'meetings' (每季度两次会议) reopened: its done mark of 2018-05-01 is removed\n"
    )
    assert listed(run, "--as-of", "2018-05-01")["meetings"]["status"] == "in-progress"
    assert_refused(
        run("task", "reopen", "meetings", env=env),
        "task 'meetings' is not marked done in plan 2018; there is nothing to reopen",
    )


def test_done_takes_the_plan_of_its_date(run, plan_2018: Path, write_plan) -> None:
    result = run("plan", "load", str(write_plan(PLAN.format(year=2019), "2019.yaml")))
    assert result.exit_code == 0, result.stderr
    env = {"WMCJ_TODAY": "2019-06-01"}
    assert run("task", "done", "work-plan", "--date", "2018-12-01", env=env).exit_code == 0
    assert listed(run, "--year", "2018", "--as-of", "2018-12-31")["work-plan"]["status"] == "done"
    assert listed(run, "--as-of", "2019-06-01")["work-plan"]["status"] == "overdue"
    # Without --date: today's plan.
    assert run("task", "done", "work-plan", env=env).exit_code == 0
    assert listed(run, "--as-of", "2019-06-01")["work-plan"]["done"] == "2019-06-01"


# -- errors: one line, exit 2, nothing written ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "regulation"],
            "no task 'regulation' in plan 2018 — did you mean 'regulations'?",
        ),
        (
            ["done", "work-plans", "--date", "2018-04-01"],
            "no task 'work-plans' in plan 2018 — did you mean 'work-plan'?",
        ),
        (
            ["reopen", "meeting"],
            "no task 'meeting' in plan 2018 — did you mean 'meetings'?",
        ),
        (
            ["show", "xyz"],
            "no task 'xyz' in plan 2018; see the ids with: wmcj task list",
        ),
        (
            ["list", "--status", "late"],
            "--status 'late' is not a status; use one of:"
            " done, met, overdue, in-progress, not-started",
        ),
        (
            ["list", "--area", "activity"],
            "no area 'activity' in plan 2018 — did you mean 'activities'?",
        ),
        (
            ["done", "work-plan", "--date", "2018-4-1"],
            "--date '2018-4-1' is not a date; write it as YYYY-MM-DD, e.g. 2018-04-26",
        ),
        (
            ["done", "work-plan", "--date", "2018-06-01"],
            "the done date 2018-06-01 is after today (2018-05-01);"
            " a task is marked done once it is done",
        ),
        (
            ["done", "work-plan", "--year", "2018", "--date", "2017-12-31"],
            "the done date 2017-12-31 is not in plan 2018's year;"
            " give --date YYYY-MM-DD within 2018",
        ),
        (
            ["done", "work-plan", "--date", "2017-12-31"],
            "2017-12-31 lies outside every loaded plan's year (loaded: 2018)",
        ),
        (
            ["list", "--as-of", "2018-13-01"],
            "--as-of '2018-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2018-04-26",
        ),
    ],
)
def test_refused_with_one_line_and_nothing_written(
    run, plan_2018: Path, args: list[str], message: str
) -> None:
    before = dump(plan_2018)
    assert_refused(run("task", *args, env={"WMCJ_TODAY": "2018-05-01"}), message)
    assert dump(plan_2018) == before


def test_a_retired_task_cannot_be_marked_done(run, plan_2018: Path, write_plan) -> None:
    run("plan", "load", "--retire", str(write_plan(PLAN_WITHOUT_REGULATIONS.format(year=2018))))
    before = dump(plan_2018)
    assert_refused(
        run("task", "done", "regulations", "--date", "2018-04-01"),
        "task 'regulations' is retired from plan 2018 (gone from the plan file);"
        " its done mark cannot be changed",
    )
    assert dump(plan_2018) == before


def test_errors_in_chinese(run, plan_2018: Path) -> None:
    result = run("task", "show", "regulation", env={"WMCJ_LANG": "zh"})
    assert result.exit_code == 2
    assert result.stderr == "错误: 2018 年计划中没有任务 'regulation'——是不是要找 'regulations'？\n"


def test_no_plan_loaded(run) -> None:
    assert_refused(run("task", "list"), "no plan is loaded yet; load one with: wmcj plan load FILE")
