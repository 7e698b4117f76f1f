"""The acceptance scenario of "Recording the work": a plan of our own, worked out by hand.

The plan is loaded through ``wmcj plan load``, activities are written as rows, one
task is marked done through ``wmcj task done``; then every task's status, progress,
count and undocumented activities, each area's progress and the score are checked
at two as-of days, both through ``tracking.plan_status`` and ``wmcj task list``.
Every expected number is worked out below by hand, never by the code under test.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from sqlmodel import select

from support import back_evidence
from wmcj.db import Database
from wmcj.models import Activity, ActivityTask, Plan, Task
from wmcj.tracking import plan_status

PLAN = """\
version: 1
year: 2018
unit: 验收测试单位
title: 2018年验收测试方案
office: 办公室
days:
  sci-tech-week: {name: 科技活动周, date: 2018-05-19, until: 2018-05-26}
areas:
  - id: core
    kind: key-work
    title: 核心工作
    owner: 领导小组
    tasks:
      - id: work-plan
        title: 制定创建方案
        due: 03-31
        weight: 3
      - id: monthly-study
        title: 3月起每月集中学习
        every: month
        start: 03-01
        weight: 2
        evidence: {words: 50}
      - id: meetings
        title: 每季度召开两次创建会议
        owner: 办公室
        every: quarter
        target: 2
      - id: regulations
        title: 完善4项制度
        target: 4
        unit: 项
        due: 06-30
        weight: 0.5
  - id: events
    title: 节日活动
    tasks:
      - id: festivals
        title: 节日主题活动
        on: [qingming, ip-day, sci-tech-week, national-day]
        window: 3
        weight: 2
        evidence: {photos: 2}
      - id: volunteer-days
        title: 学雷锋纪念日、妇女节志愿服务
        on: [lei-feng-day, womens-day]
        window: 2
  - id: support
    kind: safeguard
    title: 保障措施
    owner: 办公室
    tasks:
      - id: summary
        title: 年度总结
        due: 12-31
        evidence: {files: 1}
      - id: publicity
        title: 每半年宣传一次
        every: half
