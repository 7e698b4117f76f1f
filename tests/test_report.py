"""The report's data and views: the same figures as the progress module, in every format."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from support import back_evidence
from wmcj.db import Database
from wmcj.errors import NotFound
from wmcj.i18n import set_language
from wmcj.render import to_json
from wmcj.report import report_data
from wmcj.reportviews import (
    STATUS_LABELS,
    marks,
    percent,
    progress_bar,
    report_csv,
    report_markdown,
    report_renderable,
    status_label,
)
from wmcj.tracking import plan_status

AS_OF = date(2018, 6, 30)


def record(
    db: Database,
    day: str,
    title: str,
    *tasks: str,
    photos: int = 0,
    files: int = 0,
    note_chars: int = 0,
) -> int:
    """Insert one activity linked to ``tasks`` straight into the database."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Plan, Task

    when = date.fromisoformat(day)
    with db.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == when.year)).one()
        activity = Activity(
            plan_id=plan.id,
            date=when,
            title=title,
            photos=photos,
            files=files,
            note_chars=note_chars,
        )
        session.add(activity)
        session.flush()
        back_evidence(session, activity)
        for key in tasks:
            task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
            session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
        assert activity.id is not None
        return activity.id


def mark_done(db: Database, key: str, day: str, year: int = 2018) -> None:
    from sqlmodel import select

    from wmcj.models import Completion, Plan, Task

    with db.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == year)).one()
        task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
        session.add(Completion(task_id=task.id, date=date.fromisoformat(day)))


