"""``wmcj report`` as a user types it: formats, --out, --area, errors, colour."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from support import back_evidence
from wmcj.db import Database

BOX_DRAWING = re.compile("[\u2500-\u257f]")


def record(db_path: Path, day: str, title: str, *tasks: str, photos: int = 0) -> None:
    """Insert one activity linked to ``tasks`` straight into the database."""
    from sqlmodel import select

    from wmcj.models import Activity, ActivityTask, Plan, Task

    database = Database(f"sqlite:///{db_path}")
    when = date.fromisoformat(day)
    with database.write() as session:
        plan = session.exec(select(Plan).where(Plan.year == when.year)).one()
        activity = Activity(plan_id=plan.id, date=when, title=title, photos=photos)
        session.add(activity)
        session.flush()
        back_evidence(session, activity)
        for key in tasks:
            task = session.exec(select(Task).where(Task.plan_id == plan.id, Task.key == key)).one()
            session.add(ActivityTask(activity_id=activity.id, task_id=task.id))
    database.close()


@pytest.fixture
def worked(loaded: Path, db_path: Path) -> Path:
    record(db_path, "2018-01-20", "1月创建工作例会", "work-meetings")
    record(db_path, "2018-03-10", "印发创建工作方案", "work-plan")
    record(db_path, "2018-04-26", "知识产权日宣传", "ip-day-events", photos=2)
    for number in range(7):
        record(db_path, f"2018-02-{number + 1:02d}", f"制度{number + 1}", "regulations")
    return db_path


def test_json_has_the_shape_of_the_cli_spec(run: Any, worked: Path) -> None:
    result = run("report", "--as-of", "2018-06-30", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"year", "as_of", "progress", "score", "status_counts", "areas"}
    assert (data["year"], data["as_of"]) == (2018, "2018-06-30")
    assert list(data["status_counts"]) == ["done", "met", "overdue", "in-progress", "not-started"]
    assert sum(data["status_counts"].values()) == 64
    area = data["areas"][0]
    assert set(area) >= {"id", "kind", "title", "progress", "tasks"}
    assert (area["id"], area["kind"]) == ("leadership", "key-work")
    task = next(t for a in data["areas"] for t in a["tasks"] if t["id"] == "regulations")
    assert {
        k: task[k] for k in ("title", "owner", "due", "count", "target", "progress", "status")
    } == {
        "title": "完善《调研工作制度》《廉政制度》等20余项管理制度",
        "owner": "局办公室",
        "due": "2018-12-31",
        "count": 7,
        "target": 20,
        "progress": 0.35,
        "status": "in-progress",
    }
    # Never rounded: the score is exactly 100 × the unrounded progress.
    assert data["score"] == 100 * data["progress"]
    assert [a["id"] for a in data["areas"]][-3:] == ["mobilization", "management", "quality"]


def test_table_when_piped_is_plain_text(run: Any, worked: Path) -> None:
    result = run("report", "--as-of", "2018-06-30")
    assert result.exit_code == 0 and result.stderr == ""
    text = result.stdout
    assert "\x1b" not in text and not BOX_DRAWING.search(text)
    assert text.startswith("2018年文明单位创建工作方案 — progress as of 2018-06-30\n")
    assert "1. 加强组织领导,提高创建意识 (key work) — progress " in text
    assert "8. 总结经验,提高质量 (safeguard)" in text
    assert "| Tasks by status  done 0  met 2  overdue 28  in-progress 2  not-started 32 " in text
    assert "- 07-01 Sun  CPC Founding Day" in text


def test_chinese(run: Any, worked: Path) -> None:
    result = run("--lang", "zh", "report", "--as-of", "2018-06-30", "--area", "leadership")
    assert result.exit_code == 0, result.stderr
    assert "1、加强组织领导,提高创建意识（重点工作）—— 进度" in result.stdout
    assert "| 总体进度" in result.stdout and "已逾期" in result.stdout
    assert "self-building" not in result.stdout


def test_csv_and_markdown(run: Any, worked: Path) -> None:
    text = run("report", "--as-of", "2018-06-30", "--format", "csv").stdout
    assert text.startswith("\ufeffArea,Area title,Kind,ID,Task,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    regulations = next(r for r in rows if r["ID"] == "regulations")
    assert (regulations["Count"], regulations["Progress (%)"], regulations["Status"]) == (
        "7",
        "35.0",
        "in-progress",
    )
    markdown = run("report", "--as-of", "2018-06-30", "--format", "markdown").stdout
    row = "| regulations | 完善《调研工作制度》《廉政制度》等20余项管理制度 | 局办公室 | 12-31 |"
    assert row + " 35.0% | 7/20 项 | in-progress |" in markdown


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_out_writes_the_same_as_the_screen(
    run: Any, worked: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "reports" / f"report.{fmt}"
    result = run("report", "--as-of", "2018-06-30", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (
        out.read_text(encoding="utf-8")
        == run("report", "--as-of", "2018-06-30", "--format", fmt, env={"COLUMNS": "120"}).stdout
    )
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_unknown_area(run: Any, worked: Path) -> None:
    result = run("report", "--area", "activity")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: no area 'activity' in plan 2018 — did you mean 'activities'?\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2018-13-01"], "error: --as-of '2018-13-01' is not a date"),
        (["--year", "2019"], "error: no plan for 2019 is loaded (loaded: 2018)"),
        (["--format", "pdf"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    run: Any, worked: Path, args: list[str], message: str
) -> None:
    result = run("report", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_without_a_plan(run: Any) -> None:
    result = run("report")
    assert result.exit_code == 2
    assert result.stderr == "error: no plan is loaded yet; load one with: wmcj plan load FILE\n"


def test_help_shows_an_example(run: Any) -> None:
    result = run("report", "--help")
    assert result.exit_code == 0
    assert "Example: wmcj report" in result.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color", [False, True])
def test_colour_on_a_terminal_only(
    worked: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    from wmcj.report import report_data
    from wmcj.reportviews import print_report

    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    database = Database(f"sqlite:///{worked}")
    with database.read() as session:
        data = report_data(session=session, year=None, as_of=date(2018, 6, 30))
    database.close()
    print_report(data, "table", None)
    text = screen.getvalue()
    assert ("\x1b[" in text) is not no_color
    assert bool(BOX_DRAWING.search(text)) is not no_color  # Unicode boxes on a terminal
    assert "regulations" in text