"""

# The windows, worked out from the plan (2018: 清明 04-05, 知识产权日 04-26, 国庆 10-01):
#   festivals (window 3): qingming 04-02…04-08, ip-day 04-23…04-29,
#       sci-tech-week 05-16…05-29 (05-19 − 3 … 05-26 + 3), national-day 09-28…10-04
#   volunteer-days (window 2): lei-feng-day 03-03…03-07, womens-day 03-06…03-10 (they overlap)
#   monthly-study: M03…M12 (10 periods, nothing before 03-01 counts); meetings: Q1…Q4, 2 each;
#   publicity: H1 01-01…06-30, H2 07-01…12-31.
ACTIVITIES = [
    # (date, tasks, photos, files, note characters)
    ("02-10", ["monthly-study", "meetings"], 0, 0, 5),  # before monthly-study's start: Q1 only
    ("03-06", ["volunteer-days"], 0, 0, 0),  # inside both overlapping windows: both days met
    ("03-15", ["monthly-study", "meetings", "regulations"], 0, 0, 80),
    ("04-02", ["festivals"], 2, 0, 0),  # first day of qingming's window: counts, documented
    ("04-09", ["festivals"], 0, 0, 0),  # one day past qingming's window: neither counts nor flags
    ("04-20", ["monthly-study", "regulations"], 0, 0, 10),  # 10 < 50 words: undocumented
    ("05-16", ["festivals"], 0, 0, 0),  # first day of the span's window: counts, undocumented
    ("05-20", ["monthly-study", "regulations"], 0, 0, 50),  # exactly 50: documented
    ("05-25", ["meetings"], 0, 0, 0),  # Q2's only meeting: 1 of 2
    ("05-30", ["festivals"], 0, 0, 0),  # one day past the span's window (05-29)
    ("06-12", ["monthly-study"], 0, 0, 100),
    ("07-10", ["regulations", "summary"], 0, 1, 0),  # regulations' 4th, after its due
    ("10-02", ["festivals"], 3, 0, 0),  # after both as-of days
]
DONE = ("work-plan", "2018-07-05")  # marked through the CLI, between the two as-of days

FIRST = date(2018, 6, 30)  # the last day of Q2, H1 and of regulations' due: all still open
SECOND = date(2018, 7, 15)

# task: (status, progress, count, undocumented)
EXPECTED_TASKS = {
    FIRST: {
        # due 03-31 has passed; the done mark (07-05) is later, so it does not count yet
        "work-plan": ("overdue", Fraction(0), 0, 0),
        # M03 (03-15), M04 (04-20), M05 (05-20), M06 (06-12) met: 4/10; 02-10 is before start;
        # 04-20's 10 characters are short of 50
        "monthly-study": ("in-progress", Fraction(4, 10), 4, 1),
        # Q1: 02-10 + 03-15 = 2 met; Q2: 05-25 = 1 of 2, but Q2 ends today, so still open: 1/4
        "meetings": ("in-progress", Fraction(1, 4), 3, 0),
        # 03-15, 04-20, 05-20 = 3 of 4; due 06-30 is today, not passed
        "regulations": ("in-progress", Fraction(3, 4), 3, 0),
        # qingming (04-02) and sci-tech-week (05-16) met, ip-day's window ended empty, national
        # day open: 2/4, overdue for ip-day; 05-16 has no photos
        "festivals": ("overdue", Fraction(2, 4), 2, 1),
        # 03-06 meets both days: 2/2, counted once
        "volunteer-days": ("met", Fraction(1), 1, 0),
        "summary": ("not-started", Fraction(0), 0, 0),
        # H1 ends today: still open, not overdue
        "publicity": ("not-started", Fraction(0), 0, 0),
    },
    SECOND: {
        # marked done on 07-05: done, progress 1, whatever its (zero) activities
        "work-plan": ("done", Fraction(1), 0, 0),
        # M07 has nothing yet but is open: still 4/10
        "monthly-study": ("in-progress", Fraction(4, 10), 4, 1),
        # Q2 ended (06-30 < 07-15) with 1 of 2: overdue, still 1/4
        "meetings": ("overdue", Fraction(1, 4), 3, 0),
        # 07-10 is the 4th: progress 1 → met, which comes before overdue although due passed
        "regulations": ("met", Fraction(1), 4, 0),
        "festivals": ("overdue", Fraction(2, 4), 2, 1),
        "volunteer-days": ("met", Fraction(1), 1, 0),
        # 07-10 with one file: met, documented
        "summary": ("met", Fraction(1), 1, 0),
        # H1 ended with nothing: overdue
        "publicity": ("overdue", Fraction(0), 0, 0),
    },
}

# Σ(weight × progress) / Σ weight per area; weights: work-plan 3, monthly-study 2, meetings 1,
# regulations 0.5 (core Σ 6.5); festivals 2, volunteer-days 1 (events Σ 3); summary 1,
# publicity 1 (support Σ 2); the plan: Σ 11.5.
EXPECTED_AREAS = {
    FIRST: {
        # 3·0 + 2·0.4 + 1·0.25 + 0.5·0.75 = 1.425
        "core": Fraction(1425, 1000) / Fraction(65, 10),
        # 2·0.5 + 1·1 = 2
        "events": Fraction(2, 3),
        "support": Fraction(0),
    },
    SECOND: {
        # 3·1 + 2·0.4 + 1·0.25 + 0.5·1 = 4.55
        "core": Fraction(455, 100) / Fraction(65, 10),
        "events": Fraction(2, 3),
        # 1·1 + 1·0 = 1
        "support": Fraction(1, 2),
    },
}
EXPECTED_PLAN = {
    FIRST: Fraction(1425 + 2000, 1000) / Fraction(115, 10),  # (1.425 + 2 + 0) / 11.5
    SECOND: Fraction(455 + 200 + 100, 100) / Fraction(115, 10),  # (4.55 + 2 + 1) / 11.5
}
EXPECTED_COUNTS = {
    FIRST: {"done": 0, "met": 1, "overdue": 2, "in-progress": 3, "not-started": 2},
    SECOND: {"done": 1, "met": 3, "overdue": 3, "in-progress": 1, "not-started": 0},
}


def approx(value: Fraction) -> object:
    return pytest.approx(float(value), rel=1e-12, abs=1e-12)


def add_activities(db_path: Path) -> None:
    """Record the scenario's activities as rows, the way ``activity add`` stores them."""
    database = Database(f"sqlite:///{db_path}")
    with database.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == 2018)).one()
        ids = {t.key: t.id for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
        for number, (mmdd, tasks, photos, files, chars) in enumerate(ACTIVITIES, start=1):
            activity = Activity(
                plan_id=plan.id,
                date=date.fromisoformat(f"2018-{mmdd}"),
                title=f"活动{number}",
                photos=photos,
                files=files,
                note="记" * chars or None,
                note_chars=chars,
            )
            session.add(activity)
            session.flush()
            back_evidence(session, activity)
            for key in tasks:
                session.add(ActivityTask(activity_id=activity.id, task_id=ids[key]))
    database.close()


@pytest.fixture
def scenario(run, write_plan, db_path: Path) -> Path:
    result = run("plan", "load", str(write_plan(PLAN)))
    assert result.exit_code == 0, result.stderr
    assert "8 tasks" in result.stdout
    add_activities(db_path)
    task, day = DONE
    result = run(
        "task",
        "done",
        task,
        "--date",
        day,
        "--note",
        "方案已印发",
        env={"WMCJ_TODAY": "2018-07-20"},
    )
    assert result.exit_code == 0, result.stderr
    return db_path


@pytest.mark.parametrize("as_of", [FIRST, SECOND], ids=["first", "second"])
def test_plan_status_matches_the_hand_computation(scenario: Path, as_of: date) -> None:
    database = Database(f"sqlite:///{scenario}")
    with database.read() as session:
        status = plan_status(session=session, year=2018, as_of=as_of)
    database.close()
    progress = status.progress

    tasks = {t.key: t for t in progress.tasks()}
    assert list(tasks) == list(EXPECTED_TASKS[as_of])  # plan order, key work first
    for key, (state, fraction, count, undocumented) in EXPECTED_TASKS[as_of].items():
        got = tasks[key]
        assert (key, got.status, got.count, got.undocumented) == (key, state, count, undocumented)
        assert got.progress == approx(fraction), key

    assert [a.key for a in progress.areas] == ["core", "events", "support"]
    for area in progress.areas:
        assert area.progress == approx(EXPECTED_AREAS[as_of][area.key]), area.key
    assert progress.progress == approx(EXPECTED_PLAN[as_of])
    assert progress.score == approx(100 * EXPECTED_PLAN[as_of])
    assert progress.status_counts == EXPECTED_COUNTS[as_of]


def test_the_scores_written_out(scenario: Path) -> None:
    """The two scores as plain decimals, so a reader can check the fractions above."""
    database = Database(f"sqlite:///{scenario}")
    with database.read() as session:
        first = plan_status(session=session, year=2018, as_of=FIRST).progress.score
        second = plan_status(session=session, year=2018, as_of=SECOND).progress.score
    database.close()
    assert first == pytest.approx(29.782608695652176)  # 342.5 / 11.5
    assert second == pytest.approx(65.65217391304348)  # 755 / 11.5


@pytest.mark.parametrize("as_of", [FIRST, SECOND], ids=["first", "second"])
def test_task_list_json_agrees(run, scenario: Path, as_of: date) -> None:
    result = run("task", "list", "--format", "json", "--as-of", as_of.isoformat())
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    got = {row["id"]: row for row in rows}
    assert list(got) == list(EXPECTED_TASKS[as_of])
    for key, (state, fraction, count, undocumented) in EXPECTED_TASKS[as_of].items():
        row = got[key]
        assert (row["status"], row["count"], row["undocumented"]) == (state, count, undocumented)
        assert row["progress"] == approx(fraction), key
    # The done mark shows from its day on, and only then.
    assert got["work-plan"]["done"] == ("2018-07-05" if as_of == SECOND else None)


def test_periods_and_days_with_their_outcome(run, scenario: Path) -> None:
    result = run("task", "list", "--format", "json", "--as-of", SECOND.isoformat())
    got = {row["id"]: row for row in json.loads(result.stdout)}
    meetings = [(p["label"], p["count"], p["outcome"]) for p in got["meetings"]["periods"]]
    assert meetings == [("Q1", 2, "met"), ("Q2", 1, "short"), ("Q3", 0, "open"), ("Q4", 0, "open")]
    festivals = [
        (p["label"], p["first"], p["last"], p["count"], p["outcome"])
        for p in got["festivals"]["periods"]
    ]
    assert festivals == [
        ("qingming", "2018-04-02", "2018-04-08", 1, "met"),
        ("ip-day", "2018-04-23", "2018-04-29", 0, "short"),
        ("sci-tech-week", "2018-05-16", "2018-05-29", 1, "met"),
        ("national-day", "2018-09-28", "2018-10-04", 0, "open"),
    ]
    monthly = [p["label"] for p in got["monthly-study"]["periods"]]
    assert monthly == [f"M{m:02d}" for m in range(3, 13)]

    shown = run("task", "show", "meetings", "--as-of", SECOND.isoformat())
    assert "Q1 ✓ Q2 ✗ Q3 · Q4 ·" in shown.stdout


def test_task_show_counts_undocumented_activities(run, scenario: Path) -> None:
    result = run("task", "show", "festivals", "--as-of", FIRST.isoformat(), "--format", "json")
    data = json.loads(result.stdout)
    assert data["undocumented"] == 1
    # Newest first; counted only inside a window and up to the as-of day.
    assert [(a["date"], a["counted"], a["documented"]) for a in data["activities"]] == [
        ("2018-10-02", False, True),
        ("2018-05-30", False, False),
        ("2018-05-16", True, False),
        ("2018-04-09", False, False),
        ("2018-04-02", True, True),
    ]