@pytest.fixture
def db(loaded: Path, db_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{db_path}")
    record(
        database,
        "2018-01-20",
        "1月创建工作例会",
        "work-meetings",
        "daily-management",
        note_chars=250,
    )
    record(database, "2018-03-10", "印发创建工作方案", "work-plan")
    record(database, "2018-03-14", "植树活动", "greening", photos=3)
    record(database, "2018-04-04", "清明祭扫", "traditional-festivals", photos=1)
    record(database, "2018-04-26", "知识产权日宣传", "ip-day-events", "policy-publicity", photos=2)
    record(database, "2018-05-20", "科技活动周开幕", "sci-tech-week-events", photos=4)
    for month in range(1, 7):
        record(database, f"2018-{month:02d}-15", f"{month}月卫生检查", "hygiene-checks", photos=2)
    for number in range(5):
        record(database, f"2018-02-{number + 1:02d}", f"制度{number + 1}", "regulations")
    mark_done(database, "annual-goal", "2018-02-27")
    mark_done(database, "mid-year-review", "2018-07-10")  # after AS_OF: not counted yet
    yield database
    database.close()


def report(db: Database, **options: Any) -> dict[str, Any]:
    with db.read() as session:
        return report_data(session=session, year=options.pop("year", None), **options)


def as_json(data: dict[str, Any]) -> Any:
    return json.loads(to_json(data))


# -- the data ---------------------------------------------------------------------


def test_json_report_equals_the_progress_module(db: Database) -> None:
    data = as_json(report(db, as_of=AS_OF))
    with db.read() as session:
        status = plan_status(session=session, year=2018, as_of=AS_OF)
    progress = status.progress
    assert data["year"] == 2018 and data["as_of"] == "2018-06-30"
    assert data["progress"] == progress.progress  # unrounded
    assert data["score"] == progress.score
    assert data["status_counts"] == progress.status_counts
    assert [a["id"] for a in data["areas"]] == [a.key for a in progress.areas]
    for area_json, area in zip(data["areas"], progress.areas, strict=True):
        assert (area_json["kind"], area_json["title"], area_json["progress"]) == (
            area.kind,
            area.title,
            area.progress,
        )
        for task_json, task in zip(area_json["tasks"], area.tasks, strict=True):
            assert task_json == {
                "id": task.key,
                "title": task.title,
                "owner": task.owner,
                "due": task.due.isoformat() if task.due else None,
                "count": task.count,
                "target": task.target,
                "unit": status.units[task.key],
                "progress": task.progress,
                "status": task.status,
                "weight": task.weight,
                "undocumented": task.undocumented,
                "done_on": task.done_on.isoformat() if task.done_on else None,
                "every": status.rules[task.key].every,
                "on": [d.key for d in status.rules[task.key].on],
                "periods": [
                    {
                        "label": p.label,
                        "name": p.name,
                        "first": p.first.isoformat(),
                        "last": p.last.isoformat(),
                        "count": p.count,
                        "target": p.target,
                        "outcome": p.outcome,
                    }
                    for p in task.periods
                ],
            }


def test_figures_worked_out_by_hand(db: Database) -> None:
    data = report(db, as_of=AS_OF)
    tasks = {t["id"]: t for a in data["areas"] for t in a["tasks"]}
    assert (tasks["regulations"]["count"], tasks["regulations"]["progress"]) == (5, 0.25)
    assert tasks["regulations"]["status"] == "in-progress"
    assert tasks["work-plan"]["status"] == "met"
    assert tasks["annual-goal"]["status"] == "done"
    assert tasks["annual-goal"]["done_on"] == date(2018, 2, 27)
    assert tasks["mid-year-review"]["done_on"] is None  # marked on 07-10, after the as-of day
    # hygiene-checks: every month, six months met of twelve.
    assert tasks["hygiene-checks"]["progress"] == 0.5
    assert tasks["hygiene-checks"]["status"] == "in-progress"
    # 清明 had one photo of the two its evidence asks for.
    assert tasks["traditional-festivals"]["undocumented"] == 1
    assert data["score"] == pytest.approx(100 * data["progress"])


def test_overdue_names_the_period_or_day_that_fell_short(db: Database) -> None:
    data = report(db, as_of=AS_OF)
    overdue = {e["id"]: e for e in data["overdue"]}
    # daily-management: January met (01-20), February to May short, June still open.
    assert [p["label"] for p in overdue["daily-management"]["short"]] == [
        "M02",
        "M03",
        "M04",
        "M05",
    ]
    assert [p["label"] for p in overdue["volunteer-days"]["short"]] == ["lei-feng-day"]
    assert overdue["volunteer-days"]["due"] is None
    assert overdue["study-plan"]["short"] == []
    assert overdue["study-plan"]["due"] == date(2018, 2, 28)
    # Q1 met and Q2 ends on the as-of day itself, so it is still open.
    assert "work-meetings" not in overdue
    assert "annual-goal" not in overdue and "hygiene-checks" not in overdue
    statuses = [t for a in data["areas"] for t in a["tasks"] if t["status"] == "overdue"]
    assert list(overdue) == [t["id"] for t in statuses]
    assert len(overdue) == data["status_counts"]["overdue"] == 23


def test_upcoming_covers_the_14_days_after_the_as_of_day(db: Database) -> None:
    upcoming = report(db, as_of=date(2018, 4, 12))["upcoming"]
    assert [(e["date"], e["what"], e["tasks"]) for e in upcoming] == [
        (date(2018, 4, 15), "national-security-day", []),
        (date(2018, 4, 26), "ip-day", ["ip-day-events"]),  # the 14th day after: included
    ]
    # The as-of day itself is not upcoming (ip-day); deadlines are.
    upcoming = report(db, as_of=date(2018, 4, 26))["upcoming"]
    assert [(e["date"], e["what"], e["tasks"]) for e in upcoming] == [
        (date(2018, 4, 30), "due", ["rules-study"]),
        (date(2018, 5, 1), "labour-day", []),
        (date(2018, 5, 4), "youth-day", []),
    ]
    assert upcoming[0]["name"] == "组织全员学习文明单位评选和管理规定"


def test_upcoming_spans_show_their_last_day(db: Database) -> None:
    upcoming = report(db, as_of=date(2018, 5, 12))["upcoming"]
    week = next(e for e in upcoming if e["what"] == "sci-tech-week")
    assert (week["date"], week["until"], week["name"]) == (
        date(2018, 5, 19),
        date(2018, 5, 26),
        "科技活动周",
    )


def test_area_filter_keeps_the_plan_figures_and_the_areas_own_counts(db: Database) -> None:
    whole = report(db, as_of=AS_OF)
    data = report(db, as_of=AS_OF, area="activities")
    assert [a["id"] for a in data["areas"]] == ["activities"]
    assert (data["progress"], data["score"]) == (whole["progress"], whole["score"])
    statuses = [t["status"] for t in data["areas"][0]["tasks"]]
    assert data["status_counts"] == {s: statuses.count(s) for s in whole["status_counts"]}
    area_tasks = {t["id"] for t in data["areas"][0]["tasks"]}
    assert {e["id"] for e in data["overdue"]} <= area_tasks
    assert data["overdue"]


def test_unknown_area_says_what_was_meant(db: Database) -> None:
    with pytest.raises(
        NotFound, match="no area 'activity' in plan 2018 — did you mean 'activities'"
    ):
        report(db, as_of=AS_OF, area="activity")
    with pytest.raises(NotFound, match="the areas are: leadership, self-building"):
        report(db, as_of=AS_OF, area="zzz")


def test_an_area_whose_tasks_are_all_retired_is_not_shown(
    run: Any, write_plan: Any, db_path: Path
) -> None:
    plan = """\
version: 1
year: 2018
unit: 测试单位
title: 测试方案
office: 办公室
areas:
  - id: first
    title: 第一
    tasks:
      - {id: a, title: 任务甲}
  - id: second
    title: 第二
    tasks:
      - {id: b, title: 任务乙}
"""
    assert run("plan", "load", str(write_plan(plan))).exit_code == 0
    database = Database(f"sqlite:///{db_path}")
    record(database, "2018-03-01", "活动", "b")
    first_only = plan.split("  - id: second")[0]
    assert run("plan", "load", "--retire", str(write_plan(first_only, "p2.yaml"))).exit_code == 0
    data = report(database, as_of=AS_OF)
    database.close()
    assert [a["id"] for a in data["areas"]] == ["first"]
    assert sum(data["status_counts"].values()) == 1


# -- the views ---------------------------------------------------------------------


def test_status_words_in_both_languages() -> None:
    set_language("zh")
    assert [STATUS_LABELS[s] for s in STATUS_LABELS] == [
        "已完成",
        "已达标",
        "已逾期",
        "进行中",
        "未开始",
    ]
    set_language("en")
    assert status_label("in-progress") == "in-progress"
    assert STATUS_LABELS["overdue"] == "overdue"


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [(0, "░░░░░"), (0.19, "░░░░░"), (0.2, "█░░░░"), (0.999, "████░"), (1, "█████")],
)
def test_progress_bar_fills_only_when_finished(fraction: float, bar: str) -> None:
    assert progress_bar(fraction, 5) == bar


def test_markdown_and_csv_carry_the_same_figures_as_json(db: Database) -> None:
    set_language("en")
    data = report(db, as_of=AS_OF)
    expected = {
        t["id"]: (t["title"], percent(t["progress"]), t["status"])
        for a in data["areas"]
        for t in a["tasks"]
    }

    text = report_csv(data)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(expected) == 64
    for row in rows:
        title, shown, status = expected[row["ID"]]
        assert (row["Task"], row["Progress (%)"] + "%", row["Status"]) == (title, shown, status)
    regulations = next(r for r in rows if r["ID"] == "regulations")
    assert (regulations["Count"], regulations["Target count"], regulations["Area"]) == (
        "5",
        "20",
        "self-building",
    )

    markdown = report_markdown(data)
    cells = [
        [c.strip() for c in line.strip("|").split(" | ")]
        for line in markdown.splitlines()
        if line.startswith("| ") and not line.startswith(("| ID", "| ---"))
    ]
    seen = {}
    for cell in cells:
        seen[cell[0]] = (cell[1], cell[4], cell[6])
        if cell[0] == "regulations":
            assert cell[5] == "5/20 项"
        if cell[0] == "work-meetings":
            assert cell[5] == "Q1✓ Q2· Q3· Q4·"  # Q2 ends on the as-of day: still open
    assert seen == expected
    assert f"- Score: {data['score']:.1f}" in markdown
    assert markdown.count("\n## ") == len(data["areas"]) + 1


def test_marks_sum_up_weekly_periods() -> None:
    periods = [{"label": f"W{n:02d}", "outcome": o} for n, o in enumerate("mmsoooooooooo", 1)]
    for period in periods:
        period["outcome"] = {"m": "met", "s": "short", "o": "open"}[period["outcome"]]
    assert marks({"every": "week", "periods": periods}) == [
        ("✓2", "met"),
        ("✗1", "short"),
        ("·10", "open"),
    ]


LONG_PLAN = """\
version: 1
year: 2018
unit: 某县科学技术局
title: 2018年文明单位创建工作方案
office: 局办公室
areas:
  - id: leadership
    title: 加强组织领导，提高创建意识，把文明机关创建活动作为共性目标纳入全年的工作目标
    owner: 局创建文明单位工作领导小组
    tasks:
      - id: organizational-life-meeting-and-democratic-life-meeting
        title: 定期召开民主生活会、组织生活会，严格落实党风廉政建设责任制，层层签订党风廉政建设责任书，强化全局干部的纪律观念和廉洁自律意识
        every: month
        unit: 次
      - id: festivals
        title: 围绕清明、中秋、国庆等传统节日、4.26世界知识产权日、科技活动周、5.12防灾减灾日等特定节日精心组织各种活动
        on: [qingming, ip-day, disaster-reduction-day, mid-autumn, national-day]
      - id: regulations
        title: 完善《调研工作制度》《廉政制度》等20余项管理制度
        target: 20
        unit: 项
        due: 12-31
"""  # noqa: E501

BOX_EDGES = "+|╭╰│├"


def table_blocks(text: str) -> list[list[str]]:
    """Runs of lines that belong to one boxed table or panel."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line[:1] and line[0] in BOX_EDGES:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("plain", [True, False])
def test_every_line_of_a_table_has_the_same_width(
    run: Any, write_plan: Any, db_path: Path, lang: str, width: int, plain: bool
) -> None:
    assert run("plan", "load", str(write_plan(LONG_PLAN))).exit_code == 0
    database = Database(f"sqlite:///{db_path}")
    record(database, "2018-04-05", "清明节缅怀先烈活动", "festivals", photos=2)
    data = report(database, as_of=AS_OF)
    database.close()
    set_language(lang)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(report_renderable(data, plain=plain, width=width))
    text = console.export_text()
    blocks = table_blocks(text)
    assert len(blocks) == 2  # the area's table and the summary panel
    for block in blocks:
        widths = {cell_len(line) for line in block}
        assert len(widths) == 1, block
        assert widths.pop() <= width
    # Long titles wrap inside their cell; nothing is cut off.
    squeezed = re.sub(r"[\s|│]", "", text)
    assert "强化全局干部的纪律观念和廉洁自律意识" in squeezed
    assert "organizational-life-meeting-and-democratic-life-meeting" in squeezed
    if plain:
        assert not re.search("[\u2500-\u257f]", text)
